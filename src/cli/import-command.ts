// `pciplat import`: the one IO layer of src/import. It reads the files the user names (running
// dtc / iasl for binary ones), hands texts and a snapshot to the pure importer, writes the
// printed platform to a temporary file beside OUT and renames it into place (so OUT is either
// the old file or the whole new one), then checks it as `pciplat check` would.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { finding, hasErrors, type Finding } from '../findings/finding.js';
import { ImportError, type ImportNote } from '../import/errors.js';
import type { AcpiSources } from '../import/acpi.js';
import { importPlatform, type ImportSources } from '../import/import-platform.js';
import { readLspci } from '../import/lspci.js';
import { printPlatform } from '../import/print.js';
import { folderSnapshot } from '../import/snapshot-fs.js';
import { importLoc } from '../import/source-loc.js';
import { PciIds } from '../pci-ids/index.js';
import { simulate } from '../engine/simulate.js';
import { UsageError, choice, type OptionSpecs } from './args.js';
import { collectFindings } from './findings.js';
import type { Loader } from './frontend.js';
import { checkJson, stringifyJson } from './format-json.js';
import { sarifLog } from './format-sarif.js';
import { formatFindingsText, summaryLine } from './format-text.js';
import { FORMATS } from './help.js';
import { amlToDsl, dtbToDts, isDtb } from './import-tools.js';
import type { CliIo } from './main.js';

export const IMPORT_OPTIONS: OptionSpecs = {
    dt: { type: 'string' },
    sysfs: { type: 'string' },
    lspci: { type: 'string' },
    acpi: { type: 'string' },
    mcfg: { type: 'string' },
    madt: { type: 'string' },
    iort: { type: 'string' },
    dmar: { type: 'string' },
    dsdt: { type: 'string' },
    name: { type: 'string' },
    output: { type: 'string', short: 'o' },
    force: { type: 'boolean' },
    format: { type: 'string' },
};

export const IMPORT_HELP = `Usage: pciplat import [--dt FILE | --acpi DIR | --mcfg FILE --iort FILE ...] [--sysfs DIR | --lspci FILE]
                      -o OUT [--name NAME] [--force] [--format FORMAT]

Reads a real machine into a platform description: the firmware (a device tree, or ACPI tables)
gives the host bridges, ID maps and IOMMUs, a sysfs snapshot or an lspci listing the PCI fabric.
Writes OUT (never half-written; an existing OUT only with --force), then checks it.

Options:
  --dt FILE      device tree: .dts source, or a .dtb (read through dtc)
  --sysfs DIR    a sysfs snapshot (bus/pci/devices/*/config, resource, driver, iommu_group)
  --lspci FILE   the output of 'lspci -vvv -nn' as root (with -xxxx hex blocks: most exact)
  --acpi DIR     ACPI tables as copied from /sys/firmware/acpi/tables (MCFG, APIC, IORT, DMAR,
                 DSDT; binary, read through iasl) or their iasl -d disassemblies (MCFG.dsl, ...)
  --mcfg FILE, --madt FILE, --iort FILE, --dmar FILE, --dsdt FILE
                 one ACPI table: iasl -d disassembly (.dsl) or the binary table
  -o, --output OUT  the .pciplat file to write
  --name NAME    the platform's name (default: from OUT)
  --force        overwrite OUT if it exists
  --format FORMAT  findings as ${FORMATS.join(', ')} (default text)
  -h, --help     Show this help

See docs/import.md for the commands that collect each input on a real machine.

Exit status:
  0  written, and the platform has no error findings
  1  error findings: an input could not be imported (nothing written), or the written platform has errors
  2  bad usage, unreadable input, OUT exists without --force, or internal failure
`;

const MAX_INPUT = 64 << 20;

/** A valid platform name from a file name: letters, digits, `_`, single inner hyphens. */
export function platformNameFrom(file: string): string {
    const base = path.basename(file).replace(/\.[^.]*$/, '');
    let name = base.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '');
    if (!/^[A-Za-z_]/.test(name)) name = `p_${name}`;
    return name || 'imported';
}

