// Merging the sources of one machine into one platform: the firmware (device tree, or ACPI
// MCFG/IORT/DMAR) gives the hardware around the fabric — RAM, interrupt controllers, IOMMUs,
// host bridges with their windows and ID maps — and a fabric source (sysfs snapshot, lspci)
// gives the functions below. Pure: texts and snapshots in, model and comments out.
import { defaultLinuxOptions, type Platform } from '../model/platform.js';
import { readAcpi, type AcpiSources } from './acpi.js';
import { readDeviceTree, type FirmwareHardware } from './device-tree.js';
import type { ImportNote } from './errors.js';
import { buildFabric } from './fabric.js';
import type { FunctionFacts } from './facts.js';
import { readSysfs, type Snapshot } from './sysfs.js';
import { applyIommuScopes, type UnitScope } from './iommu-scope.js';
import { applyDtPciNodes } from './dt-pci-nodes.js';
import { addComment, importLoc, type Comments } from './source-loc.js';

export interface TextSource {
    /** The file as the user named it (for messages and comments). */
    file: string;
    text: string;
}

export interface ImportSources {
    /** Platform name (a valid .pciplat name). */
    name: string;
    deviceTree?: TextSource;
    sysfs?: Snapshot;
    /** Extra fabric readers (lspci), already turned into facts. */
    facts?: FunctionFacts[];
    /** ACPI tables (iasl -d disassembly). */
    acpi?: AcpiSources;
}

export interface ImportResult {
    platform: Platform;
    comments: Comments;
    notes: ImportNote[];
}

export function importPlatform(sources: ImportSources): ImportResult {
    const comments: Comments = new Map();
    const notes: ImportNote[] = [];
    const loc = importLoc(sources.deviceTree?.file ?? sources.name, 1);
    const platform: Platform = {
        name: sources.name,
        arch: 'x86_64',
        loc,
        memory: [],
        reserved: [],
        its: [],
        smmus: [],
        x86Iommus: [],
        gics: [],
        ioapics: [],
        platformDevices: [],
        hostBridges: [],
        linux: defaultLinuxOptions(),
        scenarios: [],
    };
    let scopes: UnitScope[] = [];
    const firmware: FirmwareHardware = { memory: [], its: [], smmus: [], gics: [], platformDevices: [], hostBridges: [] };
    const dt = sources.deviceTree ? readDeviceTree(sources.deviceTree.text, sources.deviceTree.file, comments) : undefined;
    if (dt) append(firmware, dt);
    if (sources.deviceTree) platform.arch = 'arm64';
    if (sources.acpi) {
        const acpi = readAcpi(sources.acpi, comments);
        platform.arch = acpi.arch;
        append(firmware, { memory: [], its: acpi.its, smmus: acpi.smmus, gics: acpi.gics, platformDevices: [], hostBridges: acpi.hostBridges });
        if (acpi.iort) platform.iort = acpi.iort;
        platform.x86Iommus.push(...acpi.x86Iommus);
        scopes = acpi.scopes;
    }
    Object.assign(platform, {
        memory: firmware.memory,
        its: firmware.its,
        smmus: firmware.smmus,
        gics: firmware.gics,
        platformDevices: firmware.platformDevices,
    });
    const facts = [...(sources.sysfs ? readSysfs(sources.sysfs) : []), ...(sources.facts ?? [])];
    const taken = new Set<string>([
        ...platform.memory,
        ...platform.its,
        ...platform.smmus,
        ...platform.gics,
        ...platform.platformDevices,
        ...platform.x86Iommus,
        ...firmware.hostBridges,
    ].map((o) => o.name));
    const drivers: { name: string; driver: string; facts: FunctionFacts }[] = [];
    platform.hostBridges = buildFabric({ facts, hostBridges: firmware.hostBridges, comments, notes, taken, drivers });
    // The device tree's PCI child nodes: names on the listed functions, or the fabric itself.
    for (const [hb, nodes] of dt?.pciNodes ?? []) applyDtPciNodes(hb, nodes, sources.deviceTree!.file, comments, notes, taken);
    // DMAR device scopes and IVRS device entries, per function: what no unit covers has no IOMMU.
    applyIommuScopes(platform.hostBridges, scopes, comments);
    // The captured machine ran Linux: its view is the kvm one (Linux on the host), with the
    // drivers it had bound. A xen block added by hand makes it a Xen platform again.
    if (facts.length > 0) {
        platform.kvm = {
            hostDrivers: drivers.map((d) => ({ device: { function: d.name, loc: importLoc(d.facts.source.file, d.facts.source.line) }, driver: d.driver, loc: importLoc(d.facts.source.file, d.facts.source.line) })),
            vms: [],
            loc,
        };
        addComment(comments, platform.kvm, 'the drivers the captured Linux had bound (Kernel driver in use / the driver link)');
    }
    // ACS as the captured machine ran it: control bits on any port mean Linux enabled ACS while
    // enumerating; capabilities with every control off mean it had not (device-tree Arm, 6.1).
    const withAcs = facts.filter((f) => f.acs && f.acs.capability !== 0);
    if (withAcs.length > 0) {
        const enabled = withAcs.filter((f) => f.acs!.control !== 0);
        platform.linux.acs = enabled.length > 0 ? 'enabled' : 'deferred';
        addComment(
            comments,
            platform.linux,
            enabled.length > 0
                ? `ACS controls were on at capture (e.g. ${enabled[0]!.source.file}): Linux enabled ACS while enumerating`
                : `every ACS capability had its controls off at capture (${withAcs.length} functions): Linux had not enabled ACS at boot`,
        );
    }
    return { platform, comments, notes };
}

function append(into: FirmwareHardware, from: FirmwareHardware): void {
    into.memory.push(...from.memory);
    into.its.push(...from.its);
    into.smmus.push(...from.smmus);
    into.gics.push(...from.gics);
    into.platformDevices.push(...from.platformDevices);
    into.hostBridges.push(...from.hostBridges);
}
