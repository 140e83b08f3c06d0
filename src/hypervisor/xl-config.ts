// What the Xen toolstack reads and writes for a domU's PCI devices.
//
// xl.cfg: `pci = [ "[DDDD:]BB:SS.F[,vslot=0xNN][,key=val]*", … ]` with the keys permissive,
// msitranslate, seize, power_mgmt, rdm_policy; `F = *` passes every function of the slot
// (docs/man/xl-pci-configuration.5.pod, DOMAIN.md B.8.4.1).
// xenstore: libxl records each device under the PCI backend of the domain
// (tools/libs/light/libxl_pci.c libxl__device_pci_add_xenstore): key-N, dev-N, vdevfn-N (when a
// slot is given), opts-N, state-N and num_devs. The 2015 design also records each virtual BAR
// against the physical one there (seed 000 §4.2: "virtualbar:physical bar"), as vbar-N-B here.
import { hex, sbdf } from './format.js';
import type { Attached, ConfigEntry, DomainState, HvState } from './state.js';

const MIB = 1n << 20n;

function entryText(state: HvState, e: ConfigEntry): string {
    const f = state.fn(e.device);
    const addr = f ? sbdf(f.fn.segment, f.fn.bus, f.fn.devfn) : e.device;
    const parts = [e.flags.includes('all-functions') ? `${addr.slice(0, -1)}*` : addr];
    if (e.vslot) parts.push(`vslot=${hex(e.vslot.device)}`);
    if (e.flags.includes('permissive')) parts.push('permissive=1');
    if (e.flags.includes('msitranslate')) parts.push('msitranslate=1');
    if (e.flags.includes('seize')) parts.push('seize=1');
    if (e.flags.includes('power-mgmt')) parts.push('power_mgmt=1');
    if (e.rdmPolicy) parts.push(`rdm_policy=${e.rdmPolicy}`);
    return `"${parts.join(',')}"`;
}

export function xlConfigLines(state: HvState, d: DomainState): string[] {
    const x = d.xen;
    const lines = [`name = "${d.name}"`];
    if (x?.guestType) lines.push(`type = "${x.guestType}"`);
    if (x?.memory !== undefined) lines.push(`memory = ${x.memory / MIB}`);
    if (x?.vcpus !== undefined) lines.push(`vcpus = ${x.vcpus}`);
    if (d.config.length > 0) lines.push(`pci = [ ${d.config.map((e) => entryText(state, e)).join(', ')} ]`);
    return lines;
}

function opts(e: ConfigEntry): string {
    const on = (flag: string) => (e.flags.includes(flag as never) ? '1' : '0');
    return `msitranslate=${on('msitranslate')},power_mgmt=${on('power-mgmt')},permissive=${on('permissive')},rdm_policy=${e.rdmPolicy ?? 'relaxed'}`;
}

/** The backend entries libxl writes for one device; emitted as trace events too. */
export function writeXenstore(state: HvState, d: DomainState, a: Attached): void {
    const f = state.fn(a.device)!;
    const base = `/local/domain/0/backend/pci/${d.domid}/0`;
    const n = d.nextBackendIndex++;
    const addr = sbdf(f.fn.segment, f.fn.bus, f.fn.devfn);
    const entries: [string, string][] = [
        [`key-${n}`, addr],
        [`dev-${n}`, addr],
    ];
    if (a.guestDevfn !== undefined && (a.entry.vslot || state.rules.vslotHonoured)) entries.push([`vdevfn-${n}`, hex(a.guestDevfn)]);
    entries.push([`opts-${n}`, opts(a.entry)], [`state-${n}`, '1']);
    if (state.profile === 'arm-design') {
        for (const b of a.guestBars) {
            if (b.guest === undefined || b.host === undefined) continue;
            entries.push([`vbar-${n}-${b.bar}`, `guest=${hex(b.guest)},host=${hex(b.host)},size=${hex(b.size)}`]);
        }
    }
    entries.push(['num_devs', String(d.nextBackendIndex)]);
    for (const [key, value] of entries) {
        const path = `${base}/${key}`;
        const existing = d.xenstore.find((x) => x.path === path);
        if (existing) existing.value = value;
        else d.xenstore.push({ path, value });
        state.emit('xenstore-write', { path, value });
    }
}

/** The device's backend slot goes to state 6 (closed) and its keys are removed (pci-detach). */
export function removeXenstore(state: HvState, d: DomainState, device: string): void {
    const f = state.fn(device)!;
    const addr = sbdf(f.fn.segment, f.fn.bus, f.fn.devfn);
    const key = d.xenstore.find((x) => /\/dev-\d+$/.test(x.path) && x.value === addr);
    if (!key) return;
    const n = key.path.slice(key.path.lastIndexOf('-') + 1);
    const prefix = key.path.slice(0, key.path.lastIndexOf('/') + 1);
    state.emit('xenstore-write', { path: `${prefix}state-${n}`, value: '6' });
    const mine = (p: string) => p.startsWith(prefix) && (p.endsWith(`-${n}`) || p.includes(`/vbar-${n}-`));
    for (const x of d.xenstore.filter((x) => mine(x.path))) state.emit('xenstore-rm', { path: x.path });
    d.xenstore = d.xenstore.filter((x) => !mine(x.path));
}
