// The ACPI tables that describe what sits around the PCI fabric, from their `iasl -d`
// disassembly: MCFG (ECAM per segment and bus range), MADT/APIC (GIC distributor and ITS
// blocks), IORT (ITS groups, SMMUs, root complexes and their ID mappings), DMAR (VT-d units)
// and, from the DSDT, each PCI root bridge's bus range and windows (_SEG, _BBN, _CRS); IVRS
// (AMD-Vi units) is read by acpi-ivrs.ts. DMAR device scopes and IVRS device entries also give
// the per-function scope (iommu-scope.ts) the fabric is marked with once it is built.
// Pure: texts in, model objects out (the command layer runs iasl for binary tables).
// Layouts: ACPI 6.5 (MCFG: PCI Firmware 3.3), Arm DEN0049E (IORT), Intel VT-d 4.1 (DMAR).
import type { Gic, HostBridge, HostWindow, Iort, IortMapping, Its, Smmu, X86Iommu } from '../model/platform.js';
import { field, hexValue, readAcpiTable, recordsStartingAt, type AcpiTable } from './acpi-table.js';
import { ImportError } from './errors.js';
import { readIvrs } from './acpi-ivrs.js';
import type { ScopeRule, UnitScope } from './iommu-scope.js';
import { addComment, importLoc, type Comments } from './source-loc.js';
import type { TextSource } from './import-platform.js';

export interface AcpiSources {
    mcfg?: TextSource;
    madt?: TextSource;
    iort?: TextSource;
    dmar?: TextSource;
    dsdt?: TextSource;
    ivrs?: TextSource;
}

export interface AcpiHardware {
    arch: 'arm64' | 'x86_64';
    gics: Gic[];
    its: Its[];
    smmus: Smmu[];
    x86Iommus: X86Iommu[];
    hostBridges: HostBridge[];
    iort?: Iort;
    /** What each DMAR/IVRS unit translates, function by function (applied to the fabric later). */
    scopes: UnitScope[];
}

const DEFAULT_ID_BITS = 16;

interface RootBridge {
    segment: bigint;
    busStart: bigint;
    busEnd: bigint;
    windows: HostWindow[];
    line: number;
    name: string;
    busesFromCrs?: boolean;
}

export function readAcpi(sources: AcpiSources, comments: Comments): AcpiHardware {
    // Arm when the tables say so (an IORT, a GIC in the MADT); x86 otherwise.
    const arm = sources.iort !== undefined || (sources.madt !== undefined && /Generic Interrupt Distributor/.test(sources.madt.text));
    const hw: AcpiHardware = { arch: arm && !sources.dmar ? 'arm64' : 'x86_64', gics: [], its: [], smmus: [], x86Iommus: [], hostBridges: [], scopes: [] };
    const roots = sources.dsdt ? readDsdtRootBridges(sources.dsdt, hw.arch) : [];
    if (sources.mcfg) hw.hostBridges = readMcfg(sources.mcfg, roots, comments, hw.arch);
    const itsById = new Map<bigint, Its>();
    if (sources.madt) {
        const t = readAcpiTable(sources.madt.text, sources.madt.file, 'APIC');
        for (const sub of recordsStartingAt(t.fields, 'Subtable Type')) {
            const type = hexValue(sub[0], t);
            if (type === 0x0cn) {
                const g: Gic = { name: `gic${hw.gics.length}`, version: 'v3', base: hexValue(field(sub, 'Base Address'), t), loc: importLoc(t.file, sub[0]!.line) };
                const version = field(sub, 'Gic Version');
                if (version && hexValue(version, t) === 2n) g.version = 'v2';
                if (version && hexValue(version, t) === 4n) g.version = 'v4';
                hw.gics.push(g);
                addComment(comments, g, `${t.file}:${sub[0]!.line} MADT GIC distributor`);
            } else if (type === 0x0fn) {
                const id = hexValue(field(sub, 'Translation ID'), t);
                const its: Its = { name: `its${hw.its.length}`, base: hexValue(field(sub, 'Base Address'), t), deviceIdBits: DEFAULT_ID_BITS, loc: importLoc(t.file, sub[0]!.line) };
                hw.its.push(its);
                itsById.set(id, its);
                addComment(comments, its, `${t.file}:${sub[0]!.line} MADT GIC ITS, translation ID ${id}; device-id-bits: GITS_TYPER.Devbits is not in ACPI, ${DEFAULT_ID_BITS} assumed`);
            }
        }
    }
    if (sources.iort) hw.iort = readIort(sources.iort, hw, itsById, comments);
    if (sources.dmar) {
        const dmar = readDmar(sources.dmar, hw.hostBridges, comments);
        hw.x86Iommus.push(...dmar.units);
        hw.scopes.push(...dmar.scopes);
    }
    if (sources.ivrs) {
        const ivrs = readIvrs(sources.ivrs, hw.hostBridges, comments);
        hw.x86Iommus.push(...ivrs.units);
        hw.scopes.push(...ivrs.scopes);
    }
    return hw;
}

