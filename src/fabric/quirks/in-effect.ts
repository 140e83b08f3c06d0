// Every quirk in effect on a function, as the user is shown it (hover, topology view, JSON):
// the ones written in the platform, Linux's ID-keyed fixups, and the answer of Linux's ACS table.
import type { FabricFunction } from '../topology.js';
import type { AcsQuirkAnswer } from './acs-quirks.js';
import type { AppliedQuirk } from './apply.js';
import { deviceIds, idText } from './device-ids.js';

export function quirksInEffect(f: FabricFunction, acs: AcsQuirkAnswer | undefined): AppliedQuirk[] {
    const out: AppliedQuirk[] = [];
    if (!f.isVf) {
        for (const q of f.decl.quirks) {
            const effect = q.kind === 'dma-alias' ? `dma-alias ${q.device.toString(16).padStart(2, '0')}.${q.fn.toString(16)}` : q.kind === 'phantom' ? `phantom ${q.count}` : q.kind;
            out.push({ source: 'written', linux: q.kind, effect, why: 'written in the platform (it replaces the Linux table for its kind)' });
        }
    }
    for (const x of f.fixups ?? []) out.push({ source: x.source, linux: x.linux, effect: x.effect, why: x.why });
    if (acs) out.push({ source: 'table', linux: acs.linux, effect: acs.isolated ? 'acs-isolated' : 'no-acs', why: `Linux's ${acs.linux} matches ${idText(deviceIds(f))}: ${acs.why}` });
    return out;
}
