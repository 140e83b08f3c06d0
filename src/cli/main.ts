// The pciplat command line. Editor-independent: parsing is the loader's job (src/cli/frontend.ts),
// which the entry point (language/cli-entry.ts) wires to the Langium front end, and all output
// goes through CliIo, so tests run the CLI in-process.
//
// Exit status: 0 no error findings, 1 error findings, 2 bad usage, unreadable input or internal
// failure. Every failure is one line on stderr, never a stack trace.
import * as path from 'node:path';
import { hasErrors, type Finding } from '../findings/finding.js';
import type { Profile } from '../model/platform.js';
import { PROFILES } from '../engine/profile.js';
import { simulate } from '../engine/simulate.js';
import { choice, parseArgs, UsageError, wantsHelp, type OptionSpecs } from './args.js';
import { collectFindings, withoutConsequences } from './findings.js';
import type { LoadedInput, Loader } from './frontend.js';
import { checkJson, simulationJson, stringifyJson } from './format-json.js';
import { sarifLog } from './format-sarif.js';
import { formatFindingsText, formatSimulationText, summaryLine } from './format-text.js';
import { IMPORT_HELP, IMPORT_OPTIONS, runImport } from './import-command.js';
import { agrees, compareGroups, declaredIdsOf } from '../compare/groups.js';
import { compareJson, formatCompareText } from './format-compare.js';
import { readRealGroups } from './real-groups.js';
import { CHECK_HELP, COMPARE_FORMATS, COMPARE_HELP, EXPORT_HELP, FORMATS, HELP_HELP, SIMULATE_HELP, TOP_HELP, type Format } from './help.js';
import { EXPORT_OPTIONS, runExport } from './export-command.js';
import { choosePlatform, CliFailure, loadFiles, names, readableDetail } from './input.js';
import { VERSION } from './version.js';

export interface CliIo {
    /** Writes `text` as is (the CLI ends every line with a newline). */
    stdout(text: string): void;
    stderr(text: string): void;
    /** The directory relative FILE arguments are resolved against and printed paths are relative to. */
    cwd: string;
}

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_FAILURE = 2;

interface Command {
    help: string;
    options: OptionSpecs;
    run(args: { values: Record<string, string | true>; positionals: string[] }, io: CliIo, load: Loader): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
    check: {
        help: CHECK_HELP,
        options: { format: { type: 'string' }, profile: { type: 'string' } },
        run: runCheck,
    },
    simulate: {
        help: SIMULATE_HELP,
        options: { format: { type: 'string' }, profile: { type: 'string' }, scenario: { type: 'string' }, platform: { type: 'string' } },
        run: runSimulate,
    },
    import: { help: IMPORT_HELP, options: IMPORT_OPTIONS, run: runImport },
    compare: {
        help: COMPARE_HELP,
        options: { format: { type: 'string' }, platform: { type: 'string' } },
        run: runCompare,
    },
    export: {
        help: EXPORT_HELP,
        options: EXPORT_OPTIONS,
        run: runExport,
    },
    help: {
        help: HELP_HELP,
        options: {},
        run: async ({ positionals }, io) => {
            if (positionals.length > 1) throw new UsageError('help takes at most one COMMAND');
            const name = positionals[0];
            if (name === undefined) io.stdout(TOP_HELP);
            else io.stdout(commandNamed(name).help);
            return EXIT_OK;
        },
    },
};

function commandNamed(name: string): Command {
    if (!Object.prototype.hasOwnProperty.call(COMMANDS, name)) {
        throw new UsageError(`unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')})`);
    }
    return COMMANDS[name]!;
}

/** Runs `pciplat ARGV...` (argv without node and script) and returns the exit status. */
export async function runCli(argv: string[], io: CliIo, load: Loader): Promise<number> {
    let command: string | undefined;
    try {
        const first = argv[0];
        if (first === undefined) {
            io.stderr(TOP_HELP);
            return EXIT_FAILURE;
        }
        if (first.startsWith('-')) {
            const { values, positionals } = parseArgs(argv, { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'V' } });
            if (values.help) {
                io.stdout(TOP_HELP);
                return EXIT_OK;
            }
            if (values.version) {
                io.stdout(`pciplat ${VERSION}\n`);
                return EXIT_OK;
            }
            throw new UsageError(`expected a command before '${positionals[0] ?? first}'`);
        }
        const cmd = commandNamed(first);
        command = first;
        const rest = argv.slice(1);
        if (wantsHelp(rest)) {
            io.stdout(cmd.help);
            return EXIT_OK;
        }
        return await cmd.run(parseArgs(rest, cmd.options), io, load);
    } catch (error) {
        if (error instanceof UsageError) {
            io.stderr(`pciplat: ${error.message} (see 'pciplat ${command ? `${command} ` : ''}--help')\n`);
            return EXIT_FAILURE;
        }
        if (error instanceof CliFailure) {
            io.stderr(error.lines.map((line) => `pciplat: ${line}\n`).join(''));
            return EXIT_FAILURE;
        }
        io.stderr(`pciplat: internal error: ${oneLine(error)}\n`);
        return EXIT_FAILURE;
    }
}

function oneLine(error: unknown): string {
    let message: string;
    if (error instanceof Error) message = error.message || error.name;
    else {
        try {
            message = String(error);
        } catch {
            message = 'unknown failure';
        }
    }
    const first = message.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
    return first.trim() || 'unknown failure';
}

