// ITS device-table entries. dom0's MAPD commands go through Xen's virtual ITS and name host
// DeviceIDs 1:1 (xen/arch/arm/vgic-v3-its.c its_handle_mapd, DOMAIN.md B.3.6). Linux sizes the
// ITT when the driver first allocates MSIs (linux:drivers/irqchip/irq-gic-its-msi-parent.c
// its_pci_msi_prepare): a power of two of the device's vectors (at least the vectors of every
// device sharing the DeviceID behind an aliasing bridge), 32 for DeviceID 0; MAPD encodes
// log2(ITT entries) - 1, with at least 2 entries (irq-gic-v3-its.c its_create_device).
import { hex } from './format.js';
import type { HvFunction } from './input.js';
import { ownerText, type FnState, type HvState } from './state.js';

/** MSI-X table size, else MSI Multiple Message Capable, else 0. VFs: not described. */
export function msiVectors(fn: HvFunction): bigint {
    if (fn.isVf) return 0n;
    if (fn.decl.msix) return fn.decl.msix.entries;
    if (fn.decl.msi) return fn.decl.msi.vectors;
    return 0n;
}

function pow2AtLeast(n: bigint): bigint {
    let p = 1n;
    while (p < n) p <<= 1n;
    return p;
}

function log2(n: bigint): number {
    let bits = 0;
    while (n > 1n) {
        n >>= 1n;
        bits++;
    }
    return bits;
}

/** ITT entries Linux asks for a DeviceID shared by `vectors` (per function). */
export function ittEvents(deviceId: bigint, vectors: bigint[]): bigint {
    const own = vectors[0] ?? 0n;
    const aliasCount = vectors.length > 1 ? vectors.reduce((a, b) => a + b, 0n) : 0n;
    const nvec = own > aliasCount ? own : aliasCount;
    const min = deviceId === 0n ? 32n : 1n;
    const events = pow2AtLeast(nvec);
    const withMin = events > min ? events : min;
    return withMin > 2n ? withMin : 2n;
}

/** dom0's driver enables MSIs: MAPD for each ITS DeviceID of the function (once per DeviceID). */
export function mapdForDriver(state: HvState, f: FnState, domain: string): void {
    const vectors = msiVectors(f.fn);
    if (vectors === 0n) return;
    for (const { its, id } of f.fn.deviceIds) {
        const key = `${its}/${id}`;
        const existing = state.itsDevices.get(key);
        if (existing) {
            existing.devices.push(f.fn.name);
            state.emit('its-device-shared', { its, deviceId: hex(id), device: f.fn.name, with: existing.devices.slice(0, -1).join(' '), events: String(existing.events) });
            continue;
        }
        const sharing = state.withDeviceId(its, id).filter((o) => o !== f).map((o) => msiVectors(o.fn));
        const events = ittEvents(id, [vectors, ...sharing]);
        state.itsDevices.set(key, { events, domain, devices: [f.fn.name] });
        state.emit('its-mapd', { its, deviceId: hex(id), device: f.fn.name, events: String(events), itt_size: String(log2(events) - 1), domain: ownerText(state, domain), valid: '1' });
    }
}

/** The driver lets go (unbind): MAPD with V=0 once no device uses the DeviceID. */
export function unmapdForDriver(state: HvState, f: FnState): void {
    for (const { its, id } of f.fn.deviceIds) {
        const key = `${its}/${id}`;
        const existing = state.itsDevices.get(key);
        if (!existing) continue;
        existing.devices = existing.devices.filter((d) => d !== f.fn.name);
        if (existing.devices.length > 0) continue;
        state.itsDevices.delete(key);
        state.emit('its-mapd', { its, deviceId: hex(id), device: f.fn.name, domain: ownerText(state, existing.domain), valid: '0' });
    }
}