class ImportFailure extends Error {}

/** Option → table signature. */
const ACPI_TABLES: [keyof AcpiSources, string][] = [
    ['mcfg', 'MCFG'],
    ['madt', 'APIC'],
    ['iort', 'IORT'],
    ['dmar', 'DMAR'],
    ['dsdt', 'DSDT'],
];

/** A table's text: the file itself when it is a disassembly, else iasl's disassembly of it. */
function acpiText(bytes: Uint8Array, file: string, absPath: string, signature: string): string {
    const head = String.fromCharCode(...bytes.slice(0, 4));
    const binary = bytes.includes(0) && /^[A-Z0-9_]{4}$/.test(head);
    if (!binary) return textOf(bytes, file, 'IMPORT-ACPI-TABLE');
    if (head !== signature) throw new ImportError('IMPORT-ACPI-TABLE', file, 0, `this is the ${head} table, not ${signature}`);
    return amlToDsl(absPath, file);
}

/** The tables of a folder: binary ones named by signature (as /sys/firmware/acpi/tables has them) or NAME.dsl. */
function readAcpiFolder(dir: string, io: CliIo): AcpiSources {
    const absDir = path.resolve(io.cwd, dir);
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
        out[option] = { file, text: acpiText(readInput(file, io), file, path.join(absDir, name), signature) };
    }
    if (Object.keys(out).length === 0) throw new ImportError('IMPORT-ACPI-TABLE', dir, 0, 'no MCFG, APIC, IORT, DMAR or DSDT table in the folder (binary tables named by signature, or NAME.dsl)');
    return out;
}

