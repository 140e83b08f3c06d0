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

/** One `pci = [...]` entry of xl.cfg, as the toolstack reads it. */
export interface XlPciEntry {
    /** The function (or, with `*`, the slot) it passes. */
    device: string;
    /** Host `SSSS:BB:DD.F`, or `SSSS:BB:DD.*` for every function of the slot. */
    bdf: string;
    /** The written guest slot (device number on guest bus 0). */
    vslot?: bigint;
    /** `key=value` options after the slot, in xl-pci-configuration(5)'s order. */
    options: string[];
}

/** What xl.cfg says about one domain. Memory in MiB, as xl reads it. */
export interface XlDomainConfig {
    name: string;
    type?: 'pv' | 'pvh' | 'hvm';
    memoryMiB?: bigint;
    vcpus?: bigint;
    pci: XlPciEntry[];
}

function pciEntry(state: HvState, e: ConfigEntry): XlPciEntry {
    const f = state.fn(e.device);
    const addr = f ? sbdf(f.fn.segment, f.fn.bus, f.fn.devfn) : e.device;
    const options: string[] = [];
    if (e.flags.includes('permissive')) options.push('permissive=1');
    if (e.flags.includes('msitranslate')) options.push('msitranslate=1');
    if (e.flags.includes('seize')) options.push('seize=1');
    if (e.flags.includes('power-mgmt')) options.push('power_mgmt=1');
    if (e.rdmPolicy) options.push(`rdm_policy=${e.rdmPolicy}`);
    return { device: e.device, bdf: e.flags.includes('all-functions') ? `${addr.slice(0, -1)}*` : addr, vslot: e.vslot?.device, options };
}

/** `BDF[,vslot=0xNN][,key=val]*` (the quoted string in `pci = [...]`). */
export function xlPciEntryText(e: XlPciEntry, vslot = e.vslot): string {
    return [e.bdf, ...(vslot === undefined ? [] : [`vslot=${hex(vslot)}`]), ...e.options].join(',');
}

export function xlDomainConfig(state: HvState, d: DomainState): XlDomainConfig {
    const x = d.xen;
    return { name: d.name, type: x?.guestType, memoryMiB: x?.memory === undefined ? undefined : x.memory / MIB, vcpus: x?.vcpus, pci: d.config.map((e) => pciEntry(state, e)) };
}

export function xlConfigLines(state: HvState, d: DomainState): string[] {
    const c = xlDomainConfig(state, d);
    const lines = [`name = "${c.name}"`];
    if (c.type) lines.push(`type = "${c.type}"`);
    if (c.memoryMiB !== undefined) lines.push(`memory = ${c.memoryMiB}`);
    if (c.vcpus !== undefined) lines.push(`vcpus = ${c.vcpus}`);
    if (c.pci.length > 0) lines.push(`pci = [ ${c.pci.map((e) => `"${xlPciEntryText(e)}"`).join(', ')} ]`);
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
