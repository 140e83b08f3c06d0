// Writes an imported platform as readable .pciplat text: one statement a line, hex grouped by
// four digits, sizes with K/M/G suffixes where exact, each object after the comment saying where
// it came from and what the source could not show, and names of vendors and devices from pci.ids
// when the caller has a table. The text parses back to the same model (test/import/round-trip).
import type { Bar, HostBridge, HostWindow, Iort, IortMapping, PciFunction, Platform } from '../model/platform.js';
import type { Comments } from './source-loc.js';

export interface PrintOptions {
    comments: Comments;
    /** `vendor:device` → a readable name (pci.ids), for the comment after a function. */
    describe?: (vendor: bigint, device: bigint, classCode: bigint | undefined) => string | undefined;
    /** Lines for the head of the file (what was imported from where). */
    header: string[];
}

export function hex(v: bigint, minDigits = 1): string {
    let digits = v.toString(16).padStart(minDigits, '0');
    if (digits.length > 4) {
        const groups: string[] = [];
        while (digits.length > 4) {
            groups.unshift(digits.slice(-4));
            digits = digits.slice(0, -4);
        }
        groups.unshift(digits);
        digits = groups.join('_');
    }
    return `0x${digits}`;
}

const UNITS: [bigint, string][] = [
    [1n << 50n, 'P'],
    [1n << 40n, 'T'],
    [1n << 30n, 'G'],
    [1n << 20n, 'M'],
    [1n << 10n, 'K'],
];

export function size(v: bigint): string {
    for (const [unit, suffix] of UNITS) {
        if (v >= unit && v % unit === 0n && v / unit < 1024n) return `${v / unit}${suffix}`;
    }
    return v < 1024n ? `${v}` : hex(v);
}

const id = (v: bigint, digits: number) => `0x${v.toString(16).padStart(digits, '0')}`;
const bus = (v: bigint) => v.toString(16).padStart(2, '0');

export function printPlatform(p: Platform, options: PrintOptions): string {
    const out: string[] = [];
    const c = options.comments;
    const note = (indent: string, object: object) => {
        for (const line of c.get(object) ?? []) out.push(`${indent}// ${oneLine(line)}`);
    };
    for (const line of options.header) out.push(`// ${oneLine(line)}`);
    if (options.header.length > 0) out.push('');
    out.push(`platform ${p.name}${p.title ? ` ${quote(p.title)}` : ''} {`);
    out.push(`  arch ${p.arch}`);
    const hw = '  ';
    for (const m of p.memory) {
        note(hw, m);
        out.push(`${hw}memory ${m.name} at ${hex(m.base)} size ${size(m.size)}`);
    }
    for (const r of p.reserved) {
        note(hw, r);
        out.push(`${hw}reserved ${r.name} at ${hex(r.base)} size ${size(r.size)} kind ${r.kind}`);
    }
    for (const g of p.gics) {
        note(hw, g);
        out.push(`${hw}gic ${g.name} ${g.version} at ${hex(g.base)}`);
    }
    for (const i of p.its) {
        note(hw, i);
        out.push(`${hw}its ${i.name} at ${hex(i.base)} device-id-bits ${i.deviceIdBits}${i.eventIdBits !== undefined ? ` event-id-bits ${i.eventIdBits}` : ''}${i.numaNode !== undefined ? ` numa-node ${i.numaNode}` : ''}`);
    }
    for (const s of p.smmus) {
        note(hw, s);
        out.push(`${hw}smmu ${s.name} ${s.version} at ${hex(s.base)}${s.size !== undefined ? ` size ${size(s.size)}` : ''} stream-id-bits ${s.streamIdBits}`);
    }
    for (const i of p.x86Iommus) {
        note(hw, i);
        out.push(`${hw}iommu ${i.name} ${i.kind} at ${hex(i.base)} scope ${i.scope.join(' ')}`);
    }
    for (const a of p.ioapics) {
        note(hw, a);
        out.push(`${hw}ioapic ${a.name} at ${hex(a.base)} gsi-base ${a.gsiBase} pins ${a.pins}`);
    }
    for (const d of p.platformDevices) {
        note(hw, d);
        if (d.kind === 'uart') out.push(`${hw}uart ${d.name} ${d.io ? `io ${hex(d.base)}` : `at ${hex(d.base)}`} size ${size(d.size)}`);
        else out.push(`${hw}device ${d.name}${d.compatible ? ` ${d.compatible.map(quote).join(', ')}` : ''} at ${hex(d.base)} size ${size(d.size)}`);
    }
    for (const hb of p.hostBridges) {
        out.push('');
        printHostBridge(hb, out, options);
    }
    if (p.iort) {
        out.push('');
        printIort(p.iort, out, c);
    }
    if (p.kvm) {
        out.push('');
        note(hw, p.kvm);
        out.push(`${hw}kvm {`);
        for (const h of p.kvm.hostDrivers) out.push(`${hw}  host-driver ${h.device.function}${h.device.vf !== undefined ? `.vf[${h.device.vf}]` : ''} ${quote(h.driver)}`);
        out.push(`${hw}}`);
    }
    const linux = p.linux;
    const linuxLines: string[] = [];
    if (linux.acs) linuxLines.push(`acs ${linux.acs}`);
    if (linux.realloc) linuxLines.push('realloc');
    if (linux.pcieScanAll) linuxLines.push('pcie-scan-all');
    if (linux.assignBusses) linuxLines.push('assign-busses');
    if (linuxLines.length > 0) {
        out.push('');
        note(hw, linux);
        out.push(`${hw}linux {`);
        for (const l of linuxLines) out.push(`${hw}  ${l}`);
        out.push(`${hw}}`);
    }
    out.push('}');
    return `${out.join('\n')}\n`;
}

