// SARIF 2.1.0 for code-scanning services and editors' SARIF viewers: one run, tool.driver
// "pciplat" with one rule per code that occurs (sorted by code), one result per finding.
// Artifact URIs are relative URI references to the working directory (no uriBaseId), or the
// absolute `file:` URI for files outside it. Regions are 1-based, end column exclusive, columns
// in UTF-16 code units (run.columnKind says so).
import type { Finding, RelatedLoc, Severity } from '../findings/finding.js';
import { CODES } from '../findings/codes.js';
import type { SourceLoc } from '../model/source.js';
import type { JsonObject } from './format-json.js';
import { artifactUri } from './paths.js';
import { VERSION } from './version.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export type SarifLevel = 'error' | 'warning' | 'note';

export function sarifLevel(severity: Severity): SarifLevel {
    return severity === 'info' ? 'note' : severity;
}

function physicalLocation(loc: SourceLoc, cwd: string): JsonObject {
    return {
        artifactLocation: { uri: artifactUri(loc.uri, cwd) },
        region: {
            startLine: loc.start.line + 1,
            startColumn: loc.start.character + 1,
            endLine: loc.end.line + 1,
            endColumn: loc.end.character + 1,
        },
    };
}

function relatedLocation(r: RelatedLoc, id: number, cwd: string): JsonObject {
    return { id, physicalLocation: physicalLocation(r.loc, cwd), message: { text: r.message } };
}

function rule(code: string): JsonObject {
    const info = (CODES as Record<string, (typeof CODES)[keyof typeof CODES] | undefined>)[code];
    const descriptor: JsonObject = { id: code };
    if (info) {
        descriptor.shortDescription = { text: info.title };
        descriptor.fullDescription = { text: info.why };
        descriptor.defaultConfiguration = { level: sarifLevel(info.severity) };
    }
    return descriptor;
}

/** The SARIF log for `findings` (already de-duplicated and sorted). */
export function sarifLog(findings: readonly Finding[], cwd: string): JsonObject {
    const codes = [...new Set(findings.map((f) => f.code as string))].sort();
    const ruleIndex = new Map(codes.map((code, index) => [code, index]));
    const results = findings.map((f): JsonObject => {
        const result: JsonObject = {
            ruleId: f.code,
            ruleIndex: ruleIndex.get(f.code)!,
            level: sarifLevel(f.severity),
            message: { text: f.message },
        };
        if (f.loc) result.locations = [{ physicalLocation: physicalLocation(f.loc, cwd) }];
        if (f.related.length > 0) result.relatedLocations = f.related.map((r, id) => relatedLocation(r, id, cwd));
        if (f.scenario !== undefined || f.step !== undefined) result.properties = { ...(f.scenario !== undefined ? { scenario: f.scenario } : {}), ...(f.step !== undefined ? { step: f.step } : {}) };
        return result;
    });
    return {
        $schema: SARIF_SCHEMA,
        version: '2.1.0',
        runs: [
            {
                tool: { driver: { name: 'pciplat', version: VERSION, semanticVersion: VERSION, rules: codes.map(rule) } },
                columnKind: 'utf16CodeUnits',
                results,
            },
        ],
    };
}
