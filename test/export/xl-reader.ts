// A strict reader of xl's configuration syntax (xl.cfg(5) "Syntax", libxlu's cfg grammar), for
// checking what `export xl` writes: `KEY = VALUE` settings ended by a newline or `;`, `#`
// comments to the end of the line, VALUE a "string" or 'string', a number (decimal, 0x hex) or a
// [ list, of, values ] that may span lines. Anything else is an error with its line, a key set
// twice is an error (xl would silently keep the last), and only the keys xl.cfg(5) documents are
// accepted. pci strings are read by the grammar of xl-pci-configuration(5).

export type XlValue = string | bigint | XlValue[];

export class XlSyntaxError extends Error {}

/** Keys documented in xl.cfg(5) that an export may write. */
const KNOWN_KEYS = new Set(['name', 'type', 'memory', 'maxmem', 'vcpus', 'maxvcpus', 'kernel', 'ramdisk', 'cmdline', 'extra', 'pci', 'gic_version', 'mmio_hole', 'device_tree', 'dtdev', 'iomem', 'irqs', 'vuart', 'on_crash', 'on_poweroff', 'on_reboot', 'passthrough']);

export function readXlConfig(text: string): Map<string, XlValue> {
    let i = 0;
    let line = 1;
    const fail = (what: string): never => {
        throw new XlSyntaxError(`line ${line}: ${what}`);
    };
    const skip = (newlines: boolean) => {
        for (;;) {
            const c = text[i];
            if (c === ' ' || c === '\t' || c === '\r') i++;
            else if (c === '#') while (i < text.length && text[i] !== '\n') i++;
            else if (c === '\n' && newlines) {
                i++;
                line++;
            } else return;
        }
    };
    const value = (): XlValue => {
        const c = text[i];
        if (c === '"' || c === "'") {
            let s = '';
            i++;
            for (;;) {
                const ch = text[i];
                if (ch === undefined || ch === '\n') fail('unterminated string');
                i++;
                if (ch === c) return s;
                if (ch === '\\') {
                    const e = text[i++];
                    const map: Record<string, string> = { n: '\n', t: '\t', '\\': '\\', '"': '"', "'": "'" };
                    if (e === undefined || !(e in map)) fail(`unknown escape \\${e ?? ''}`);
                    s += map[e!];
                } else s += ch;
            }
        }
        if (c === '[') {
            i++;
            const items: XlValue[] = [];
            skip(true);
            if (text[i] === ']') {
                i++;
                return items;
            }
            for (;;) {
                items.push(value());
                skip(true);
                if (text[i] === ']') {
                    i++;
                    return items;
                }
                if (text[i] !== ',') fail(`expected ',' or ']' in a list`);
                i++;
                skip(true);
            }
        }
        const m = /^(0x[0-9a-fA-F]+|[0-9]+)/.exec(text.slice(i));
        if (!m) return fail(`expected a value, found ${JSON.stringify(text.slice(i, i + 10))}`);
        i += m[0].length;
        return BigInt(m[0]);
    };
    const settings = new Map<string, XlValue>();
    for (;;) {
        skip(true);
        if (i >= text.length) return settings;
        const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
        if (!m) fail(`expected a KEY, found ${JSON.stringify(text.slice(i, i + 10))}`);
        const key = m![0];
        i += key.length;
        skip(false);
        if (text[i] !== '=') fail(`expected '=' after ${key}`);
        i++;
        skip(false);
        if (settings.has(key)) fail(`${key} set twice`);
        if (!KNOWN_KEYS.has(key)) fail(`${key} is not a key of xl.cfg(5)`);
        settings.set(key, value());
        skip(false);
        const end = text[i];
        if (end === ';') i++;
        else if (end !== '\n' && end !== undefined) fail(`expected the end of the line after ${key}`);
    }
}

export interface XlPci {
    domain: number;
    bus: number;
    device: number;
    /** A function number, or '*' for every function of the slot. */
    fn: number | '*';
    options: Map<string, string>;
}

const PCI_KEYS: Record<string, RegExp> = {
    vslot: /^(0x)?[0-9a-fA-F]{1,2}$/,
    permissive: /^[01]$/,
    msitranslate: /^[01]$/,
    seize: /^[01]$/,
    power_mgmt: /^[01]$/,
    rdm_policy: /^(strict|relaxed)$/,
    name: /^[A-Za-z0-9_-]+$/,
};

/** One `pci` string: `[DDDD:]BB:DD.F[@VSLOT][,KEY=VALUE]*` (xl-pci-configuration(5)). */
export function readXlPci(spec: string): XlPci {
    const [bdf, ...rest] = spec.split(',');
    const m = /^(?:([0-9a-f]{4}):)?([0-9a-f]{2}):([0-9a-f]{2})\.([0-7*])$/.exec(bdf ?? '');
    if (!m) throw new XlSyntaxError(`bad BDF ${JSON.stringify(bdf)} in ${JSON.stringify(spec)}`);
    const device = parseInt(m[3]!, 16);
    if (device > 31) throw new XlSyntaxError(`device ${m[3]} above 0x1f in ${spec}`);
    const options = new Map<string, string>();
    for (const kv of rest) {
        const [key, val, ...more] = kv.split('=');
        if (key === undefined || val === undefined || more.length > 0) throw new XlSyntaxError(`bad option ${JSON.stringify(kv)} in ${spec}`);
        const rule = PCI_KEYS[key];
        if (!rule) throw new XlSyntaxError(`unknown option ${key} in ${spec}`);
        if (!rule.test(val)) throw new XlSyntaxError(`bad value ${val} for ${key} in ${spec}`);
        if (options.has(key)) throw new XlSyntaxError(`${key} given twice in ${spec}`);
        options.set(key, val);
    }
    const vslot = options.get('vslot');
    if (vslot !== undefined && parseInt(vslot, 16) > 31) throw new XlSyntaxError(`vslot ${vslot} above 0x1f in ${spec}`);
    if (m[4] === '*' && vslot === undefined) throw new XlSyntaxError(`${spec}: every function (*) needs a vslot`);
    return { domain: parseInt(m[1] ?? '0', 16), bus: parseInt(m[2]!, 16), device, fn: m[4] === '*' ? '*' : Number(m[4]), options };
}
