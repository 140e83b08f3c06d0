// `pciplat import`: the command layer. The sources are read and printed by import-sources.ts
// (shared with the language server's pciplat/import), written to a temporary file beside OUT and
// renamed into place (so OUT is either the old file or the whole new one), then checked as
// `pciplat check` would.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hasErrors, type Finding } from '../findings/finding.js';
import { ImportError } from '../import/errors.js';
import { simulate } from '../engine/simulate.js';
import { UsageError, choice, type OptionSpecs } from './args.js';
import { collectFindings } from './findings.js';
import type { Loader } from './frontend.js';
import { checkJson, stringifyJson } from './format-json.js';
import { sarifLog } from './format-sarif.js';
import { formatFindingsText, summaryLine } from './format-text.js';
import { FORMATS } from './help.js';
import { IMPORT_INPUTS, ImportFailure, importErrorFinding, importInputsProblem, importText, isPlatformName, platformNameFrom, writeAtomically, type ImportInputs } from './import-sources.js';
import type { CliIo } from './main.js';

export { platformNameFrom } from './import-sources.js';

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
    ivrs: { type: 'string' },
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
  --sysfs DIR    a sysfs snapshot (bus/pci/devices/*/config, resource, driver, iommu_group),
                 or a tarball of one (.tar, .tar.gz)
  --lspci FILE   the output of 'lspci -vvv -nn' as root (with -xxxx hex blocks: most exact)
  --acpi DIR     ACPI tables as copied from /sys/firmware/acpi/tables (MCFG, APIC, IORT, DMAR,
                 DSDT, IVRS; binary, read through iasl) or their iasl -d disassemblies (MCFG.dsl, ...)
  --mcfg FILE, --madt FILE, --iort FILE, --dmar FILE, --dsdt FILE, --ivrs FILE
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

export async function runImport({ values, positionals }: { values: Record<string, string | true>; positionals: string[] }, io: CliIo, load: Loader): Promise<number> {
    const format = choice('format', values.format, FORMATS, 'text');
    if (positionals.length > 0) throw new UsageError(`import takes no FILE arguments (got '${positionals[0]}'): name inputs with --dt, --sysfs, --lspci, --mcfg, --iort, --dmar`);
    const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
    const output = str('output');
    if (!output) throw new UsageError('import needs -o OUT');
    const inputs: ImportInputs = {};
    for (const k of IMPORT_INPUTS) if (str(k) !== undefined) inputs[k] = str(k);
    const problem = importInputsProblem(inputs);
    if (problem) throw new UsageError(problem);
    const name = str('name') ?? platformNameFrom(output);
    if (!isPlatformName(name)) throw new UsageError(`--name '${name}' is not a valid platform name (letters, digits, _ and single inner hyphens)`);
    const outAbs = path.resolve(io.cwd, output);
    if (fs.existsSync(outAbs) && !values.force) {
        io.stderr(`pciplat: ${output} exists; use --force to overwrite it\n`);
        return 2;
    }
    try {
        const { text, notes } = await importText(inputs, name, io.cwd);
        writeAtomically(outAbs, text);
        const loaded = await load([outAbs]);
        const simulated = loaded.platforms.map((p) => simulate(p, {}).findings);
        const findings = collectFindings(notes, loaded.findings, ...simulated);
        printFindings(findings, format, io);
        return hasErrors(findings) ? 1 : 0;
    } catch (error) {
        if (error instanceof ImportError) {
            printFindings([importErrorFinding(error, io.cwd)], format, io);
            return 1;
        }
        if (error instanceof ImportFailure) {
            io.stderr(`pciplat: ${error.message}\n`);
            return 2;
        }
        throw error;
    }
}

function printFindings(findings: Finding[], format: (typeof FORMATS)[number], io: CliIo): void {
    if (format === 'text') {
        io.stdout(formatFindingsText(findings, io.cwd));
        io.stderr(summaryLine(findings));
    } else if (format === 'json') io.stdout(stringifyJson(checkJson(findings, io.cwd)));
    else io.stdout(stringifyJson(sarifLog(findings, io.cwd)));
}
