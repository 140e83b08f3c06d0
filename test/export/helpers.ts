// Shared by the export tests: the real tools each export is checked by, the bundled pci.ids
// subset as a pci.ids file (so pciplat and the real lspci name devices from the same database,
// whatever the machine has installed), and exporting a fixture platform in process.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { simulate } from '../../src/engine/simulate.js';
import type { SimulationResult } from '../../src/engine/result.js';
import { chooseGuest, exporterNamed, type GuestRequest } from '../../src/export/exporter.js';
import { Identities } from '../../src/export/identity.js';
import type { Platform, Profile } from '../../src/model/platform.js';
import { CLASSES, DEVICES, VENDORS } from '../../src/pci-ids/data.js';
import { PciIds } from '../../src/pci-ids/index.js';

export const FIXTURES = path.join(__dirname, '..', 'fixtures');

/** A fresh temporary directory (removed by the OS; tests leave small files only). */
export function tempDir(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), `pciplat-${prefix}-`));
}

/** The bundled subset written as a pci.ids file (vendors with their devices, then classes). */
export function bundledPciIdsFile(): string {
    const lines: string[] = ['# the bundled subset of src/pci-ids/data.ts, written for the tests'];
    for (const [vendor, name] of [...VENDORS].sort()) {
        lines.push(`${vendor}  ${name}`);
        for (const [key, dev] of [...DEVICES].sort()) if (key.startsWith(`${vendor}:`)) lines.push(`\t${key.slice(5)}  ${dev}`);
    }
    const classes = [...CLASSES].sort();
    for (const [code, name] of classes) {
        if (code.length === 2) lines.push(`C ${code}  ${name}`);
        for (const [sub, subName] of classes) if (sub.length === 4 && sub.startsWith(code) && code.length === 2) {
            lines.push(`\t${sub.slice(2)}  ${subName}`);
            for (const [pi, piName] of classes) if (pi.length === 6 && pi.startsWith(sub)) lines.push(`\t\t${pi.slice(4)}  ${piName}`);
        }
    }
    const file = path.join(tempDir('ids'), 'pci.ids');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
}

export async function namesFrom(file: string): Promise<PciIds> {
    const names = new PciIds();
    if (!(await names.loadFirst([file]))) throw new Error(`cannot read ${file}`);
    return names;
}

/** stdout of a real tool; throws with its stderr when it fails. */
export function run(tool: string, args: string[], input?: string): string {
    return execFileSync(tool, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

/** Exit status, stdout and stderr of a real tool (for tools whose warnings matter). */
export function runStatus(tool: string, args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(tool, args, { encoding: 'utf8', input, maxBuffer: 64 << 20, timeout: 600_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The export of `format` for a platform, as the CLI renders it (the guest chosen as the CLI does). */
export function exportOf(format: string, platform: Platform, names: PciIds, options: GuestRequest & { profile?: Profile } = {}): string {
    const exporter = exporterNamed(format);
    if (!exporter) throw new Error(`no exporter ${format}`);
    const result = simulate(platform, { profile: options.profile });
    const guest = chooseGuest(exporter, platform, result, options);
    return exporter.render({ platform, result, names, guest });
}

/**
 * A config-space dump (`lspci -x` format) of the functions a simulation enumerated: the header
 * fields lspci's listings read (IDs, class, revision, header type, bus numbers), so the real
 * lspci can draw and name the predicted machine (`lspci -F DUMP -tv`).
 */
export function lspciDumpOf(platform: Platform, result: SimulationResult): string {
    const identities = new Identities(platform);
    let text = '';
    for (const f of result.functions) {
        if (f.invisible !== undefined || f.bus === undefined) continue;
        const id = identities.of(f);
        const bytes = new Array<number>(64).fill(0);
        const put16 = (at: number, v: bigint | undefined) => {
            const n = Number(v ?? 0xffffn);
            bytes[at] = n & 0xff;
            bytes[at + 1] = n >> 8;
        };
        put16(0, id.vendor);
        put16(2, id.device);
        bytes[8] = Number(id.revision);
        bytes[9] = Number(id.classCode & 0xffn);
        bytes[10] = Number((id.classCode >> 8n) & 0xffn);
        bytes[11] = Number(id.classCode >> 16n);
        bytes[14] = (f.bridge ? 1 : 0) | (identities.decl(f)?.multifunction && f.pf === undefined ? 0x80 : 0);
        if (f.bridge) {
            bytes[0x18] = Number(f.bus);
            bytes[0x19] = Number(f.bridge.secondary);
            bytes[0x1a] = Number(f.bridge.subordinate);
        }
        const slot = `${f.segment.toString(16).padStart(4, '0')}:${f.bus.toString(16).padStart(2, '0')}:${f.device.toString(16).padStart(2, '0')}.${f.fn.toString(16)}`;
        text += `${slot} predicted\n`;
        for (let i = 0; i < 64; i += 16) text += `${i.toString(16).padStart(2, '0')}: ${bytes.slice(i, i + 16).map((b) => b.toString(16).padStart(2, '0')).join(' ')}\n`;
        text += '\n';
    }
    return text;
}
