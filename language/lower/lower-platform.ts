// One lowering from the AST to the core's model, used by the CLI and the language server alike.
// A platform's hardware is what it declares plus what the SoCs it includes declare.
import type * as ast from '../generated/ast.js';
import { isModel, isPlatform } from '../generated/ast.js';
import type * as m from '../../src/model/platform.js';
import { lowerFunction } from './lower-function.js';
import { lowerIort, lowerKvm, lowerLinux, lowerScenario, lowerXen } from './lower-config.js';
import { LoweringKeys } from './keys.js';
import { locOf, locOfProperty, locOfReference } from './loc.js';
import { num, optNum, pciAddress, prop, smallNum } from './values.js';

/** Every platform of a document's root. */
export function lowerModel(model: ast.Model): m.Platform[] {
    if (!isModel(model)) return [];
    const platformKeys = new LoweringKeys();
    return model.elements.filter(isPlatform).map((platform) => lowerPlatform(platform, new LoweringKeys(), platformKeys.of(platform)));
}

/**
 * `keys` makes the names of the platform's declarations unique (keys.ts); `name` is the
 * platform's own key when several platforms of one file share a name.
 */
export function lowerPlatform(platform: ast.Platform, keys = new LoweringKeys(), name = platform.name ?? ''): m.Platform {
    const key = (node: { $type: string; name?: string }) => keys.of(node);
    const included = platform.socs.flatMap((s) => s.soc?.ref?.items ?? []);
    const items = [...included, ...platform.items];
    const of = <T extends ast.HardwareItem>(type: T['$type']) => items.filter((i): i is T => i.$type === type);
    return {
        name,
        title: platform.title,
        arch: (platform.arch[0]?.value ?? 'arm64') as m.Arch,
        ...(platform.arch[0]?.lpae ? { lpae: true } : {}),
        loc: locOfProperty(platform, 'name'),
        memory: of<ast.MemoryRegion>('MemoryRegion').map((r) => ({ name: key(r), base: num(r.base, 0n), size: num(r.size, 0n), loc: locOf(r) })),
        reserved: of<ast.ReservedRegion>('ReservedRegion').map((r) => ({
            name: key(r),
            base: num(r.base, 0n),
            size: num(r.size, 0n),
            kind: (r.kind ?? 'reserved') as m.ReservedRegion['kind'],
            loc: locOf(r),
        })),
        its: of<ast.Its>('Its').map((i) => lowerIts(i, key(i))),
        smmus: of<ast.Smmu>('Smmu').map((i) => lowerSmmu(i, key(i))),
        x86Iommus: of<ast.X86Iommu>('X86Iommu').map((i) => ({
            name: key(i),
            kind: i.kind as m.X86Iommu['kind'],
            base: num(i.base, 0n),
            scope: i.scope.map((s) => s.$refText),
            deviceScope: i.deviceScopes.length > 0 ? i.deviceScopes.flatMap((d) => d.functions.map((r) => ({ function: r.$refText, loc: locOfReference(d, r) }))) : undefined,
            loc: locOf(i),
        })),
        gics: of<ast.Gic>('Gic').map((g) => ({ name: key(g), version: g.version as m.Gic['version'], base: num(g.base, 0n), loc: locOf(g) })),
        ioapics: of<ast.IoApic>('IoApic').map((a) => ({ name: key(a), base: num(a.base, 0n), gsiBase: num(a.gsiBase, 0n), pins: num(a.pins, 0n), loc: locOf(a) })),
        platformDevices: [
            ...of<ast.Uart>('Uart').map((u) => ({
                name: keys.key('PlatformDevice', u.name ?? ''),
                kind: 'uart' as const,
                base: num(u.base ?? u.port, 0n),
                io: u.port !== undefined,
                size: num(u.size, 0n),
                loc: locOf(u),
            })),
            ...of<ast.GenericDevice>('GenericDevice').map((d) => ({
                name: keys.key('PlatformDevice', d.name ?? ''),
                kind: 'device' as const,
                compatible: d.compatibles.length > 0 ? [...d.compatibles] : undefined,
                base: num(d.base, 0n),
                io: false,
                size: num(d.size, 0n),
                iommus: d.iommus.length > 0 ? d.iommus.map((s) => ({ smmu: s.smmu?.$refText ?? '', streamId: num(s.streamId, 0n), loc: locOf(s) })) : undefined,
                loc: locOf(d),
            })),
        ],
        hostBridges: of<ast.HostBridge>('HostBridge').map((hb) => lowerHostBridge(hb, key(hb), keys)),
        iort: platform.iorts[0] && lowerIort(platform.iorts[0], keys),
        xen: platform.xens[0] && lowerXen(platform.xens[0], keys),
        kvm: platform.kvms[0] && lowerKvm(platform.kvms[0], keys),
        linux: lowerLinux(platform.linuxes[0]),
        scenarios: platform.scenarios.map((sc) => lowerScenario(sc, keys)),
        cpus: platform.cpus[0] && { count: num(platform.cpus[0].count, 0n), loc: locOf(platform.cpus[0]) },
    };
}