export async function runImport({ values, positionals }: { values: Record<string, string | true>; positionals: string[] }, io: CliIo, load: Loader): Promise<number> {
    const format = choice('format', values.format, FORMATS, 'text');
    if (positionals.length > 0) throw new UsageError(`import takes no FILE arguments (got '${positionals[0]}'): name inputs with --dt, --sysfs, --lspci, --mcfg, --iort, --dmar`);
    const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
    const output = str('output');
    if (!output) throw new UsageError('import needs -o OUT');
    const inputs = ['dt', 'acpi', 'mcfg', 'madt', 'iort', 'dmar', 'dsdt', 'sysfs', 'lspci'].filter((k) => str(k) !== undefined);
    if (inputs.length === 0) throw new UsageError('import needs at least one input (--dt, --acpi, --mcfg, --madt, --iort, --dmar, --dsdt, --sysfs, --lspci)');
    if (str('sysfs') && str('lspci')) throw new UsageError('give either --sysfs or --lspci: both describe the fabric');
    if (str('dt') && ACPI_TABLES.some(([k]) => str(k))) throw new UsageError('give either --dt or ACPI tables: both describe the host bridges');
    const name = str('name') ?? platformNameFrom(output);
    if (!/^[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*$/.test(name)) throw new UsageError(`--name '${name}' is not a valid platform name (letters, digits, _ and single inner hyphens)`);
    const outAbs = path.resolve(io.cwd, output);
    if (fs.existsSync(outAbs) && !values.force) {
        io.stderr(`pciplat: ${output} exists; use --force to overwrite it\n`);
        return 2;
    }
    const abs = (f: string) => path.resolve(io.cwd, f);
    try {
        const sources: ImportSources = { name };
        const dt = str('dt');
        if (dt) {
            const bytes = readInput(dt, io);
            sources.deviceTree = { file: dt, text: isDtb(bytes) || dt.endsWith('.dtb') ? dtbToDts(abs(dt), dt) : textOf(bytes, dt, 'IMPORT-NOT-DTB') };
        }
        const sysfs = str('sysfs');
        if (sysfs) {
            let stat: fs.Stats;
            try {
                stat = fs.statSync(abs(sysfs));
            } catch (error) {
                io.stderr(`pciplat: cannot read ${sysfs}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}\n`);
                return 2;
            }
            if (!stat.isDirectory()) throw new ImportError('IMPORT-SYSFS-LAYOUT', sysfs, 0, 'a sysfs snapshot is a folder (see docs/import.md for the command that makes one)');
            sources.sysfs = folderSnapshot(abs(sysfs), sysfs);
        }
        const lspci = str('lspci');
        if (lspci) sources.facts = readLspci(textOf(readInput(lspci, io), lspci, 'IMPORT-LSPCI-SYNTAX'), lspci);
        const acpi: AcpiSources = {};
        const acpiDir = str('acpi');
        if (acpiDir) Object.assign(acpi, readAcpiFolder(acpiDir, io));
        for (const [option, signature] of ACPI_TABLES) {
            const file = str(option);
            if (file) acpi[option] = { file, text: acpiText(readInput(file, io), file, abs(file), signature) };
        }
        if (Object.keys(acpi).length > 0) sources.acpi = acpi;
        const result = importPlatform(sources);
        const ids = new PciIds();
        await ids.loadFirst(['/usr/share/misc/pci.ids', '/usr/share/hwdata/pci.ids', '/usr/share/pci.ids']);
        const text = printPlatform(result.platform, {
            comments: result.comments,
            header: [
                `Imported by pciplat import from ${inputs.map((k) => `--${k} ${str(k)}`).join(' ')}.`,
                'Addresses and bus numbers the machine had are written with `at` / secondary / subordinate; check the comments marked "unknown" and "assumed".',
            ],
            describe: (vendor, device, classCode) => {
                const parts = [ids.vendorName(vendor), ids.deviceName(vendor, device)].filter((p) => p !== undefined);
                const cls = ids.className(classCode);
                return parts.length > 0 || cls ? `${parts.join(' ')}${cls ? `${parts.length > 0 ? ', ' : ''}${cls}` : ''}` : undefined;
            },
        });
        writeAtomically(outAbs, text);
        const loaded = await load([outAbs]);
        const simulated = loaded.platforms.map((p) => simulate(p, {}).findings);
        const findings = collectFindings(result.notes.map((n) => noteFinding(n, io.cwd)), loaded.findings, ...simulated);
        printFindings(findings, format, io);
        return hasErrors(findings) ? 1 : 0;
    } catch (error) {
        if (error instanceof ImportError) {
            const f = finding(error.code, error.message, locOf(error.file, error.line, io.cwd));
            printFindings([f], format, io);
            return 1;
        }
        if (error instanceof ImportFailure) {
            io.stderr(`pciplat: ${error.message}\n`);
            return 2;
        }
        throw error;
    }
}

function locOf(file: string, line: number, cwd: string) {
    const loc = importLoc(pathToFileURL(path.resolve(cwd, file)).href, line);
    return loc;
}

function noteFinding(n: ImportNote, cwd: string): Finding {
    return finding(n.code, n.message, locOf(n.file, n.line, cwd));
}

function readInput(file: string, io: CliIo): Uint8Array {
    const p = path.resolve(io.cwd, file);
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
function writeAtomically(target: string, text: string): void {
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
    try {
        fs.writeFileSync(tmp, text, { flag: 'wx' });
        fs.renameSync(tmp, target);
    } catch (error) {
        fs.rmSync(tmp, { force: true });
        throw new ImportFailure(`cannot write ${path.basename(target)}: ${(error as NodeJS.ErrnoException).code ?? 'failed'}`);
    }
}

function printFindings(findings: Finding[], format: (typeof FORMATS)[number], io: CliIo): void {
    if (format === 'text') {
        io.stdout(formatFindingsText(findings, io.cwd));
        io.stderr(summaryLine(findings));
    } else if (format === 'json') io.stdout(stringifyJson(checkJson(findings, io.cwd)));
    else io.stdout(stringifyJson(sarifLog(findings, io.cwd)));
}
