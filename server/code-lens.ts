// Code lenses: "▶ Run simulation" on every platform and scenario (the client implements the
// command, see protocol.ts), what each scenario found in the background run, and summaries
// from the last result on host bridges (functions and findings) and domains (devices). Computed from the current AST and the last completed result;
// the server asks the client to refresh them when new results arrive.
import type { AstNode, LangiumDocument } from 'langium';
import { AstUtils, GrammarUtils } from 'langium';
import type { CodeLensProvider } from 'langium/lsp';
import type { CodeLens, CodeLensParams, Range } from 'vscode-languageserver';
import * as ast from '../language/generated/ast.js';
import type { ServerContext } from './context.js';
import { RUN_SIMULATION_COMMAND, type RunSimulationArgs } from './protocol.js';
import type { ScenarioOutcome } from '../src/engine/result.js';
import { allFunctions } from '../src/model/walk.js';
import { platformViews } from './view.js';

function nameRange(node: AstNode): Range | undefined {
    return (GrammarUtils.findNodeForProperty(node.$cstNode, 'name') ?? node.$cstNode)?.range;
}

function within(inner: Range, outer: Range): boolean {
    const before = (a: Range['start'], b: Range['start']) => a.line < b.line || (a.line === b.line && a.character <= b.character);
    return before(outer.start, inner.start) && before(inner.end, outer.end);
}

function plural(n: number, word: string): string {
    return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** What the background run (every written scenario is played, see simulate's everyScenario) found in one scenario. */
function scenarioSummary(name: string, outcome: ScenarioOutcome | undefined): string {
    if (!outcome) return `${name}: not simulated yet`;
    const counts = [plural(outcome.errors, 'error'), plural(outcome.warnings, 'warning'), ...(outcome.infos > 0 ? [plural(outcome.infos, 'note')] : [])];
    return outcome.errors + outcome.warnings + outcome.infos === 0 ? `${name}: plays without findings` : `${name}: ${counts.join(', ')}`;
}

/** A lens that only informs (clients show the title; the empty command does nothing). */
function info(range: Range, title: string): CodeLens {
    return { range, command: { title, command: '' } };
}

export class PciplatCodeLensProvider implements CodeLensProvider {
    constructor(private readonly context: ServerContext) {}

    provideCodeLens(document: LangiumDocument, _params: CodeLensParams): CodeLens[] {
        try {
            return this.lenses(document);
        } catch (error) {
            this.context.background?.log(`pciplat: code lenses failed: ${error instanceof Error ? error.message : String(error)}`);
            return [];
        }
    }

    private lenses(document: LangiumDocument): CodeLens[] {
        const root = document.parseResult?.value;
        if (!ast.isModel(root)) return [];
        const uri = document.uri.toString();
        const lenses: CodeLens[] = [];
        const diagnostics = this.context.hub?.merged(uri) ?? document.diagnostics ?? [];
        for (const element of root.elements) {
            if (ast.isPlatform(element) && element.name) {
                const range = nameRange(element);
                if (range) lenses.push(this.run(range, { uri, platform: element.name }));
                const outcomes = element.scenarios.length === 0 ? undefined : platformViews(element, this.context.background?.store, (p) => p.name === element.name, 1)[0]?.entry?.result.scenarios;
                for (const scenario of element.scenarios) {
                    const r = nameRange(scenario);
                    if (!r || !scenario.name) continue;
                    lenses.push(this.run(r, { uri, platform: element.name, scenario: scenario.name }, `▶ Run scenario ${scenario.name}`));
                    lenses.push(info(r, scenarioSummary(scenario.name, outcomes?.find((o) => o.name === scenario.name))));
                }
            }
        }
        for (const hb of AstUtils.streamAst(root).filter(ast.isHostBridge)) {
            const range = nameRange(hb);
            if (!range || !hb.name) continue;
            const view = platformViews(hb, this.context.background?.store, (p) => p.hostBridges.some((h) => h.name === hb.name), 1)[0];
            const model = view?.platform.hostBridges.find((h) => h.name === hb.name);
            const declared = model ? allFunctions(model.functions) : [];
            const names = new Set(declared.map((f) => f.name));
            const enumerated = view?.entry?.result.functions.filter((f) => names.has(f.name) || names.has(f.name.replace(/\.vf\[\d+\]$/, ''))).length;
            const hbRange = hb.$cstNode?.range;
            const findings = hbRange ? diagnostics.filter((d) => within(d.range, hbRange)) : [];
            const errors = findings.filter((d) => d.severity === 1).length;
            const functions = enumerated !== undefined ? plural(enumerated, 'function') : `${plural(declared.length, 'function')} declared`;
            const findingText = findings.length === 0 ? 'no findings' : `${plural(findings.length, 'finding')}${errors > 0 ? ` (${plural(errors, 'error')})` : ''}`;
            lenses.push(info(range, `${functions} · ${findingText}${view?.entry ? '' : ' · not simulated yet'}`));
        }
        for (const domain of AstUtils.streamAst(root).filter((n): n is ast.XenDomain | ast.KvmVm => ast.isXenDomain(n) || ast.isKvmVm(n))) {
            const range = nameRange(domain);
            if (!range || !domain.name) continue;
            const devices = domain.assignments.map((a) => (a.device.vf !== undefined ? `${a.device.function?.$refText}.vf[${a.device.vf}]` : (a.device.function?.$refText ?? '?')));
            const view = platformViews(domain, this.context.background?.store, () => true, 1)[0];
            const resultOf = (d: string) => view?.entry?.result.functions.find((r) => r.name === d);
            // A device the domain was refused is not its device: marked, and counted apart.
            const refused = new Set(devices.filter((d) => resultOf(d)?.refused?.some((r) => r.domain === domain.name)));
            const shown = devices.slice(0, 4).map((d) => {
                const f = resultOf(d);
                const text = f && f.bus !== undefined ? `${d} ${f.bus.toString(16).padStart(2, '0')}:${f.device.toString(16).padStart(2, '0')}.${f.fn.toString(16)}` : d;
                return refused.has(d) ? `${text} (refused)` : text;
            });
            const more = devices.length > shown.length ? `, +${devices.length - shown.length}` : '';
            const count = refused.size > 0 ? `${plural(devices.length - refused.size, 'device')} assigned, ${refused.size} refused` : plural(devices.length, 'device');
            lenses.push(info(range, devices.length === 0 ? 'no devices assigned' : `${count}: ${shown.join(', ')}${more}`));
        }
        return lenses;
    }

    private run(range: Range, args: RunSimulationArgs, title = '▶ Run simulation'): CodeLens {
        return { range, command: { title, command: RUN_SIMULATION_COMMAND, arguments: [args] } };
    }
}