function lowerIts(its: ast.Its, name: string): m.Its {
    return {
        name,
        base: num(its.base, 0n),
        deviceIdBits: smallNum(prop(its.props, 'device-id-bits'), 32),
        eventIdBits: prop(its.props, 'event-id-bits') === undefined ? undefined : smallNum(prop(its.props, 'event-id-bits'), 32),
        numaNode: optNum(prop(its.props, 'numa-node')),
        loc: locOf(its),
    };
}

function lowerSmmu(smmu: ast.Smmu, name: string): m.Smmu {
    return {
        name,
        version: (smmu.version ?? 'v3') as m.Smmu['version'],
        base: num(smmu.base, 0n),
        size: optNum(prop(smmu.props, 'size')),
        streamIdBits: smallNum(prop(smmu.props, 'stream-id-bits'), smmu.version === 'v2' ? 15 : 32),
        streamMatches: smmu.streamMatches.map((s) => ({ id: num(s.id, 0n), mask: num(s.mask, 0n), loc: locOf(s) })),
        loc: locOf(smmu),
    };
}

function lowerHostBridge(hb: ast.HostBridge, name: string, keys: LoweringKeys): m.HostBridge {
    const ecam = hb.ecams[0];
    const mcfg = hb.mcfgs[0];
    const busRange = hb.busRanges[0];
    const mask = (kind: ast.MapMaskKind) => optNum(hb.masks.find((k) => k.kind === kind)?.value);
    // The bus range: `bus-range`, else the one MCFG covers, else the DT default 0..255.
    const busStart = num(busRange?.start ?? mcfg?.start, 0n);
    const busEnd = num(busRange?.end ?? mcfg?.end, 0xffn);
    const mapEntry = (e: ast.IommuMapEntry | ast.MsiMapEntry): m.MapEntry => ({
        ridBase: num(e.ridBase, 0n),
        count: num(e.count, 0n),
        target: e.target?.$refText ?? '',
        targetBase: num(e.targetBase, 0n),
        loc: locOf(e),
    });
    return {
        name,
        segment: optNum(hb.segment),
        compatible: hb.compatibles[0] && hb.compatibles[0].values.length > 0 ? [...hb.compatibles[0].values] : undefined,
        compatibleLoc: hb.compatibles[0] ? locOf(hb.compatibles[0]) : undefined,
        ecam: ecam
            ? { convention: 'dt', base: num(ecam.base, 0n), size: num(ecam.size, 0n), loc: locOf(ecam) }
            : mcfg
              ? lowerMcfg(mcfg, busStart, busEnd)
              : undefined,
        childEcam: hb.childEcams[0] && { convention: 'dt', base: num(hb.childEcams[0].base, 0n), size: num(hb.childEcams[0].size, 0n), loc: locOf(hb.childEcams[0]) },
        busStart,
        busEnd,
        windows: hb.windows.map((w) => {
            const cpuBase = num(w.base, 0n);
            return { kind: w.kind as m.WindowKind, prefetchable: w.prefetch, cpuBase, pciBase: num(w.pciBase, cpuBase), size: num(w.size, 0n), loc: locOf(w) };
        }),
        iommuMap: hb.iommuMaps.map(mapEntry),
        msiMap: hb.msiMaps.map(mapEntry),
        iommuMapMask: mask('iommu-map-mask'),
        msiMapMask: mask('msi-map-mask'),
        msiParent: hb.msiParents[0]?.target?.$refText,
        numaNode: optNum(hb.numaNodes[0]?.value),
        ...(hb.configAccesses[0] ? { configAccess: lowerConfigAccess(hb.configAccesses[0]) } : {}),
        functions: hb.functions.map((fn) => lowerFunction(fn, keys)),
        loc: locOf(hb),
        nameLoc: locOfProperty(hb, 'name'),
    };
}

/** The MCFG entry's own buses (`buses S..E`), which a written `bus-range` may exceed (HB-MCFG-PARTIAL). */
function lowerMcfg(mcfg: ast.Mcfg, busStart: bigint, busEnd: bigint): m.ConfigWindow {
    const start = num(mcfg.start, busStart);
    const end = num(mcfg.end, busEnd);
    const count = end >= start ? end - start + 1n : 0n;
    return { convention: 'mcfg', base: num(mcfg.base, 0n), size: count << 20n, buses: { start, end }, loc: locOf(mcfg) };
}

function lowerConfigAccess(c: ast.ConfigAccess): m.ConfigAccess {
    return {
        method: (c.method ?? 'ecam') as m.ConfigAccessMethod,
        ...(c.base !== undefined ? { registers: { base: num(c.base, 0n), size: num(c.size, 0n) } } : {}),
        ...(c.sizes.length > 0 ? { sizes: c.sizes.map((t) => num(t, 0n)) } : {}),
        special: c.special.map((a) => ({ ...pciAddress(a.absolute, a.relative), loc: locOf(a) })),
        loc: locOf(c),
    };
}
