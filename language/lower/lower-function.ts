// PCI functions and everything inside them.
import type * as ast from '../generated/ast.js';
import type * as m from '../../src/model/platform.js';
import { pciAddressValue } from '../numbers.js';
import type { LoweringKeys } from './keys.js';
import { locOf, locOfProperty } from './loc.js';
import { num, optNum, pciAddress, prop, smallNum } from './values.js';

/** Lowers a function and its subtree; `keys` gives each a unique name (keys.ts), parents first. */
export function lowerFunction(fn: ast.PciFunction, keys: LoweringKeys): m.PciFunction {
    const name = keys.of(fn);
    const address = pciAddress(fn.address?.absolute, fn.address?.relative);
    const attr = (key: ast.IdKey) => optNum(fn.attrs.find((a) => a.key === key)?.value);
    const flags = new Set(fn.flags.map((f) => f.flag));
    const buses = fn.busNumbers[0];
    const slot = fn.slots[0];
    return {
        name,
        kind: (fn.kind ?? 'endpoint') as m.FunctionKind,
        address: { ...address, loc: fn.address ? locOf(fn.address) : locOf(fn) },
        vendor: attr('vendor'),
        device: attr('device'),
        classCode: attr('class'),
        revision: attr('revision'),
        subsystemVendor: attr('subsystem-vendor'),
        subsystem: attr('subsystem'),
        multifunction: flags.has('multifunction'),
        ariForwarding: flags.has('ari-forwarding'),
        ioWindow1k: flags.has('io-window-1k'),
        outsideIommu: flags.has('outside-iommu') || undefined,
        bars: fn.bars.map(lowerBar),
        rom: fn.roms[0] && lowerRom(fn.roms[0]),
        msi: fn.msis[0] && lowerMsi(fn.msis[0]),
        msix: fn.msixes[0] && lowerMsiX(fn.msixes[0]),
        acs: fn.acses[0] && { flags: [...fn.acses[0].flags] as m.AcsFlag[], disabled: fn.acses[0].disabled, unknown: fn.acses[0].unknown || undefined, loc: locOf(fn.acses[0]) },
        ari: fn.aris[0] && { nextFunction: optNum(fn.aris[0].nextFunction), loc: locOf(fn.aris[0]) },
        sriov: fn.sriovs[0] && lowerSriov(fn.sriovs[0]),
        resets: fn.resets.flatMap((r) => r.methods as m.ResetMethod[]),
        quirks: fn.quirks.flatMap(lowerQuirk),
        slot: slot && { number: num(slot.number, 0n), hotplug: slot.hotplug, loc: locOf(slot) },
        secondary: optNum(buses?.secondary),
        subordinate: optNum(buses?.subordinate),
        busNumbersLoc: buses && locOf(buses),
        closedWindows: fn.bridgeWindows.some((w) => w.closed) ? fn.bridgeWindows.filter((w) => w.closed).map((w) => ({ kind: w.kind as m.WindowKind, prefetchable: w.prefetch, loc: locOf(w) })) : undefined,
        windows: fn.bridgeWindows.filter((w) => !w.closed).map((w) => ({
            kind: w.kind as m.WindowKind,
            prefetchable: w.prefetch,
            start: num(w.start, 0n),
            end: num(w.end, 0n),
            loc: locOf(w),
        })),
        pcieType: fn.pcieTypes[0]?.value as m.FunctionKind | undefined,
        registers: fn.registers.length > 0 ? fn.registers.map((r) => ({ bar: smallNum(r.bar, 0), offset: num(r.offset, 0n), size: num(r.size, 0n), loc: locOf(r) })) : undefined,
        children: fn.functions.map((child) => lowerFunction(child, keys)),
        loc: locOf(fn),
        nameLoc: locOfProperty(fn, 'name'),
    };
}

function lowerBar(bar: ast.Bar | ast.VfBar): m.Bar {
    return {
        index: smallNum(bar.index, 0),
        kind: (bar.kind ?? 'mem32') as m.BarKind,
        prefetchable: bar.prefetch,
        size: num(bar.size, 0n),
        address: optNum(bar.address),
        ea: bar.ea || undefined,
        loc: locOf(bar),
    };
}

function lowerRom(rom: ast.Rom): m.Rom {
    return { size: num(rom.size, 0n), address: optNum(rom.address), disabled: rom.disabled, loc: locOf(rom) };
}

function lowerMsi(msi: ast.Msi): m.Msi {
    return { vectors: num(msi.vectors, 1n), is64: msi.flags.includes('64bit'), maskable: msi.flags.includes('maskable'), loc: locOf(msi) };
}

function lowerMsiX(msix: ast.MsiX): m.MsiX {
    return {
        entries: num(msix.entries, 1n),
        tableBar: smallNum(msix.tableBar, 0),
        tableOffset: num(msix.tableOffset, 0n),
        pbaBar: smallNum(msix.pbaBar, 0),
        pbaOffset: num(msix.pbaOffset, 0n),
        loc: locOf(msix),
    };
}

function lowerSriov(sriov: ast.Sriov): m.Sriov {
    const value = (key: string) => prop(sriov.props, key);
    return {
        totalVfs: num(value('total-vfs'), 0n),
        numVfs: num(value('num-vfs'), 0n),
        initialVfs: optNum(value('initial-vfs')),
        offset: num(value('offset'), 0n),
        stride: num(value('stride'), 0n),
        vfDevice: optNum(value('vf-device')),
        pageSize: num(value('page-size'), 4096n),
        vfBars: sriov.vfBars.map(lowerBar),
        loc: locOf(sriov),
    };
}

function lowerQuirk(quirk: ast.Quirk): m.Quirk[] {
    const loc = locOf(quirk);
    if (quirk.kind === 'dma-alias') {
        if (!quirk.alias) return [];
        const { device, fn } = pciAddressValue(quirk.alias);
        return [{ kind: 'dma-alias', device, fn, loc }];
    }
    if (quirk.kind === 'phantom') return [{ kind: 'phantom', count: num(quirk.count, 0n), loc }];
    if (quirk.kind === undefined) return [];
    return [{ kind: quirk.kind as Exclude<m.Quirk['kind'], 'dma-alias' | 'phantom'>, loc }];
}