function readMcfg(source: TextSource, roots: RootBridge[], comments: Comments, arch: AcpiHardware['arch']): HostBridge[] {
    const t = readAcpiTable(source.text, source.file, 'MCFG');
    const out: HostBridge[] = [];
    const entries = recordsStartingAt(t.fields, 'Base Address');
    if (entries.length === 0) throw new ImportError('IMPORT-ACPI-TABLE', t.file, 1, 'MCFG without an allocation entry (Base Address, Segment Group Number, bus range): truncated');
    for (const e of entries) {
        const base = hexValue(e[0], t);
        const segment = hexValue(field(e, 'Segment Group Number'), t);
        const start = hexValue(field(e, 'Start Bus Number'), t);
        const end = hexValue(field(e, 'End Bus Number'), t);
        const line = e[0]!.line;
        // The DSDT's root bridges split an MCFG range among them (a pxb-pcie's bus 0x80 root).
        const inside = roots.filter((r) => r.segment === segment && r.busStart >= start && r.busEnd <= end).sort((a, b) => Number(a.busStart - b.busStart));
        const parts = inside.length > 0 ? inside : [{ segment, busStart: start, busEnd: end, windows: [], line, name: '' }];
        for (const r of parts) {
            const loc = importLoc(t.file, line);
            const name = `pci${segment.toString(16).padStart(4, '0')}_${r.busStart.toString(16).padStart(2, '0')}`;
            const hb: HostBridge = {
                name,
                segment,
                // On Arm the same ECAM is written the device-tree way (base of the first bus),
                // which is what Xen on Arm and the language's Arm checks read.
                ecam: arch === 'arm64' ? { convention: 'dt', base: base + (r.busStart << 20n), size: (r.busEnd - r.busStart + 1n) << 20n, loc } : { convention: 'mcfg', base, size: (r.busEnd - r.busStart + 1n) << 20n, buses: { start: r.busStart, end: r.busEnd }, loc },
                busStart: r.busStart,
                busEnd: r.busEnd,
                windows: r.windows,
                iommuMap: [],
                msiMap: [],
                functions: [],
                loc,
                nameLoc: loc,
            };
            out.push(hb);
            addComment(comments, hb, `${t.file}:${line} MCFG segment ${segment}, buses 0x${start.toString(16)}..0x${end.toString(16)}${r.name ? `; DSDT ${r.name} (line ${r.line}) buses 0x${r.busStart.toString(16)}..0x${r.busEnd.toString(16)}` : ''}`);
        }
    }
    return out;
}

