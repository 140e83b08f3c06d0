// The real tools the import runs for binary inputs: `dtc -I dtb -O dts` for a flattened device
// tree, `iasl -d` for a binary ACPI table. Bounded: a time limit and an output ceiling, so a
// hostile input cannot hang or flood the command.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ImportError } from '../import/errors.js';

const TOOL_TIMEOUT_MS = 120_000;
const MAX_OUTPUT = 64 << 20;

/** The flattened device tree magic (big-endian 0xd00dfeed). */
export function isDtb(bytes: Uint8Array): boolean {
    return bytes.length >= 4 && bytes[0] === 0xd0 && bytes[1] === 0x0d && bytes[2] === 0xfe && bytes[3] === 0xed;
}

function firstLine(text: string): string {
    return (
        text
            .split('\n')
            .map((l) => l.trim())
            .find((l) => l !== '') ?? ''
    ).slice(0, 200);
}

function run(tool: string, args: string[], file: string, cwd?: string): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(tool, args, { encoding: 'utf8', timeout: TOOL_TIMEOUT_MS, maxBuffer: MAX_OUTPUT, cwd });
    if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
        const pkg = tool === 'dtc' ? 'device-tree-compiler' : 'acpica-tools';
        throw new ImportError('IMPORT-TOOL-MISSING', file, 0, `${tool} is not installed: it reads this file (Debian/Ubuntu: apt-get install ${pkg})`);
    }
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Device tree source of a .dtb, through the real dtc. */
export function dtbToDts(absPath: string, shown: string): string {
    const r = run('dtc', ['-q', '-I', 'dtb', '-O', 'dts', absPath], shown);
    if (r.status !== 0) throw new ImportError('IMPORT-NOT-DTB', shown, 0, `dtc -I dtb cannot read it: ${firstLine(r.stderr) || `exit status ${r.status}`}`);
    return r.stdout;
}

/** The `iasl -d` disassembly of a binary ACPI table. */
export function amlToDsl(absPath: string, shown: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-iasl-'));
    try {
        const copy = path.join(dir, 'table.dat');
        fs.copyFileSync(absPath, copy);
        const r = run('iasl', ['-d', copy], shown, dir);
        const out = path.join(dir, 'table.dsl');
        if (r.status !== 0 || !fs.existsSync(out)) throw new ImportError('IMPORT-ACPI-TABLE', shown, 0, `iasl -d cannot disassemble it: ${firstLine(r.stderr) || firstLine(r.stdout) || `exit status ${r.status}`}`);
        return fs.readFileSync(out, 'utf8');
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
