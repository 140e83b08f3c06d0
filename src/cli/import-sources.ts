// The "sources → printed platform" half of `pciplat import`, shared by the CLI (import-command.ts)
// and the language server's pciplat/import request: reads the files named (running dtc / iasl for
// binary ones), hands texts and a snapshot to the pure importer, prints the platform, and writes
// it to a temporary file beside OUT renamed into place (so OUT is either the old file or the
// whole new one). Paths are relative to `cwd`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { finding, type Finding } from '../findings/finding.js';
import { ImportError, type ImportNote } from '../import/errors.js';
import type { AcpiSources } from '../import/acpi.js';
import { importPlatform, type ImportSources } from '../import/import-platform.js';
import { readLspci } from '../import/lspci.js';
import { printPlatform } from '../import/print.js';
import { folderSnapshot } from '../import/snapshot-fs.js';
import { tarSnapshot } from '../import/snapshot-tar.js';
import { importLoc } from '../import/source-loc.js';
import { PciIds } from '../pci-ids/index.js';
import { amlToDsl, dtbToDts, isDtb } from './import-tools.js';

/** The inputs of `pciplat import`, by option name, in the order the header names them. */
export const IMPORT_INPUTS = ['dt', 'acpi', 'mcfg', 'madt', 'iort', 'dmar', 'dsdt', 'ivrs', 'sysfs', 'lspci'] as const;
export type ImportInput = (typeof IMPORT_INPUTS)[number];
export type ImportInputs = Partial<Record<ImportInput, string>>;

/** An input that cannot be read at all, or OUT that cannot be written (exit 2, no finding). */
export class ImportFailure extends Error {}

const MAX_INPUT = 64 << 20;

/** Option → table signature. */
const ACPI_TABLES: [keyof AcpiSources, string][] = [
    ['mcfg', 'MCFG'],
    ['madt', 'APIC'],
    ['iort', 'IORT'],
    ['dmar', 'DMAR'],
    ['dsdt', 'DSDT'],
    ['ivrs', 'IVRS'],
];

/** A valid platform name from a file name: letters, digits, `_`, single inner hyphens. */
export function platformNameFrom(file: string): string {
    const base = path.basename(file).replace(/\.[^.]*$/, '');
    let name = base.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '');
    if (!/^[A-Za-z_]/.test(name)) name = `p_${name}`;
    return name || 'imported';
}

