// `lspci -vvv -nn` as root prints it (pciutils 3.x), with `-D` domains and `-x`/`-xxx`/`-xxxx`
// hex blocks optional. With a hex block the configuration bytes are decoded by the shared
// decoder (config-space.ts, the most exact reading) and the text adds what bytes cannot say:
// BAR and ROM sizes, the driver, the IOMMU group. Without one the text is read line by line.
// Pure: text in, one FunctionFacts per listed function out; anything that is not what lspci
// prints stops the import with the line.
import { ConfigSpaceError, decodeConfigSpace, hexBytes } from './config-space.js';
import { ImportError } from './errors.js';
import { factsFromConfig, type FactBar, type FactWindow, type FunctionFacts } from './facts.js';

const HEADER = /^(?:([0-9a-f]{4,8}):)?([0-9a-f]{2}):([0-9a-f]{2})\.([0-7]) (.*)$/i;

/** PCIe type names as lspci prints them (ls-caps.c cap_express) → Device/Port Type. */
const EXPRESS_TYPES: [RegExp, number][] = [
    [/^Legacy Endpoint/, 1],
    [/^Endpoint/, 0],
    [/^Root Port/, 4],
    [/^Upstream Port/, 5],
    [/^Downstream Port/, 6],
    [/^PCI-Express to PCI\/PCI-X Bridge/, 7],
    [/^PCI\/PCI-X to PCI-Express Bridge/, 8],
    [/^Root Complex Integrated Endpoint/, 9],
    [/^Root Complex Event Collector/, 0xa],
];

const ACS_WORDS: [string, number][] = [
    ['SrcValid', 0x01],
    ['TransBlk', 0x02],
    ['ReqRedir', 0x04],
    ['CmpltRedir', 0x08],
    ['UpstreamFwd', 0x10],
    ['EgressCtrl', 0x20],
    ['DirectTrans', 0x40],
];

interface Block {
    header: string;
    line: number;
    body: { text: string; line: number }[];
}

function sizeOf(text: string): bigint | undefined {
    const m = /\[size=(\d+)([KMGT]?)\]/.exec(text);
    if (!m) return undefined;
    const shift = { '': 0n, K: 10n, M: 20n, G: 30n, T: 40n }[m[2]! as '' | 'K' | 'M' | 'G' | 'T'];
    return BigInt(m[1]!) << shift;
}

function acsBits(text: string): number {
    let bits = 0;
    for (const [word, bit] of ACS_WORDS) if (new RegExp(`\\b${word}\\+`).test(text)) bits |= bit;
    return bits;
}

export function readLspci(text: string, file: string): FunctionFacts[] {
    if (text.includes('\0')) throw new ImportError('IMPORT-LSPCI-SYNTAX', file, 0, 'binary data: not an lspci listing');
    const lines = text.split('\n');
    const blocks: Block[] = [];
    let current: Block | undefined;
    for (let i = 0; i < lines.length; i++) {
        const raw = lines[i]!.replace(/\r$/, '');
        if (raw.trim() === '') {
            current = undefined;
            continue;
        }
        if (/^\s/.test(raw)) {
            if (!current) throw new ImportError('IMPORT-LSPCI-SYNTAX', file, i + 1, 'an indented line outside any function: the listing does not start with a function line (BB:DD.F ...)');
            current.body.push({ text: raw, line: i + 1 });
            continue;
        }
        if (/^[0-9a-f]{2,3}: /i.test(raw) && current) {
            current.body.push({ text: raw, line: i + 1 });
            continue;
        }
        if (!HEADER.test(raw)) throw new ImportError('IMPORT-LSPCI-SYNTAX', file, i + 1, `'${raw.slice(0, 60)}' is not an lspci function line (BB:DD.F class [cccc]: vendor device [vvvv:dddd])`);
        current = { header: raw, line: i + 1, body: [] };
        blocks.push(current);
    }
    if (blocks.length === 0) throw new ImportError('IMPORT-LSPCI-SYNTAX', file, 1, 'no function in the listing (expected the output of lspci -vvv -nn)');
    const facts = blocks.map((b) => readBlock(b, file));
    // lspci -vvv does not print the header's multi-function bit: function 0 of a device with
    // other listed functions has it (Linux scans functions 1-7 only then).
    const devices = new Set(facts.filter((f) => f.fn !== 0n).map((f) => `${f.segment}:${f.bus}:${f.device}`));
    for (const f of facts) if (f.fn === 0n && devices.has(`${f.segment}:${f.bus}:${f.device}`)) f.multifunction = true;
    return facts;
}

