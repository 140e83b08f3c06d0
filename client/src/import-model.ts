// The VS Code-free half of "pciplat: Import platform…": the kinds of source a user picks (and the
// dialog each needs), the picked files → pciplat/import params (single ACPI tables told apart by
// their file names), the file name to suggest for the output, and the server's answer → the
// Problems panel's entries for the sources and the notification. Plain data, so it is
// unit-tested without VS Code (test/extension/import-model.test.ts).
import type { ImportParams, ImportResult, SourceRange } from './protocol.js';

export const IMPORT_COMMAND = 'pciplat.importPlatform';

/** The `source` of every import diagnostic (what the Problems panel shows next to the code). */
export const IMPORT_SOURCE = 'pciplat import';

export type SourceKind = 'dt' | 'acpi' | 'tables' | 'sysfs' | 'sysfs-tarball' | 'lspci';

export interface SourceKindInfo {
    kind: SourceKind;
    label: string;
    description: string;
    /** The open dialog: a folder, or files (several only for single ACPI tables). */
    folder: boolean;
    many: boolean;
    filters?: Record<string, string[]>;
}

export const SOURCE_KINDS: readonly SourceKindInfo[] = [
    { kind: 'dt', label: '$(file-code) Device tree', description: '.dts source, or a .dtb (read through dtc)', folder: false, many: false, filters: { 'Device tree': ['dts', 'dtb'], 'All files': ['*'] } },
    { kind: 'acpi', label: '$(folder) ACPI tables folder', description: 'cp -r /sys/firmware/acpi/tables ACPI/ (binary), or iasl -d disassemblies NAME.dsl', folder: true, many: false },
    { kind: 'tables', label: '$(files) Single ACPI tables', description: 'MCFG, APIC (MADT), IORT, DMAR, DSDT, IVRS: binary or .dsl, named by signature', folder: false, many: true },
    { kind: 'sysfs', label: '$(folder) sysfs snapshot folder', description: 'the most exact fabric: config bytes, resources, real groups (docs/import.md)', folder: true, many: false },
    { kind: 'sysfs-tarball', label: '$(file-zip) sysfs snapshot tarball', description: 'the snapshot folder as tar czf made it (.tgz, .tar.gz, .tar)', folder: false, many: false, filters: { 'Tarball': ['tgz', 'gz', 'tar'], 'All files': ['*'] } },
    { kind: 'lspci', label: '$(list-flat) lspci listing', description: 'sudo lspci -vvv -nn (with -xxxx: most exact)', folder: false, many: false, filters: { 'Text': ['txt', 'log'], 'All files': ['*'] } },
];

/** The single-table params, by the table signature a file name starts with. */
const TABLE_NAMES: [RegExp, 'mcfg' | 'madt' | 'iort' | 'dmar' | 'dsdt' | 'ivrs'][] = [
    [/^mcfg/i, 'mcfg'],
    [/^(apic|madt)/i, 'madt'],
    [/^iort/i, 'iort'],
    [/^dmar/i, 'dmar'],
    [/^dsdt/i, 'dsdt'],
    [/^ivrs/i, 'ivrs'],
];

export interface PickedSource {
    kind: SourceKind;
    /** file: URIs. */
    uris: string[];
}

function baseName(uri: string): string {
    const p = uri.replace(/\/+$/, '');
    return decodeURIComponent(p.slice(p.lastIndexOf('/') + 1));
}

/** The params for the picked sources and output, or the reason they do not go together. */
export function importParamsOf(picked: readonly PickedSource[], output: string, force = false): { params: ImportParams } | { problem: string } {
    const params: ImportParams = { output, ...(force ? { force: true } : {}) };
    for (const p of picked) {
        if (p.kind === 'sysfs-tarball' || p.kind === 'sysfs') {
            // A folder or a tarball: both are the `sysfs` input.
            if (params.sysfs && p.uris[0]) return { problem: 'pick one sysfs snapshot: a folder or a tarball' };
            if (p.uris[0]) params.sysfs = p.uris[0];
            continue;
        }
        if (p.kind !== 'tables') {
            if (p.uris[0]) params[p.kind] = p.uris[0];
            continue;
        }
        for (const uri of p.uris) {
            const option = TABLE_NAMES.find(([re]) => re.test(baseName(uri)))?.[1];
            if (!option) return { problem: `${baseName(uri)} is not named for an ACPI table the import reads (MCFG, APIC, IORT, DMAR, DSDT or IVRS, optionally .dsl or .dat)` };
            if (params[option]) return { problem: `two ${option.toUpperCase()} tables picked: ${baseName(params[option]!)} and ${baseName(uri)}` };
            params[option] = uri;
        }
    }
    const firmware = params.dt !== undefined;
    const tables = params.acpi !== undefined || TABLE_NAMES.some(([, o]) => params[o] !== undefined);
    if (!firmware && !tables && params.sysfs === undefined && params.lspci === undefined) return { problem: 'pick at least one source' };
    if (params.sysfs && params.lspci) return { problem: 'pick either a sysfs snapshot or an lspci listing: both describe the PCI fabric' };
    if (firmware && tables) return { problem: 'pick either a device tree or ACPI tables: both describe the host bridges' };
    return { params };
}

/** The output's suggested file name: from the device tree's or the first source's name. */
export function suggestedOutputName(picked: readonly PickedSource[]): string {
    const first = picked.find((p) => p.kind === 'dt') ?? picked.find((p) => p.kind !== 'tables') ?? picked[0];
    const name = first?.uris[0] ? baseName(first.uris[0]).replace(/\.[^.]*$/, '') : '';
    const safe = name.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^[-_]+|[-_]+$/g, '');
    return `${safe && !/^(sysfs|acpi|tables|lspci)$/i.test(safe) ? safe : 'platform'}.pciplat`;
}

export interface ImportDiagnostic {
    range: SourceRange['range'];
    severity: 'error' | 'warning' | 'info';
    code: string;
    message: string;
}

/**
 * Diagnostics by source URI: the import's findings in the files it read. Findings in the written
 * platform are left out: the server publishes those itself once it is open.
 */
export function importDiagnostics(result: ImportResult): Map<string, ImportDiagnostic[]> {
    const byUri = new Map<string, ImportDiagnostic[]>();
    for (const f of result.findings) {
        if (!f.uri || f.uri === result.uri) continue;
        const range = f.loc?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
        const list = byUri.get(f.uri) ?? [];
        list.push({ range, severity: f.severity, code: f.code, message: f.message });
        byUri.set(f.uri, list);
    }
    return byUri;
}

export interface ImportOutcome {
    level: 'info' | 'warning' | 'error';
    message: string;
    /** The source line to offer ("Open Source"): the first error's, else the first remark's. */
    source?: { uri: string; range: SourceRange['range'] };
}

/** The notification after an import. */
export function importOutcome(result: ImportResult): ImportOutcome {
    const inSources = result.findings.filter((f) => f.uri && f.uri !== result.uri && f.loc);
    const first = inSources.find((f) => f.severity === 'error') ?? inSources[0];
    const source = first?.loc ? { uri: first.loc.uri, range: first.loc.range } : undefined;
    const level = result.uri === null || result.errors > 0 ? 'error' : result.findings.length > 0 ? 'warning' : 'info';
    return { level, message: `pciplat: ${result.message}`, ...(source ? { source } : {}) };
}