// --- shared steps ------------------------------------------------------------------------------

function formatOption(values: Record<string, string | true>): Format {
    return choice('format', values.format, FORMATS, 'text');
}

function profileOption(values: Record<string, string | true>): Profile | undefined {
    return choice('profile', values.profile, PROFILES);
}

function printFindings(findings: Finding[], format: Format, io: CliIo): void {
    if (format === 'text') {
        io.stdout(formatFindingsText(findings, io.cwd));
        io.stderr(summaryLine(findings));
    } else if (format === 'json') io.stdout(stringifyJson(checkJson(findings, io.cwd)));
    else io.stdout(stringifyJson(sarifLog(findings, io.cwd)));
}

function status(findings: readonly Finding[]): number {
    return hasErrors(findings) ? EXIT_FINDINGS : EXIT_OK;
}

// --- check -------------------------------------------------------------------------------------

async function runCheck({ values, positionals }: { values: Record<string, string | true>; positionals: string[] }, io: CliIo, load: Loader): Promise<number> {
    const format = formatOption(values);
    const profile = profileOption(values);
    if (positionals.length === 0) throw new UsageError('check needs at least one FILE');
    const input = await loadFiles(positionals, io, load);
    const simulated = input.platforms.map((platform) => withoutConsequences(input.findings, simulate(platform, { profile, everyScenario: true }).findings));
    const findings = collectFindings(input.findings, ...simulated);
    printFindings(findings, format, io);
    return status(findings);
}

// --- simulate ----------------------------------------------------------------------------------

async function runSimulate({ values, positionals }: { values: Record<string, string | true>; positionals: string[] }, io: CliIo, load: Loader): Promise<number> {
    const format = formatOption(values);
    const profile = profileOption(values);
    const scenario = typeof values.scenario === 'string' ? values.scenario : undefined;
    const wanted = typeof values.platform === 'string' ? values.platform : undefined;
    if (positionals.length === 0) throw new UsageError('simulate needs a FILE');
    if (positionals.length > 1) throw new UsageError(`simulate takes one FILE (got ${positionals.length})`);
    const file = positionals[0]!;
    const input = await loadFiles([file], io, load);
    if (input.platforms.length === 0 && input.findings.some((f) => f.code === 'LANG-SYNTAX')) {
        // A file with syntax errors is not simulated (its partial nodes would only give findings
        // about what is missing): its findings are the answer, as `check` prints them.
        const findings = collectFindings(input.findings);
        printFindings(findings, format, io);
        io.stderr(`pciplat: ${file} has syntax errors, so it was not simulated`);
        return EXIT_FINDINGS;
    }
    const platform = choosePlatform(file, input.platforms, wanted, input.findings);
    if (scenario !== undefined && !platform.scenarios.some((s) => s.name === scenario)) {
        const known = platform.scenarios.length === 0 ? 'it declares no scenarios' : `its scenarios: ${names(platform.scenarios)}`;
        throw new CliFailure(`platform ${platform.name} has no scenario '${scenario}'; ${known}`);
    }
    const result = simulate(platform, { profile, scenario });
    const findings = collectFindings(input.findings, withoutConsequences(input.findings, result.findings));
    if (format === 'text') {
        io.stdout(formatSimulationText(result, findings, io.cwd, { scenario }));
        io.stderr(summaryLine(findings));
    } else if (format === 'json') io.stdout(stringifyJson(simulationJson(result, findings, io.cwd, { scenario })));
    else io.stdout(stringifyJson(sarifLog(findings, io.cwd)));
    return status(findings);
}

// --- compare -----------------------------------------------------------------------------------

async function runCompare({ values, positionals }: { values: Record<string, string | true>; positionals: string[] }, io: CliIo, load: Loader): Promise<number> {
    const format = choice('format', values.format, COMPARE_FORMATS, 'text');
    const wanted = typeof values.platform === 'string' ? values.platform : undefined;
    if (positionals.length !== 2) throw new UsageError(`compare needs a PLATFORM file and the REAL machine's groups (got ${positionals.length} argument${positionals.length === 1 ? '' : 's'})`);
    const [file, realFile] = positionals as [string, string];
    const input = await loadFiles([file], io, load);
    const platform = choosePlatform(file, input.platforms, wanted, input.findings);
    let real;
    try {
        real = await readRealGroups(path.resolve(io.cwd, realFile));
    } catch (error) {
        throw new CliFailure(`cannot read ${realFile}: ${readableDetail(error instanceof Error ? error.message : String(error))}`);
    }
    if (real.findings.length > 0) {
        io.stderr(formatFindingsText(real.findings, io.cwd));
        io.stderr(`pciplat: ${realFile} is not a usable listing of IOMMU groups; nothing compared\n`);
        return EXIT_FAILURE;
    }
    const errors = input.findings.filter((f) => f.severity === 'error').length;
    if (errors > 0) io.stderr(`pciplat: warning: ${file} has ${errors} error${errors === 1 ? '' : 's'}, so the prediction may be off (run 'pciplat check ${file}')\n`);
    const comparison = compareGroups(simulate(platform), real, declaredIdsOf(platform));
    io.stdout(format === 'json' ? stringifyJson(compareJson(comparison, file, realFile, io.cwd)) : formatCompareText(comparison, file, realFile));
    return agrees(comparison) ? EXIT_OK : EXIT_FINDINGS;
}
