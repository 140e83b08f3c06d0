// The configuration blocks of a platform: IORT, Xen, KVM, Linux options and scenarios.
import type * as ast from '../generated/ast.js';
import type * as m from '../../src/model/platform.js';
import type { SourceLoc } from '../../src/model/source.js';
import type { LoweringKeys } from './keys.js';
import { locOf, locOfProperty } from './loc.js';
import { num, optNum, pciAddress } from './values.js';

export function lowerIort(iort: ast.Iort, keys: LoweringKeys): m.Iort {
    const mapping = (map: ast.IortMapping): m.IortMapping => {
        const range = map.inputStart !== undefined;
        const inputBase = num(range ? map.inputStart : map.inputBase, 0n);
        return {
            inputBase,
            // `ids A..B` is inclusive, so the raw field (number of IDs minus one) is B - A.
            idCount: range ? num(map.inputEnd, inputBase) - inputBase : num(map.idCount, 0n),
            target: map.target?.$refText ?? '',
            outputBase: num(map.outputBase, 0n),
            single: map.single,
            form: range ? 'range' : 'raw',
            loc: locOf(map),
        };
    };
    const nodes = iort.nodes;
    return {
        itsGroups: nodes.filter((n): n is ast.IortItsGroup => n.$type === 'IortItsGroup').map((g) => ({ name: keys.of(g), its: g.its.map((i) => i.$refText), loc: locOf(g) })),
        smmus: nodes.filter((n): n is ast.IortSmmu => n.$type === 'IortSmmu').map((s) => ({
            smmu: s.smmu?.$refText ?? '',
            kind: s.kind as m.IortSmmuNode['kind'],
            mappings: s.mappings.map(mapping),
            deviceIdIndex: optNum(s.deviceIdIndexes[0]),
            loc: locOf(s),
        })),
        rootComplexes: nodes.filter((n): n is ast.IortRootComplex => n.$type === 'IortRootComplex').map((r) => ({
            hostBridge: r.hostBridge?.$refText ?? '',
            segment: optNum(r.segment),
            mappings: r.mappings.map(mapping),
            loc: locOf(r),
        })),
        namedComponents: nodes.filter((n): n is ast.IortNamedComponent => n.$type === 'IortNamedComponent').map((c) => ({
            device: c.device?.$refText ?? '',
            mappings: c.mappings.map(mapping),
            loc: locOf(c),
        })),
        loc: locOf(iort),
    };
}

export function lowerFunctionRef(ref: ast.FunctionRef): m.FunctionRef {
    return { function: ref.function?.$refText ?? '', vf: optNum(ref.vf), loc: locOf(ref) };
}

/**
 * The parser's error recovery leaves a required reference out of the AST when its text is
 * missing (`kvm { host-driver }`): such an entry names nothing, so it is not lowered at all
 * (the syntax error is already reported). Lowering never throws on a partial AST.
 */
function withDevice<N extends { device?: ast.FunctionRef }, T>(node: N, lower: (node: N & { device: ast.FunctionRef }) => T): T[] {
    return node.device ? [lower(node as N & { device: ast.FunctionRef })] : [];
}

function lowerVslot(address: ast.PciAddress | undefined): m.Assignment['vslot'] {
    if (!address) return undefined;
    const { device, fn } = pciAddress(address.absolute, address.relative);
    return { device, fn, loc: locOf(address) };
}

function lowerAssignment(a: ast.Assignment & { device: ast.FunctionRef }): m.Assignment {
    const flags = a.options.filter((o) => o.key !== 'rdm-policy').map((o) => o.key as m.XlFlag);
    const rdm = a.options.find((o) => o.key === 'rdm-policy')?.value;
    return {
        device: lowerFunctionRef(a.device),
        vslot: lowerVslot(a.vslot),
        flags,
        rdmPolicy: rdm as m.Assignment['rdmPolicy'],
        loc: locOf(a),
    };
}