export function isPlatformName(name: string): boolean {
    return /^[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*$/.test(name);
}

/** What is wrong with this combination of inputs (a usage error), or undefined. */
export function importInputsProblem(inputs: ImportInputs): string | undefined {
    if (!IMPORT_INPUTS.some((k) => inputs[k] !== undefined)) return 'import needs at least one input (--dt, --acpi, --mcfg, --madt, --iort, --dmar, --dsdt, --ivrs, --sysfs, --lspci)';
    if (inputs.sysfs && inputs.lspci) return 'give either --sysfs or --lspci: both describe the fabric';
    if (inputs.dt && ACPI_TABLES.some(([k]) => inputs[k])) return 'give either --dt or ACPI tables: both describe the host bridges';
    return undefined;
}

export interface ImportedText {
    text: string;
    /** The importer's remarks (unknown, assumed), as findings at their source lines. */
    notes: Finding[];
}

/**
 * Reads the inputs and prints the platform. Throws {@link ImportError} (a coded finding: see
 * {@link importErrorFinding}) or {@link ImportFailure} (an unreadable input).
 */
export async function importText(inputs: ImportInputs, name: string, cwd: string): Promise<ImportedText> {
    const abs = (f: string) => path.resolve(cwd, f);
    const sources: ImportSources = { name };
    const dt = inputs.dt;
    if (dt) {
        const bytes = readInput(dt, cwd);
        sources.deviceTree = { file: dt, text: isDtb(bytes) || dt.endsWith('.dtb') ? dtbToDts(abs(dt), dt) : textOf(bytes, dt, 'IMPORT-NOT-DTB') };
    }
    const sysfs = inputs.sysfs;
    if (sysfs) {
        let stat: fs.Stats;
        try {
            stat = fs.statSync(abs(sysfs));
        } catch (error) {
            throw new ImportFailure(`cannot read ${sysfs}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
        }
        // A folder, or a tarball of one (.tar, .tar.gz) read in memory.
        sources.sysfs = stat.isDirectory() ? folderSnapshot(abs(sysfs), sysfs) : tarSnapshot(readInput(sysfs, cwd), sysfs);
    }
    const lspci = inputs.lspci;
    if (lspci) sources.facts = readLspci(textOf(readInput(lspci, cwd), lspci, 'IMPORT-LSPCI-SYNTAX'), lspci);
    const acpi: AcpiSources = {};
    if (inputs.acpi) Object.assign(acpi, readAcpiFolder(inputs.acpi, cwd));
    for (const [option, signature] of ACPI_TABLES) {
        const file = inputs[option];
        if (file) acpi[option] = { file, text: acpiText(readInput(file, cwd), file, abs(file), signature) };
    }
    if (Object.keys(acpi).length > 0) sources.acpi = acpi;
    const result = importPlatform(sources);
    const ids = new PciIds();
    await ids.loadFirst(['/usr/share/misc/pci.ids', '/usr/share/hwdata/pci.ids', '/usr/share/pci.ids']);
    const text = printPlatform(result.platform, {
        comments: result.comments,
        header: [
            `Imported by pciplat import from ${IMPORT_INPUTS.filter((k) => inputs[k] !== undefined).map((k) => `--${k} ${inputs[k]}`).join(' ')}.`,
            'Addresses and bus numbers the machine had are written with `at` / secondary / subordinate; check the comments marked "unknown" and "assumed".',
        ],
        describe: (vendor, device, classCode) => {
            const parts = [ids.vendorName(vendor), ids.deviceName(vendor, device)].filter((p) => p !== undefined);
            const cls = ids.className(classCode);
            return parts.length > 0 || cls ? `${parts.join(' ')}${cls ? `${parts.length > 0 ? ', ' : ''}${cls}` : ''}` : undefined;
        },
    });
    return { text, notes: result.notes.map((n) => noteFinding(n, cwd)) };
}

/** The coded finding of an import that stopped, at the input's line (line 0: the whole file). */
export function importErrorFinding(error: ImportError, cwd: string): Finding {
    return finding(error.code, error.message, locOf(error.file, error.line, cwd));
}

function locOf(file: string, line: number, cwd: string) {
    return importLoc(pathToFileURL(path.resolve(cwd, file)).href, line);
}

function noteFinding(n: ImportNote, cwd: string): Finding {
    return finding(n.code, n.message, locOf(n.file, n.line, cwd));
}

/** A table's text: the file itself when it is a disassembly, else iasl's disassembly of it. */
function acpiText(bytes: Uint8Array, file: string, absPath: string, signature: string): string {
    const head = String.fromCharCode(...bytes.slice(0, 4));
    const binary = bytes.includes(0) && /^[A-Z0-9_]{4}$/.test(head);
    if (!binary) return textOf(bytes, file, 'IMPORT-ACPI-TABLE');
    if (head !== signature) throw new ImportError('IMPORT-ACPI-TABLE', file, 0, `this is the ${head} table, not ${signature}`);
    return amlToDsl(absPath, file);
}

/** The tables of a folder: binary ones named by signature (as /sys/firmware/acpi/tables has them) or NAME.dsl. */
function readAcpiFolder(dir: string, cwd: string): AcpiSources {
    const absDir = path.resolve(cwd, dir);
    let entries: string[];
    try {
        entries = fs.readdirSync(absDir);
    } catch (error) {
        throw new ImportFailure(`cannot read ${dir}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
    const out: AcpiSources = {};
    for (const [option, signature] of ACPI_TABLES) {
        const name = entries.find((e) => e === signature || e.toUpperCase() === `${signature}.DSL`) ?? entries.find((e) => e.toUpperCase() === `${signature}.DAT`);
        if (!name) continue;
        const file = path.join(dir, name);
        out[option] = { file, text: acpiText(readInput(file, cwd), file, path.join(absDir, name), signature) };
    }
    if (Object.keys(out).length === 0) throw new ImportError('IMPORT-ACPI-TABLE', dir, 0, 'no MCFG, APIC, IORT, DMAR, DSDT or IVRS table in the folder (binary tables named by signature, or NAME.dsl)');
    return out;
}

function readInput(file: string, cwd: string): Uint8Array {
    const p = path.resolve(cwd, file);
    try {
        const stat = fs.statSync(p);
        if (stat.isDirectory()) throw new ImportFailure(`cannot read ${file}: is a directory (EISDIR)`);
        if (stat.size > MAX_INPUT) throw new ImportFailure(`cannot read ${file}: larger than ${MAX_INPUT >> 20} MiB`);
        return new Uint8Array(fs.readFileSync(p));
    } catch (error) {
        if (error instanceof ImportFailure) throw error;
        const code = (error as NodeJS.ErrnoException).code;
        throw new ImportFailure(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file (ENOENT)' : (code ?? 'unreadable')}`);
    }
}

function textOf(bytes: Uint8Array, file: string, code: ImportError['code']): string {
    try {
        const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        if (text.includes('\0')) throw new Error('NUL');
        return text;
    } catch {
        throw new ImportError(code, file, 0, 'binary data that is not what this option reads');
    }
}

/** Writes to a temporary file beside `target`, then renames it over `target`. */
export function writeAtomically(target: string, text: string): void {
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
    try {
        fs.writeFileSync(tmp, text, { flag: 'wx' });
        fs.renameSync(tmp, target);
    } catch (error) {
        fs.rmSync(tmp, { force: true });
        throw new ImportFailure(`cannot write ${path.basename(target)}: ${(error as NodeJS.ErrnoException).code ?? 'failed'}`);
    }
}
