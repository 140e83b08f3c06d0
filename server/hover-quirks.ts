// The hover's lines about a function's IOMMU group and the quirks behind it: which of Linux's
// ID-keyed quirks apply and why, a written quirk replacing them, and a group that depends on an
// ACS the description does not give (`acs unknown`).
import type { FunctionResult } from '../src/engine/result.js';

export function groupAndQuirkLines(own: FunctionResult): string[] {
    const lines: string[] = [];
    if (own.group !== null) lines.push(`IOMMU group ${own.group}`);
    else if (own.noGroup) lines.push(`no IOMMU group: ${own.noGroup}`);
    for (const u of own.acsUnknown ?? []) {
        lines.push(`⚠ the group of ${own.name} depends on the ACS of ${u}, which the description does not give (\`acs unknown\`): computed as if ${u} had no ACS capability`);
    }
    const quirks = own.quirks ?? [];
    if (quirks.length > 0) {
        lines.push('', 'Quirks in effect:');
        for (const q of quirks) lines.push(q.source === 'written' ? `- \`quirk ${q.effect}\` — ${q.why}` : `- \`${q.effect}\` from Linux's \`${q.linux}\` — ${q.why}`);
    }
    return lines;
}