function printHostBridge(hb: HostBridge, out: string[], options: PrintOptions): void {
    const c = options.comments;
    const i1 = '  ';
    const i2 = '    ';
    for (const line of c.get(hb) ?? []) out.push(`${i1}// ${oneLine(line)}`);
    out.push(`${i1}host-bridge ${hb.name}${hb.segment !== undefined ? ` segment ${hb.segment}` : ''} {`);
    if (hb.compatible !== undefined) out.push(`${i2}compatible ${hb.compatible.map(quote).join(', ')}`);
    if (hb.ecam?.convention === 'mcfg') {
        const buses = hb.ecam.buses ?? { start: hb.busStart, end: hb.busEnd };
        out.push(`${i2}mcfg at ${hex(hb.ecam.base)} buses ${id(buses.start, 2)}..${id(buses.end, 2)}`);
        // The root bridge's _CRS range when the MCFG entry covers less of it (HB-MCFG-PARTIAL).
        if (buses.start !== hb.busStart || buses.end !== hb.busEnd) out.push(`${i2}bus-range ${id(hb.busStart, 2)}..${id(hb.busEnd, 2)}`);
    } else {
        if (hb.ecam) out.push(`${i2}ecam at ${hex(hb.ecam.base)} size ${size(hb.ecam.size)}`);
        if (hb.childEcam) out.push(`${i2}child-ecam at ${hex(hb.childEcam.base)} size ${size(hb.childEcam.size)}`);
        out.push(`${i2}bus-range ${id(hb.busStart, 2)}..${id(hb.busEnd, 2)}`);
    }
    for (const w of hb.windows) out.push(`${i2}${hostWindow(w)}${tail(c, w)}`);
    for (const e of hb.iommuMap) out.push(`${i2}iommu-map rid ${hex(e.ridBase)} count ${hex(e.count)} -> ${e.target} ${hex(e.targetBase)}`);
    for (const e of hb.msiMap) out.push(`${i2}msi-map rid ${hex(e.ridBase)} count ${hex(e.count)} -> ${e.target} ${hex(e.targetBase)}`);
    if (hb.iommuMapMask !== undefined) out.push(`${i2}iommu-map-mask ${hex(hb.iommuMapMask)}`);
    if (hb.msiMapMask !== undefined) out.push(`${i2}msi-map-mask ${hex(hb.msiMapMask)}`);
    if (hb.msiParent !== undefined) out.push(`${i2}msi-parent ${hb.msiParent}`);
    if (hb.numaNode !== undefined) out.push(`${i2}numa-node ${hb.numaNode}`);
    for (const f of hb.functions) printFunction(f, i2, out, options);
    out.push(`${i1}}`);
}

