// `pciplat export FORMAT FILE`: simulate one platform and write what users deploy or diff
// against the real machine (src/export/, one file per format). A platform with error findings
// is not exported unless --force (the findings go to stderr either way); a guest that does not
// exist or a format that does not apply is a usage error naming what exists.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hasErrors } from '../findings/finding.js';
import { simulate } from '../engine/simulate.js';
import { PROFILES } from '../engine/profile.js';
import { chooseGuest, EXPORTERS, exporterNamed, ExportUsageError } from '../export/exporter.js';
import { PciIds, SYSTEM_PCI_IDS_PATHS } from '../pci-ids/index.js';
import { choice, UsageError } from './args.js';
import { collectFindings } from './findings.js';
import { formatFindingsText, summaryLine } from './format-text.js';
import type { Loader } from './frontend.js';
import { choosePlatform, CliFailure, loadFiles, type InputIo } from './input.js';

export interface ExportIo extends InputIo {
    stdout(text: string): void;
    stderr(text: string): void;
}

export const EXPORT_OPTIONS = {
    platform: { type: 'string' },
    domain: { type: 'string' },
    vm: { type: 'string' },
    output: { type: 'string', short: 'o' },
    force: { type: 'boolean' },
    profile: { type: 'string' },
    'pci-ids': { type: 'string' },
} as const;

async function pciNames(file: string | undefined, cwd: string): Promise<PciIds> {
    const names = new PciIds();
    if (file === undefined) await names.loadFirst(SYSTEM_PCI_IDS_PATHS);
    else if (!(await names.loadFirst([path.resolve(cwd, file)]))) throw new CliFailure(`cannot read the PCI ID database ${file} (--pci-ids)`);
    return names;
}

export async function runExport({ values, positionals }: { values: Record<string, string | true>; positionals: string[] }, io: ExportIo, load: Loader): Promise<number> {
    const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
    const [format, file, ...extra] = positionals;
    if (format === undefined) throw new UsageError(`export needs a FORMAT (${EXPORTERS.map((e) => e.format).join(', ')}) and a FILE`);
    const exporter = exporterNamed(format);
    if (!exporter) throw new UsageError(`unknown export format '${format}' (formats: ${EXPORTERS.map((e) => e.format).join(', ')})`);
    if (file === undefined) throw new UsageError('export needs a FILE after the FORMAT');
    if (extra.length > 0) throw new UsageError(`export takes one FORMAT and one FILE (got ${positionals.length} arguments)`);
    if (str('domain') !== undefined && str('vm') !== undefined) throw new UsageError('give --domain (a Xen domain) or --vm (a KVM VM), not both');
    const profile = choice('profile', values.profile, PROFILES);

    const input = await loadFiles([file], io, load);
    const platform = choosePlatform(file, input.platforms, str('platform'), input.findings);
    const result = simulate(platform, { profile });
    let guest;
    try {
        guest = chooseGuest(exporter, platform, result, { domain: str('domain'), vm: str('vm') });
    } catch (error) {
        if (error instanceof ExportUsageError) throw new CliFailure(error.message);
        throw error;
    }
    const findings = collectFindings(input.findings, result.findings);
    if (findings.length > 0) io.stderr(formatFindingsText(findings, io.cwd) + summaryLine(findings));
    const errors = hasErrors(findings);
    if (errors && !values.force) {
        io.stderr(`pciplat: platform ${platform.name} has error findings; nothing exported (--force exports it anyway)\n`);
        return 1;
    }
    const text = exporter.render({ platform, result, names: await pciNames(str('pci-ids'), io.cwd), guest });
    const out = str('output');
    if (out === undefined || out === '-') io.stdout(text);
    else {
        try {
            fs.writeFileSync(path.resolve(io.cwd, out), text);
        } catch (error) {
            throw new CliFailure(`cannot write ${out}: ${error instanceof Error ? error.message : String(error)}`);
        }
    }
    return errors ? 1 : 0;
}
