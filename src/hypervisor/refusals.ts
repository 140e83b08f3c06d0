// Devices a domain was configured to get and did not: which domain refused them and the finding
// that says why, so that the editor never shows a refused device as the domain's (the hover
// names the failure; the domain's lens marks it refused). Recorded where a domain's devices are
// attached (xl create / hot-plug, QEMU start / device_add), from the findings that attach reported.
import type { Finding } from '../findings/finding.js';
import type { SourceLoc } from '../model/source.js';
import type { DomainState, HvState } from './state.js';

/** One refused assignment: the domain and the finding that explains it (absent when none was reported). */
export interface Refusal {
    domain: string;
    code?: string;
    message: string;
    loc?: SourceLoc;
}

function escaped(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The finding that explains why `device` was refused: one reported by this attach that names it
 * (else the only one reported). When that one is a note about an earlier fault (a device add that
 * failed: one cause, one finding), the fault itself, reported earlier at the device.
 */
function reasonFor(all: readonly Finding[], before: number, device: string, at: SourceLoc): Finding | undefined {
    const named = new RegExp(`(^|[^\\w.\\[])${escaped(device)}($|[^\\w\\[])`);
    const fresh = all.slice(before);
    const found = fresh.find((f) => f.severity !== 'info' && named.test(f.message)) ?? fresh.find((f) => named.test(f.message)) ?? (fresh.length === 1 ? fresh[0] : undefined);
    if (found?.severity !== 'info') return found;
    const sameLoc = (loc: SourceLoc | undefined) => loc !== undefined && loc.uri === at.uri && loc.start.line === at.start.line && loc.start.character === at.start.character;
    return all.slice(0, before).find((f) => f.severity !== 'info' && sameLoc(f.loc)) ?? found;
}

/**
 * After `d` tried to attach `devices`: each one it does not hold is refused by `d`, for the reason
 * among the findings reported since `before`; each one it holds is no longer refused by it.
 */
export function recordRefusals(state: HvState, d: DomainState, devices: readonly string[], before: number): void {
    for (const device of devices) {
        const f = state.fn(device);
        if (!f) continue;
        const others = (f.refused ?? []).filter((r) => r.domain !== d.name);
        if (d.attached.has(device)) {
            f.refused = others.length > 0 ? others : undefined;
            continue;
        }
        const reason = reasonFor(state.findings, before, device, f.fn.loc);
        const refusal: Refusal = reason
            ? { domain: d.name, code: reason.code, message: reason.message, loc: reason.loc }
            : (f.refused ?? []).find((r) => r.domain === d.name) ?? { domain: d.name, message: `${d.name} did not get ${device}` };
        f.refused = [...others, refusal];
    }
}