export function lowerXen(xen: ast.Xen, keys: LoweringKeys): m.XenConfig {
    const option = (key: ast.XenOptionKey) => {
        const value = xen.options.find((o) => o.key === key)?.value;
        return value === undefined ? undefined : value === 'on';
    };
    const dom0 = xen.dom0s[0];
    return {
        profile: xen.profiles[0]?.value as m.Profile | undefined,
        pciPassthrough: option('pci-passthrough'),
        iommu: option('iommu'),
        owns: xen.owns.flatMap((o) => o.devices.map((d, i) => ({ name: d.$refText, loc: locOfIndex(o, i) }))),
        assignable: xen.assignables.flatMap((a) => a.devices.map(lowerFunctionRef)),
        dom0: { uses: dom0?.uses.map(lowerFunctionRef) ?? [], memory: optNum(dom0?.memory[0]), loc: dom0 && locOf(dom0), vcpus: optNum(dom0?.vcpus[0]), vcpusLoc: dom0 && vcpusLoc(dom0) },
        domains: xen.domains.map((d) => ({
            name: keys.of(d),
            dom0less: d.dom0less,
            memory: optNum(d.memory[0]),
            vcpus: optNum(d.vcpus[0]),
            vcpusLoc: vcpusLoc(d),
            guestType: d.guestType[0] as m.XenDomain['guestType'],
            holes: d.holes.map((h) => ({ which: h.which as m.MmioHole['which'], base: num(h.base, 0n), size: num(h.size, 0n), loc: locOf(h) })),
            assignments: d.assignments.flatMap((a) => withDevice(a, lowerAssignment)),
            passthrough: d.passthroughs.length > 0 ? d.passthroughs.map((p) => ({ device: p.device?.$refText ?? '', guestBase: optNum(p.guestBase), force: p.force, loc: locOf(p) })) : undefined,
            loc: locOf(d),
            nameLoc: locOfProperty(d, 'name'),
        })),
        loc: locOf(xen),
    };
}

/** Where the first `vcpus N` of a dom0, domain or VM block is written (its number). */
function vcpusLoc(node: ast.Dom0 | ast.XenDomain | ast.KvmVm): SourceLoc | undefined {
    return node.vcpus.length > 0 ? locOfProperty(node, 'vcpus') : undefined;
}

/** The location of the i-th reference of an `owns` list. */
function locOfIndex(owns: ast.Owns, index: number): SourceLoc {
    const ref = owns.devices[index]?.$refNode;
    if (!ref) return locOf(owns);
    const whole = locOf(owns);
    return { uri: whole.uri, start: ref.range.start, end: ref.range.end };
}

export function lowerKvm(kvm: ast.Kvm, keys: LoweringKeys): m.KvmConfig {
    return {
        hostDrivers: kvm.hostDrivers.flatMap((h) =>
            withDevice(h, (d) => ({
                device: lowerFunctionRef(d.device),
                driver: d.driver?.startsWith('"') ? d.driver.slice(1, -1) : (d.driver ?? ''),
                loc: locOf(d),
            })),
        ),
        vms: kvm.vms.map((v) => lowerVm(v, keys)),
        ...(kvm.vfioIommus[0]?.value ? { vfioIommu: { kind: kvm.vfioIommus[0].value as m.VfioIommuKind, loc: locOf(kvm.vfioIommus[0]) } } : {}),
        loc: locOf(kvm),
    };
}

function lowerVm(v: ast.KvmVm, keys: LoweringKeys): m.KvmVm {
    const name = keys.of(v);
    const phbs = v.phbs.map((p) => ({ node: p, name: keys.of(p) }));
    const ported = lowerGuestPorts(v, keys);
    return {
        name,
        memory: optNum(v.memory[0]),
        vcpus: optNum(v.vcpus[0]),
        vcpusLoc: vcpusLoc(v),
        ...(ported.rootPorts ? { rootPorts: ported.rootPorts } : {}),
        assignments: [
            ...ported.assignments,
            // Devices on a written guest PHB: the same entries, with the PHB they sit on.
            ...phbs.flatMap((p) => p.node.assignments.flatMap((a) => withDevice(a, lowerAssignment)).map((a) => ({ ...a, phb: p.name }))),
        ],
        ...(phbs.length > 0 ? { phbs: phbs.map((p) => ({ name: p.name, index: num(p.node.index, 0n), loc: locOf(p.node), nameLoc: locOfProperty(p.node, 'name') })) } : {}),
        loc: locOf(v),
        nameLoc: locOfProperty(v, 'name'),
    };
}

/** A VM's assignments and pcie-root-ports: the devices inside a port are assignments with `guestPort`. */
function lowerGuestPorts(v: ast.KvmVm, keys: LoweringKeys): Pick<m.KvmVm, 'rootPorts' | 'assignments'> {
    const direct = v.assignments.flatMap((a) => withDevice(a, lowerAssignment));
    if (v.rootPorts.length === 0) return { assignments: direct };
    const ports = v.rootPorts.map((p) => {
        const address = p.address ? pciAddress(p.address.absolute, p.address.relative) : { device: 0n, fn: 0n };
        return { node: p, port: { name: keys.of(p), device: address.device, fn: address.fn, loc: locOf(p) } };
    });
    const behind = ports.flatMap(({ node, port }) => node.assignments.flatMap((a) => withDevice(a, (x) => ({ ...lowerAssignment(x), guestPort: port.name }))));
    return { rootPorts: ports.map((p) => p.port), assignments: [...direct, ...behind] };
}