function readBlock(block: Block, file: string): FunctionFacts {
    const m = HEADER.exec(block.header)!;
    const where = { segment: BigInt(`0x${m[1] ?? '0'}`), bus: BigInt(`0x${m[2]}`), device: BigInt(`0x${m[3]}`), fn: BigInt(`0x${m[4]}`) };
    const rest = m[5]!;
    const fail = (line: number, message: string): never => {
        throw new ImportError('IMPORT-LSPCI-SYNTAX', file, line, message);
    };
    const ids = /\[([0-9a-f]{4}):([0-9a-f]{4})\]/i.exec(rest.replace(/^[^:]*\[[0-9a-f]{4}\]:/i, ''));
    const cls = /^[^[]*\[([0-9a-f]{4})\]:/i.exec(rest);
    if (!ids || !cls) fail(block.line, `'${block.header.slice(0, 80)}': no [cccc] class or [vvvv:dddd] IDs (run lspci with -nn)`);
    const progIf = /\(prog-if ([0-9a-f]{2})/i.exec(rest);
    const rev = /\(rev ([0-9a-f]{2})\)/i.exec(rest);
    const classCode = (BigInt(`0x${cls![1]}`) << 8n) | (progIf ? BigInt(`0x${progIf[1]}`) : 0n);
    const source = { file, line: block.line };

    // Text facts (sizes, driver, group) are read in any case; the hex block, when complete, gives the rest.
    const hex = block.body.filter((l) => /^[0-9a-f]{2,3}: /i.test(l.text));
    const text = block.body.filter((l) => !/^[0-9a-f]{2,3}: /i.test(l.text));
    const regions = new Map<number, { size?: bigint; address?: bigint; line: number }>();
    let romText: { size?: bigint; address?: bigint; disabled: boolean } | undefined;
    let driver: string | undefined;
    let group: number | undefined;
    let accessDenied = false;
    for (const { text: t, line } of text) {
        const s = t.trim();
        let r: RegExpExecArray | null;
        if ((r = /^Region (\d+): (Memory at|I\/O ports at) (<unassigned>|<ignored>|[0-9a-f]+)(.*)$/i.exec(s)) && /^\t[^\t]/.test(t)) {
            const address = /^[0-9a-f]+$/i.test(r[3]!) ? BigInt(`0x${r[3]}`) : undefined;
            regions.set(Number(r[1]), { size: sizeOf(r[4]!), address, line });
        } else if (/^Region \d+:/.test(s) && /^\t[^\t]/.test(t)) fail(line, `'${s.slice(0, 60)}' is not a region line (Region N: Memory at ADDRESS (...) [size=S])`);
        else if ((r = /^Expansion ROM at (<unassigned>|<ignored>|[0-9a-f]+)(.*)$/i.exec(s))) {
            romText = { size: sizeOf(r[2]!), address: /^[0-9a-f]+$/i.test(r[1]!) ? BigInt(`0x${r[1]}`) : undefined, disabled: /\[disabled\]/.test(r[2]!) };
        } else if ((r = /^Kernel driver in use: (\S+)/.exec(s))) driver = r[1];
        else if ((r = /^IOMMU group: (\d+)/.exec(s))) group = Number(r[1]);
        else if (/<access denied>/.test(s)) accessDenied = true;
    }

    let facts: FunctionFacts;
    if (hex.length > 0) {
        const bytes = hexBytes(hex.map((l) => l.text));
        if (!(bytes instanceof Uint8Array)) fail(hex[(bytes as { badLine: number }).badLine]!.line, 'a hex dump line that is not 16 hex bytes');
        const config = bytes as Uint8Array;
        if (![64, 256, 4096].includes(config.length)) {
            fail(hex[hex.length - 1]!.line, `the hex dump of ${block.header.slice(0, 12).trim()} has ${config.length} bytes, not 64, 256 or 4096 (lspci -x, -xxx, -xxxx): the listing is truncated`);
        }
        let decoded;
        try {
            decoded = decodeConfigSpace(config);
        } catch (error) {
            if (error instanceof ConfigSpaceError) throw new ImportError('IMPORT-CONFIG-BYTES', file, hex[0]!.line, `${block.header.slice(0, 12).trim()}: ${error.message}`);
            throw error;
        }
        facts = factsFromConfig(where, decoded, undefined, source);
        if (decoded.vendor !== BigInt(`0x${ids![1]}`) || decoded.device !== BigInt(`0x${ids![2]}`)) {
            fail(hex[0]!.line, `the hex dump says ${decoded.vendor.toString(16).padStart(4, '0')}:${decoded.device.toString(16).padStart(4, '0')}, the function line ${ids![1]}:${ids![2]}: not one function's listing`);
        }
    } else {
        facts = factsFromText(where, text, fail, source);
        facts.vendor = BigInt(`0x${ids![1]}`);
        facts.deviceId = BigInt(`0x${ids![2]}`);
        facts.classCode = classCode;
        if (rev) facts.revision = BigInt(`0x${rev[1]}`);
        // Header type from the class (lspci -vvv prints no header type): 0604/0609 bridges are type 1.
        const base = Number(classCode >> 8n);
        facts.headerType = base === 0x0604 || base === 0x0609 ? 1 : base === 0x0607 ? 2 : 0;
        if (facts.headerType === 1 && !facts.bridge) fail(block.line, `bridge ${block.header.slice(0, 12).trim()} has no 'Bus: primary=...' line: the listing is truncated`);
        if (accessDenied) facts.unknown.push('capabilities (<access denied>: run lspci as root): ACS, ARI, SR-IOV, MSI, PCIe type unknown');
    }
    // Sizes and addresses as lspci (from sysfs) shows them.
    for (const bar of facts.bars) {
        const r = regions.get(bar.index);
        if (r) {
            bar.size = r.size;
            if (r.address !== undefined && r.address !== 0n) bar.address = r.address;
        }
    }
    if (hex.length > 0) {
        // A BAR whose register reads 0 (unassigned 32-bit) is only in the text.
        const fromText = factsFromText(where, text, fail, source).bars;
        for (const bar of fromText) {
            if (facts.bars.some((b) => b.index === bar.index || (b.kind === 'mem64' && b.index + 1 === bar.index))) continue;
            const r = regions.get(bar.index);
            facts.bars.push({ ...bar, size: r?.size, address: r?.address || undefined });
        }
        facts.bars.sort((a, b) => a.index - b.index);
    }
    if (romText) facts.rom = { ...romText };
    facts.driver = driver;
    facts.iommuGroup = group;
    return facts;
}

/** Facts from the decoded text of one function (no hex block). */
function factsFromText(
    where: { segment: bigint; bus: bigint; device: bigint; fn: bigint },
    lines: { text: string; line: number }[],
    fail: (line: number, message: string) => never,
    source: { file: string; line: number },
): FunctionFacts {
    const facts: FunctionFacts = { ...where, headerType: 0, multifunction: false, bars: [], ariForwarding: false, resets: [], phantom: 0, source, unknown: [] };
    let cap = '';
    let capLine = 0;
    const seenCaps = new Map<string, number>();
    const windows: FactWindow[] = [];
    const closed: ('io' | 'mem' | 'prefetch')[] = [];
    const need = (what: string, ok: boolean) => {
        if (!ok) fail(capLine, `the ${what} capability at line ${capLine} lacks its detail lines: the listing is truncated`);
    };
    const finishCap = () => {
        if (cap === 'msix') need('MSI-X', facts.msix !== undefined && facts.msix.tableOffset >= 0n && seenCaps.has('pba'));
        if (cap === 'acs') need('ACS', seenCaps.has('acsctl'));
        if (cap === 'express') need('PCI Express', seenCaps.has('devcap'));
        if (cap === 'sriov') need('SR-IOV', facts.sriov !== undefined && seenCaps.has('vfoffset'));
    };
    for (const { text: t, line } of lines) {
        const s = t.trim();
        const depth = /^\t\t/.test(t) ? 2 : 1;
        let r: RegExpExecArray | null;
        if (depth === 1) {
            if (/^Capabilities: /.test(s)) {
                finishCap();
                cap = '';
                capLine = line;
                seenCaps.clear();
                if ((r = /^Capabilities: \[[0-9a-f]+(?: v\d+)?\] Express \(v\d\) (.*)$/.exec(s))) {
                    const type = EXPRESS_TYPES.find(([re]) => re.test(r![1]!));
                    if (!type) fail(line, `unknown PCI Express type '${r[1]}'`);
                    facts.pcieType = type![1];
                    cap = 'express';
                } else if ((r = /MSI-X: Enable[+-] Count=(\d+)/.exec(s))) {
                    facts.msix = { entries: BigInt(r[1]!), tableBar: -1, tableOffset: -1n, pbaBar: -1, pbaOffset: -1n };
                    cap = 'msix';
                } else if ((r = /\] MSI: Enable[+-] Count=\d+\/(\d+) Maskable([+-]) 64bit([+-])/.exec(s))) {
                    facts.msi = { vectors: BigInt(r[1]!), maskable: r[2] === '+', is64: r[3] === '+' };
                } else if (/\] Power Management version/.test(s)) cap = 'pm';
                else if (/\] Access Control Services/.test(s)) {
                    facts.acs = { capability: 0, control: 0 };
                    cap = 'acs';
                } else if (/\] Alternative Routing-ID Interpretation/.test(s)) {
                    facts.ari = { nextFunction: 0n };
                    cap = 'ari';
                } else if (/\] Single Root I\/O Virtualization/.test(s)) {
                    facts.sriov = { totalVfs: 0n, numVfs: 0n, initialVfs: 0n, offset: 0n, stride: 0n, vfDevice: 0n, pageSize: 4096n, vfBars: [] };
                    cap = 'sriov';
                } else if (/\] Advanced Features/.test(s)) cap = 'af';
                continue;
            }
            if ((r = /^Region (\d+): (Memory at|I\/O ports at) (<unassigned>|<ignored>|[0-9a-f]+)(.*)$/i.exec(s))) {
                const io = r[2] === 'I/O ports at';
                const bar: FactBar = {
                    index: Number(r[1]),
                    kind: io ? 'io' : /64-bit/.test(r[4]!) ? 'mem64' : 'mem32',
                    prefetchable: !io && /\bprefetchable/.test(r[4]!) && !/non-prefetchable/.test(r[4]!),
                };
                facts.bars.push(bar);
                continue;
            }
            if ((r = /^Bus: primary=([0-9a-f]+), secondary=([0-9a-f]+), subordinate=([0-9a-f]+)/i.exec(s))) {
                facts.bridge = { primary: BigInt(`0x${r[1]}`), secondary: BigInt(`0x${r[2]}`), subordinate: BigInt(`0x${r[3]}`), windows, closed };
                continue;
            }
            if ((r = /^(I\/O|Memory|Prefetchable memory) behind bridge: (?:([0-9a-f]+)-([0-9a-f]+))?(.*)$/i.exec(s))) {
                if (r[2] === undefined || /\[disabled\]|None/.test(r[4]!)) {
                    // lspci says the window is closed (base above limit; sysfs: unassigned).
                    if (/\[disabled\]|None/.test(s)) closed.push(r[1] === 'I/O' ? 'io' : r[1] === 'Memory' ? 'mem' : 'prefetch');
                    continue;
                }
                const start = BigInt(`0x${r[2]}`);
                const end = BigInt(`0x${r[3]}`);
                if (r[1] === 'I/O') windows.push({ kind: 'io', prefetchable: false, start, end });
                else if (r[1] === 'Memory') windows.push({ kind: 'mem32', prefetchable: false, start, end });
                // lspci reading sysfs (3.9) prints the kernel's window addresses but may say
                // [32-bit] of a 64-bit one (arm64 virt: 0x8000000000): an end above 4 GiB decides.
                else windows.push({ kind: /64-bit/.test(r[4]!) || end >= 1n << 32n ? 'mem64' : 'mem32', prefetchable: true, start, end });
                continue;
            }
            continue;
        }
        // Detail lines of the current capability.
        if (cap === 'express') {
            if (/^DevCap:/.test(s)) {
                seenCaps.set('devcap', line);
                const p = /PhantFunc (\d)/.exec(s);
                if (p) facts.phantom = Number(p[1]);
            }
            if (/FLReset\+/.test(s) && seenCaps.has('devcap') && !seenCaps.has('devctl')) facts.resets.push('flr');
            if (/^DevCtl:/.test(s)) seenCaps.set('devctl', line);
            if (/^SltCap:/.test(s)) seenCaps.set('sltcap', line);
            if (seenCaps.has('sltcap') && !seenCaps.has('sltctl')) {
                if (/HotPlug\+/.test(s)) facts.slot = { number: facts.slot?.number ?? 0n, hotplug: true };
                if ((r = /Slot #(\d+)/.exec(s))) facts.slot = { number: BigInt(r[1]!), hotplug: facts.slot?.hotplug ?? false };
            }
            if (/^SltCtl:/.test(s)) seenCaps.set('sltctl', line);
            if (/^DevCap2:/.test(s)) seenCaps.set('devcap2', line);
            if (seenCaps.has('devcap2') && !seenCaps.has('devctl2') && /ARIFwd\+/.test(s)) facts.ariForwarding = true;
            if (/^DevCtl2:/.test(s)) seenCaps.set('devctl2', line);
        } else if (cap === 'msix') {
            if ((r = /^Vector table: BAR=(\d) offset=([0-9a-f]+)/.exec(s))) {
                facts.msix!.tableBar = Number(r[1]);
                facts.msix!.tableOffset = BigInt(`0x${r[2]}`);
            } else if ((r = /^PBA: BAR=(\d) offset=([0-9a-f]+)/.exec(s))) {
                facts.msix!.pbaBar = Number(r[1]);
                facts.msix!.pbaOffset = BigInt(`0x${r[2]}`);
                seenCaps.set('pba', line);
            }
        } else if (cap === 'pm') {
            if (/^Status:/.test(s)) facts.resets.push(/NoSoftRst\+/.test(s) ? 'no-soft-reset' : 'pm');
        } else if (cap === 'acs') {
            if (/^ACSCap:/.test(s)) facts.acs!.capability = acsBits(s);
            else if (/^ACSCtl:/.test(s)) {
                facts.acs!.control = acsBits(s);
                seenCaps.set('acsctl', line);
            }
        } else if (cap === 'ari') {
            if ((r = /^ARICap:.*Next Function: (\d+)/.exec(s))) facts.ari!.nextFunction = BigInt(r[1]!);
        } else if (cap === 'af') {
            if (/^AFCap:.*FLR\+/.test(s) && !facts.resets.includes('flr')) facts.resets.push('flr');
        } else if (cap === 'sriov') {
            const sr = facts.sriov!;
            if ((r = /Initial VFs: (\d+), Total VFs: (\d+), Number of VFs: (\d+)/.exec(s))) {
                sr.initialVfs = BigInt(r[1]!);
                sr.totalVfs = BigInt(r[2]!);
                sr.numVfs = BigInt(r[3]!);
            } else if ((r = /VF offset: (\d+), stride: (\d+), Device ID: ([0-9a-f]{4})/.exec(s))) {
                sr.offset = BigInt(r[1]!);
                sr.stride = BigInt(r[2]!);
                sr.vfDevice = BigInt(`0x${r[3]}`);
                seenCaps.set('vfoffset', line);
            } else if ((r = /System Page Size: ([0-9a-f]+)/.exec(s))) {
                const reg = parseInt(r[1]!, 16);
                sr.pageSize = reg === 0 ? 4096n : 4096n << BigInt(31 - Math.clz32(reg & -reg));
            } else if ((r = /^Region (\d+): Memory at ([0-9a-f]+) \((32|64)-bit, (non-)?prefetchable\)(.*)$/.exec(s))) {
                const address = BigInt(`0x${r[2]}`);
                sr.vfBars.push({ index: Number(r[1]), kind: r[3] === '64' ? 'mem64' : 'mem32', prefetchable: r[4] === undefined, size: sizeOf(r[5]!), address: address === 0n ? undefined : address });
            }
        }
    }
    finishCap();
    if (facts.msix && (facts.msix.tableBar < 0 || facts.msix.pbaBar < 0)) fail(capLine, 'an MSI-X capability without its Vector table and PBA lines: the listing is truncated');
    return facts;
}