/** Root bridges of the DSDT: Device blocks with _HID/_CID PNP0A08/PNP0A03, their _SEG, _BBN and static _CRS. */
export function readDsdtRootBridges(source: TextSource, arch: AcpiHardware['arch'] = 'x86_64'): RootBridge[] {
    const lines = source.text.split('\n');
    if (!/DefinitionBlock\s*\(\s*"[^"]*"\s*,\s*"(DSDT|SSDT)"/.test(source.text)) {
        throw new ImportError('IMPORT-ACPI-TABLE', source.file, 1, 'not the iasl -d disassembly of a DSDT (no DefinitionBlock "DSDT")');
    }
    const out: RootBridge[] = [];
    // Devices with their line ranges by brace depth.
    const stack: { name: string; line: number; depth: number }[] = [];
    let depth = 0;
    const devices: { name: string; start: number; end: number; depth: number }[] = [];
    let pending: { name: string; line: number } | undefined;
    for (let i = 0; i < lines.length; i++) {
        const l = lines[i]!.replace(/\/\/.*$/, '');
        const dev = /\bDevice\s*\(([^)]+)\)/.exec(l);
        if (dev) pending = { name: dev[1]!.trim(), line: i };
        for (const ch of l) {
            if (ch === '{') {
                depth++;
                if (pending) {
                    stack.push({ name: pending.name, line: pending.line, depth });
                    pending = undefined;
                }
            } else if (ch === '}') {
                const top = stack[stack.length - 1];
                if (top && top.depth === depth) {
                    stack.pop();
                    devices.push({ name: top.name, start: top.line, end: i, depth: top.depth });
                }
                depth--;
            }
        }
    }
    devices.sort((a, b) => a.start - b.start);
    // Outside x86, I/O ports are memory-mapped and Linux numbers them in one logical port space,
    // window after window in the order the root bridges are found (pci_register_io_range):
    // resources, and so lspci and sysfs, show those logical numbers.
    let logicalPort = 0n;
    for (const d of devices) {
        const own = (i: number) => !devices.some((c) => c !== d && c.depth > d.depth && i >= c.start && i <= c.end);
        const body = lines.slice(d.start, d.end + 1).map((text, k) => ({ text, line: d.start + k })).filter((x) => own(x.line));
        const text = body.map((b) => b.text).join('\n');
        if (!/"PNP0A0[38]"/.test(text)) continue;
        const num = (name: string) => {
            const m = new RegExp(`Name \\(${name}, (Zero|One|0x[0-9A-Fa-f]+)\\)`).exec(text);
            return m ? (m[1] === 'Zero' ? 0n : m[1] === 'One' ? 1n : BigInt(m[1]!)) : undefined;
        };
        const segment = num('_SEG') ?? 0n;
        const bbn = num('_BBN') ?? 0n;
        const crsAt = body.findIndex((b) => /Name \(_CRS, ResourceTemplate/.test(b.text));
        const windows: HostWindow[] = [];
        let busStart = bbn;
        let busEnd = 0xffn;
        if (crsAt >= 0) {
            const crs = body.slice(crsAt);
            for (let k = 0; k < crs.length; k++) {
                const head = /\b(WordBusNumber|WordIO|DWordIO|QWordIO|DWordMemory|QWordMemory|WordMemory)\s*\((.*)$/.exec(crs[k]!.text);
                if (!head) {
                    if (/^\s*\}\)/.test(crs[k]!.text)) break;
                    continue;
                }
                const values: Record<string, bigint> = {};
                // The descriptor's value lines follow its head, up to its Length.
                for (let j = k + 1; j < Math.min(crs.length, k + 10) && values.Length === undefined; j++) {
                    const v = /(0x[0-9A-Fa-f]+),?\s*\/\/ (Granularity|Range Minimum|Range Maximum|Translation Offset|Length)/.exec(crs[j]!.text);
                    if (v) values[v[2]!] = BigInt(v[1]!);
                }
                const min = values['Range Minimum'];
                const len = values.Length;
                if (min === undefined || len === undefined) throw new ImportError('IMPORT-ACPI-TABLE', source.file, crs[k]!.line + 1, `${head[1]} of ${d.name}._CRS without Range Minimum and Length: truncated`);
                const offset = values['Translation Offset'] ?? 0n;
                const loc = importLoc(source.file, crs[k]!.line + 1);
                if (head[1] === 'WordBusNumber') {
                    busStart = min;
                    busEnd = min + len - 1n;
                } else if (/IO$/.test(head[1]!)) {
                    if (len > 0n) {
                        windows.push({ kind: 'io', prefetchable: false, cpuBase: min + offset, pciBase: arch === 'arm64' ? logicalPort : min, size: len, loc });
                        logicalPort += (len + 0xfffn) & ~0xfffn;
                    }
                } else if (len > 0n) {
                    const cpu = (min + offset) & 0xffff_ffff_ffff_ffffn;
                    windows.push({ kind: min + len > 1n << 32n ? 'mem64' : 'mem32', prefetchable: /\bPrefetchable\b/.test(head[2]!), cpuBase: cpu, pciBase: min, size: len, loc });
                }
            }
        }
        out.push({ segment, busStart, busEnd, windows, line: d.start + 1, name: d.name, busesFromCrs: busEnd !== 0xffn || busStart !== bbn });
    }
    // A root bridge whose _CRS is computed at run time (no static WordBusNumber) ends below the
    // next root bridge of its segment (QEMU's PCI0 below a pxb-pcie's _BBN 0x80).
    for (const r of out) {
        if (r.busesFromCrs) continue;
        const next = out.filter((o) => o !== r && o.segment === r.segment && o.busStart > r.busStart).sort((a, b) => Number(a.busStart - b.busStart))[0];
        if (next) r.busEnd = next.busStart - 1n;
    }
    return out;
}