function hostWindow(w: HostWindow): string {
    return `window ${w.kind}${w.prefetchable ? ' prefetch' : ''} at ${hex(w.cpuBase)} size ${size(w.size)}${w.pciBase !== w.cpuBase ? ` pci ${hex(w.pciBase)}` : ''}`;
}

function tail(c: Comments, object: object): string {
    const lines = c.get(object);
    return lines && lines.length > 0 ? `   // ${lines.map(oneLine).join('; ')}` : '';
}

function barText(b: Bar, keyword: 'bar' | 'vf-bar'): string {
    return `${keyword} ${b.index} ${b.kind}${b.prefetchable ? ' prefetch' : ''} size ${size(b.size)}${b.address !== undefined ? ` at ${hex(b.address)}` : ''}`;
}

function printFunction(f: PciFunction, indent: string, out: string[], options: PrintOptions): void {
    const c = options.comments;
    const inner = `${indent}  `;
    const described = f.vendor !== undefined && f.device !== undefined ? options.describe?.(f.vendor, f.device, f.classCode) : undefined;
    out.push('');
    for (const line of c.get(f) ?? []) out.push(`${indent}// ${oneLine(line)}`);
    const ids = [
        f.vendor !== undefined ? `vendor ${id(f.vendor, 4)}` : '',
        f.device !== undefined ? `device ${id(f.device, 4)}` : '',
        f.classCode !== undefined ? `class ${id(f.classCode, 6)}` : '',
        f.revision !== undefined ? `revision ${id(f.revision, 2)}` : '',
        f.subsystemVendor !== undefined ? `subsystem-vendor ${id(f.subsystemVendor, 4)}` : '',
        f.subsystem !== undefined ? `subsystem ${id(f.subsystem, 4)}` : '',
    ].filter((s) => s !== '');
    const body: string[] = [];
    if (f.multifunction) body.push('multifunction');
    if (f.ariForwarding) body.push('ari-forwarding');
    if (f.ioWindow1k) body.push('io-window-1k');
    if (f.outsideIommu) body.push('outside-iommu');
    if (f.slot) body.push(`slot ${f.slot.number}${f.slot.hotplug ? ' hotplug' : ''}`);
    if (f.secondary !== undefined) body.push(`secondary ${id(f.secondary, 2)}${f.subordinate !== undefined ? ` subordinate ${id(f.subordinate, 2)}` : ''}`);
    else if (f.subordinate !== undefined) body.push(`subordinate ${id(f.subordinate, 2)}`);
    for (const w of f.windows) body.push(`window ${w.kind}${w.prefetchable ? ' prefetch' : ''} ${hex(w.start)}..${hex(w.end)}`);
    for (const w of f.closedWindows ?? []) body.push(`window ${w.kind}${w.prefetchable ? ' prefetch' : ''} none`);
    for (const q of f.quirks) {
        if (q.kind === 'dma-alias') body.push(`quirk dma-alias ${q.device.toString(16).padStart(2, '0')}.${q.fn.toString(16)}`);
        else if (q.kind === 'phantom') body.push(`quirk phantom ${q.count}`);
        else body.push(`quirk ${q.kind}`);
    }
    for (const b of f.bars) body.push(barText(b, 'bar'));
    if (f.rom) body.push(`rom size ${size(f.rom.size)}${f.rom.address !== undefined ? ` at ${hex(f.rom.address)}` : ''}${f.rom.disabled ? ' disabled' : ''}`);
    if (f.msi) body.push(`msi vectors ${f.msi.vectors}${f.msi.is64 ? ' 64bit' : ''}${f.msi.maskable ? ' maskable' : ''}`);
    if (f.msix) body.push(`msix entries ${f.msix.entries} table bar ${f.msix.tableBar} offset ${hex(f.msix.tableOffset)} pba bar ${f.msix.pbaBar} offset ${hex(f.msix.pbaOffset)}`);
    if (f.acs) body.push(`acs${f.acs.flags.map((x) => ` ${x}`).join('')}${f.acs.disabled ? ' disabled' : ''}`);
    if (f.ari) body.push(`ari${f.ari.nextFunction !== undefined ? ` next-function ${hex(f.ari.nextFunction)}` : ''}`);
    if (f.sriov) {
        const s = f.sriov;
        const props = [
            `total-vfs ${s.totalVfs}`,
            `num-vfs ${s.numVfs}`,
            s.initialVfs !== undefined ? `initial-vfs ${s.initialVfs}` : '',
            `offset ${hex(s.offset)}`,
            `stride ${hex(s.stride)}`,
            s.vfDevice !== undefined ? `vf-device ${id(s.vfDevice, 4)}` : '',
            s.pageSize !== 4096n ? `page-size ${size(s.pageSize)}` : '',
        ].filter((x) => x !== '');
        if (s.vfBars.length === 0) body.push(`sriov ${props.join(' ')}`);
        else {
            body.push(`sriov ${props.join(' ')} {`);
            for (const b of s.vfBars) body.push(`  ${barText(b, 'vf-bar')}`);
            body.push('}');
        }
    }
    if (f.resets.length > 0) body.push(`reset ${f.resets.join(' ')}`);
    // No bus: the relative DD.F form (enumeration numbers the bus; device-tree child nodes).
    const at = f.address.bus !== undefined ? `${bus(f.address.bus)}:${bus(f.address.device)}` : bus(f.address.device);
    const head = `${indent}${f.kind} ${f.name} at ${at}.${f.address.fn.toString(16)} ${ids.join(' ')}`.trimEnd();
    const suffix = described ? `   // ${oneLine(described)}` : '';
    if (body.length === 0 && f.children.length === 0) {
        out.push(`${head}${suffix}`);
        return;
    }
    out.push(`${head} {${suffix}`);
    for (const line of body) out.push(`${inner}${line}`);
    for (const child of f.children) printFunction(child, inner, out, options);
    out.push(`${indent}}`);
}