export function lowerLinux(linux: ast.LinuxOptions | undefined): m.LinuxOptions {
    const options = linux?.options ?? [];
    const has = (key: string) => options.some((o) => o.key === key);
    const size = (key: string) => optNum(options.find((o) => o.key === key)?.size);
    return {
        acs: options.find((o) => o.key === 'acs')?.value as m.LinuxOptions['acs'],
        acsOverride: options.flatMap((o) => o.overrides) as m.LinuxOptions['acsOverride'],
        acsOverrideIds: options.flatMap((o) => o.overrideIds.map((id) => ({ vendor: num(id.vendor, 0n), device: num(id.device, 0n), loc: locOf(id) }))),
        noIdQuirks: has('no-id-quirks'),
        pcieScanAll: has('pcie-scan-all'),
        realloc: has('realloc'),
        assignBusses: has('assign-busses'),
        hpMemSize: size('hpmemsize'),
        hpMmioPrefSize: size('hpmmioprefsize'),
        hpIoSize: size('hpiosize'),
        ...(size('vmalloc') !== undefined ? { vmalloc: size('vmalloc') } : {}),
    };
}

export function lowerScenario(scenario: ast.Scenario, keys: LoweringKeys): m.Scenario {
    return {
        name: keys.of(scenario),
        steps: scenario.steps.flatMap(lowerStep),
        loc: locOf(scenario),
        nameLoc: locOfProperty(scenario, 'name'),
    };
}

function lowerStep(step: ast.Step): m.Step[] {
    const loc = locOf(step);
    // dom0 is built in: steps name it with the keyword, other guests by reference.
    const guest = (g: { $refText: string } | undefined, dom0 = false) => (dom0 ? 'dom0' : (g?.$refText ?? ''));
    const vslot = (a: ast.PciAddress | undefined) => {
        const s = lowerVslot(a);
        return s && { device: s.device, fn: s.fn };
    };
    switch (step.$type) {
        case 'BootStep':
            return [step.block ? { kind: 'boot', reports: step.reports.flatMap(lowerDom0Report), loc } : { kind: 'boot', loc }];
        case 'EnableSriovStep':
            return [{ kind: 'enable-sriov', device: step.device?.$refText ?? '', numVfs: num(step.numVfs, 0n), loc }];
        case 'DisableSriovStep':
            return [{ kind: 'disable-sriov', device: step.device?.$refText ?? '', loc }];
        case 'AssignStep':
            return step.device ? [{ kind: 'assign', device: lowerFunctionRef(step.device), guest: guest(step.guest, step.dom0), vslot: vslot(step.vslot), loc }] : [];
        case 'DeassignStep':
            return step.device ? [{ kind: 'deassign', device: lowerFunctionRef(step.device), guest: guest(step.guest, step.dom0), loc }] : [];
        case 'AssignableAddStep':
            return step.device ? [{ kind: 'assignable-add', device: lowerFunctionRef(step.device), loc }] : [];
        case 'AssignableRemoveStep':
            return step.device ? [{ kind: 'assignable-remove', device: lowerFunctionRef(step.device), loc }] : [];
        case 'StartStep':
            return [{ kind: 'start', guest: guest(step.guest), loc }];
        case 'DestroyStep':
            return [{ kind: 'destroy', guest: guest(step.guest), loc }];
        case 'RelocateBarStep':
            return step.device ? [{ kind: 'relocate-bar', device: lowerFunctionRef(step.device), bar: Number(num(step.bar, 0n) & 0xffn), address: num(step.address, 0n), loc }] : [];
        case 'HotPlugStep':
            return step.device ? [{ kind: 'hot-plug', device: lowerFunctionRef(step.device), guest: guest(step.guest, step.dom0), vslot: vslot(step.vslot), loc }] : [];
        case 'HotUnplugStep':
            return step.device ? [{ kind: 'hot-unplug', device: lowerFunctionRef(step.device), guest: guest(step.guest, step.dom0), loc }] : [];
        case 'ResetStep':
            return step.device ? [{ kind: 'reset', device: lowerFunctionRef(step.device), method: step.method as m.ResetMethod | undefined, loc }] : [];
    }
}

function lowerDom0Report(report: ast.Dom0Report): m.Dom0Report[] {
    const loc = locOf(report);
    if (report.$type === 'HostBridgeAddReport') return report.hostBridge ? [{ kind: 'host-bridge-add', hostBridge: report.hostBridge.$refText, loc }] : [];
    return report.device ? [{ kind: 'device-add', device: lowerFunctionRef(report.device), loc }] : [];
}