function readIort(source: TextSource, hw: AcpiHardware, itsById: Map<bigint, Its>, comments: Comments): Iort {
    const t = readAcpiTable(source.text, source.file, 'IORT');
    const header = field(t.fields, 'Node Offset');
    if (!header) throw new ImportError('IMPORT-ACPI-TABLE', t.file, 1, 'IORT without a Node Offset: truncated');
    const nodes = recordsStartingAt(t.fields.filter((f) => f.offset >= Number(hexValue(header, t))), 'Type');
    const iort: Iort = { itsGroups: [], smmus: [], rootComplexes: [], namedComponents: [], loc: importLoc(t.file, 1) };
    addComment(comments, iort, `${t.file}: IORT, ${nodes.length} nodes`);
    const byOffset = new Map<number, { kind: 'its' | 'smmu'; name: string }>();
    // First pass: name the targets (ITS groups and SMMUs) by node offset.
    for (const n of nodes) {
        const type = hexValue(n[0], t);
        const offset = n[0]!.offset;
        if (type === 0n) {
            const ids = n.filter((f) => f.name === 'Identifiers').map((f) => hexValue(f, t));
            const members = ids.map((id) => {
                let its = itsById.get(id);
                if (!its) {
                    its = { name: `its${hw.its.length}`, base: 0n, deviceIdBits: DEFAULT_ID_BITS, loc: importLoc(t.file, n[0]!.line) };
                    hw.its.push(its);
                    itsById.set(id, its);
                    addComment(comments, its, `unknown: ITS ${id} of the IORT is not in a MADT (give --madt): its base is a placeholder`);
                }
                return its.name;
            });
            const group = { name: `itsg${iort.itsGroups.length}`, its: members, loc: importLoc(t.file, n[0]!.line) };
            iort.itsGroups.push(group);
            addComment(comments, group, `${t.file}:${n[0]!.line}`);
            byOffset.set(offset, { kind: 'its', name: group.name });
        } else if (type === 3n || type === 4n) {
            const smmu: Smmu = {
                name: `smmu${hw.smmus.length}`,
                version: type === 4n ? 'v3' : 'v2',
                base: hexValue(field(n, 'Base Address'), t),
                streamIdBits: DEFAULT_ID_BITS,
                streamMatches: [],
                loc: importLoc(t.file, n[0]!.line),
            };
            hw.smmus.push(smmu);
            addComment(comments, smmu, `${t.file}:${n[0]!.line} IORT SMMU${type === 4n ? 'v3' : 'v1/v2'} node; stream-id-bits: not in the IORT, ${DEFAULT_ID_BITS} assumed`);
            byOffset.set(offset, { kind: 'smmu', name: smmu.name });
        }
    }
    const mappingsOf = (n: typeof nodes[number]): IortMapping[] =>
        recordsStartingAt(n, 'Input base').map((m) => {
            const ref = Number(hexValue(field(m, 'Output Reference'), t));
            const target = byOffset.get(ref);
            if (!target) throw new ImportError('IMPORT-ACPI-TABLE', t.file, field(m, 'Output Reference')!.line, `output reference 0x${ref.toString(16)} is not an ITS group or SMMU node of this IORT`);
            const flags = field(m, 'Flags (decoded below)') ?? field(m, 'Flags');
            return {
                inputBase: hexValue(m[0], t),
                idCount: hexValue(field(m, 'ID Count'), t),
                target: target.name,
                outputBase: hexValue(field(m, 'Output Base'), t),
                single: flags ? (hexValue(flags, t) & 1n) === 1n : false,
                form: 'raw',
                loc: importLoc(t.file, m[0]!.line),
            };
        });
    for (const n of nodes) {
        const type = hexValue(n[0], t);
        if (type === 3n || type === 4n) {
            const name = byOffset.get(n[0]!.offset)!.name;
            const node = { smmu: name, kind: type === 4n ? ('smmu-v3' as const) : ('smmu-v2' as const), mappings: mappingsOf(n), loc: importLoc(t.file, n[0]!.line) };
            if (type === 4n && node.mappings.length > 0) {
                const idx = field(n, 'Device ID Mapping Index');
                // Linux uses the index only when the mapping it names is single (the SMMU's own MSIs).
                if (idx) {
                    const i = hexValue(idx, t);
                    if (i < BigInt(node.mappings.length) && node.mappings[Number(i)]!.single) Object.assign(node, { deviceIdIndex: i });
                }
            }
            iort.smmus.push(node);
        } else if (type === 2n) {
            const segment = hexValue(field(n, 'PCI Segment Number'), t);
            const hb = hw.hostBridges.find((h) => h.segment === segment);
            if (!hb) throw new ImportError('IMPORT-ACPI-TABLE', t.file, n[0]!.line, `IORT root complex of segment ${segment}, but no MCFG host bridge of that segment (give --mcfg)`);
            iort.rootComplexes.push({ hostBridge: hb.name, segment, mappings: mappingsOf(n), loc: importLoc(t.file, n[0]!.line) });
        }
    }
    for (const s of hw.smmus) {
        let max = 0n;
        for (const rc of iort.rootComplexes) for (const m of rc.mappings) if (m.target === s.name) max = m.outputBase + m.idCount > max ? m.outputBase + m.idCount : max;
        while (s.streamIdBits < 32 && max >= 1n << BigInt(s.streamIdBits)) s.streamIdBits++;
    }
    return iort;
}