function mapping(m: IortMapping): string {
    const range = m.form === 'range' ? `ids ${hex(m.inputBase)}..${hex(m.inputBase + m.idCount)}` : `input ${hex(m.inputBase)} id-count ${hex(m.idCount)}`;
    return `map ${range} -> ${m.target} ${hex(m.outputBase)}${m.single ? ' single' : ''}`;
}

function printIort(iort: Iort, out: string[], c: Comments): void {
    const i1 = '  ';
    const i2 = '    ';
    for (const line of c.get(iort) ?? []) out.push(`${i1}// ${oneLine(line)}`);
    out.push(`${i1}iort {`);
    for (const g of iort.itsGroups) out.push(`${i2}its-group ${g.name} { ${g.its.join(' ')} }${tail(c, g)}`);
    for (const s of iort.smmus) {
        out.push(`${i2}${s.kind} ${s.smmu} {${tail(c, s)}`);
        for (const m of s.mappings) out.push(`${i2}  ${mapping(m)}`);
        if (s.deviceIdIndex !== undefined) out.push(`${i2}  device-id-index ${s.deviceIdIndex}`);
        out.push(`${i2}}`);
    }
    for (const r of iort.rootComplexes) {
        out.push(`${i2}root-complex ${r.hostBridge}${r.segment !== undefined ? ` segment ${r.segment}` : ''} {${tail(c, r)}`);
        for (const m of r.mappings) out.push(`${i2}  ${mapping(m)}`);
        out.push(`${i2}}`);
    }
    for (const n of iort.namedComponents) {
        out.push(`${i2}named-component ${n.device} {${tail(c, n)}`);
        for (const m of n.mappings) out.push(`${i2}  ${mapping(m)}`);
        out.push(`${i2}}`);
    }
    out.push(`${i1}}`);
}

/** Comments stay on one line and never close a block comment. */
function oneLine(text: string): string {
    return text.replace(/[\r\n]+/g, ' ').replace(/[\u0000-\u001f]/g, ' ').slice(0, 300);
}

function quote(text: string): string {
    return `"${text.replace(/[\\"]/g, (ch) => `\\${ch}`).replace(/[\r\n]/g, ' ')}"`;
}