function readDmar(source: TextSource, hostBridges: HostBridge[], comments: Comments): { units: X86Iommu[]; scopes: UnitScope[] } {
    const t = readAcpiTable(source.text, source.file, 'DMAR');
    const out: X86Iommu[] = [];
    const scopes: UnitScope[] = [];
    for (const sub of recordsStartingAt(t.fields, 'Subtable Type')) {
        if (hexValue(sub[0], t) !== 0n) continue; // DRHD only; RMRR/ATSR/RHSA do not change groups
        const segment = hexValue(field(sub, 'PCI Segment Number'), t);
        const flags = hexValue(field(sub, 'Flags') ?? field(sub, 'Flags (decoded below)'), t);
        const scope = hostBridges.filter((h) => h.segment === segment).map((h) => h.name);
        const unit: X86Iommu = { name: `dmar${out.length}`, kind: 'vt-d', base: hexValue(field(sub, 'Register Base Address'), t), scope, loc: importLoc(t.file, sub[0]!.line) };
        if (scope.length === 0) throw new ImportError('IMPORT-ACPI-TABLE', t.file, sub[0]!.line, `DMAR unit for segment ${segment}, but no MCFG host bridge of that segment (give --mcfg)`);
        const pciScopes = recordsStartingAt(sub, 'Device Scope Type').filter((d) => hexValue(d[0], t) === 1n || hexValue(d[0], t) === 2n);
        // Endpoint and bridge scopes alike cover the function the path ends at and, for a
        // bridge, all below it (device_to_iommu); INCLUDE_PCI_ALL covers the whole segment.
        const rules: ScopeRule[] =
            (flags & 1n) === 1n
                ? [{ kind: 'all', line: sub[0]!.line }]
                : pciScopes.map((d) => ({
                      kind: 'path',
                      bus: hexValue(field(d, 'PCI Bus Number'), t),
                      path: d.filter((f) => f.name === 'PCI Path').map((f) => {
                          const m = /^([0-9A-Fa-f]{1,2}),([0-9A-Fa-f]{1,2})/.exec(f.value);
                          if (!m) throw new ImportError('IMPORT-ACPI-TABLE', t.file, f.line, `PCI Path '${f.value}' is not device,function: garbled`);
                          return [BigInt(`0x${m[1]}`), BigInt(`0x${m[2]}`)] as [bigint, bigint];
                      }),
                      line: d[0]!.line,
                  }));
        scopes.push({ unit: unit.name, segment, rules, except: [], file: t.file });
        const devices = pciScopes.map((d, k) => {
            const rule = rules[k];
            const hops = rule?.kind === 'path' ? rule.path.map(([dev, fn]) => `${dev.toString(16).padStart(2, '0')}.${fn.toString(16)}`).join('/') : '?';
            return `${hexValue(field(d, 'PCI Bus Number'), t).toString(16).padStart(2, '0')}:${hops}${hexValue(d[0], t) === 2n ? ' (bridge)' : ''}`;
        });
        addComment(
            comments,
            unit,
            (flags & 1n) === 1n
                ? `${t.file}:${sub[0]!.line} DMAR DRHD, INCLUDE_PCI_ALL for segment ${segment}`
                : `${t.file}:${sub[0]!.line} DMAR DRHD for segment ${segment}, device scopes ${devices.join(', ')}: written as its host bridges' scope, with \`outside-iommu\` on the functions no scope covers`,
        );
        out.push(unit);
    }
    return { units: out, scopes };
}
