// An ACPI host bridge whose MCFG entry covers fewer buses than the root bridge decodes (`mcfg ...
// buses S..E` with a wider `bus-range`, the _CRS bus range). x86 Linux keeps the MCFG region,
// logs "MMCONFIG for domain D [bus S-E] only partially covers this bridge" (arch/x86/pci/
// mmconfig-shared.c pci_mmconfig_insert, called from arch/x86/pci/acpi.c setup_mcfg_map) and
// reaches the other buses only through the I/O ports 0xcf8/0xcfc (arch/x86/pci/common.c
// raw_pci_read: segment 0, first 256 bytes). arm64 Linux looks for an entry covering the whole
// range (drivers/acpi/pci_mcfg.c pci_mcfg_lookup), finds none and does not probe the bridge.
// Code HB-MCFG-PARTIAL.
import { AstUtils, type ValidationAcceptor, type ValidationChecks } from 'langium';
import { isPlatform, type HostBridge, type PciplatAstType } from '../generated/ast.js';
import { hex } from '../numbers.js';
import type { PciplatServices } from '../pciplat-module.js';
import { bus, valueOf } from './ast-helpers.js';
import { relatedAt, report } from './report.js';

export function mcfgCoverageChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return { HostBridge: checkMcfgCoversBusRange };
}

function checkMcfgCoversBusRange(bridge: HostBridge, accept: ValidationAcceptor): void {
    const mcfg = bridge.mcfgs[0];
    const range = bridge.busRanges[0];
    if (!mcfg || !range) return;
    const [ms, me, bs, be] = [mcfg.start, mcfg.end, range.start, range.end].map(valueOf);
    if (ms === undefined || me === undefined || bs === undefined || be === undefined || ms > me || bs > be || me > 0xffn || be > 0xffn) return;
    if (ms <= bs && me >= be) return;
    const segment = valueOf(bridge.segment) ?? 0n;
    const arch = AstUtils.getContainerOfType(bridge, isPlatform)?.arch[0]?.value;
    const coversRoot = ms <= bs && bs <= me;
    const lost = coversRoot ? { start: me + 1n, end: be } : { start: bs, end: be };
    const lostText = lost.start === lost.end ? `bus ${bus(lost.start)}` : `buses ${bus(lost.start)}..${bus(lost.end)}`;
    const head = `The MCFG entry of host bridge ${bridge.name} covers buses ${bus(ms)}..${bus(me)}, but the host bridge decodes buses ${bus(bs)}..${bus(be)} (bus-range, the ACPI _CRS range)`;
    let why: string;
    if (arch === 'arm64') {
        why = `arm64 Linux finds no MCFG entry covering the whole range (pci_mcfg_lookup), so it does not probe the host bridge ("ECAM region not found"): no function below ${bridge.name} is found`;
    } else {
        const linux = coversRoot
            ? `Linux logs "MMCONFIG for domain ${plain(segment, 4)} [bus ${plain(ms, 2)}-${plain(me, 2)}] only partially covers this bridge" (pci_mmconfig_insert)`
            : `Linux uses no MMCONFIG region for the host bridge, since the entry does not cover its root bus ${bus(bs)} (pci_mmconfig_lookup)`;
        why =
            segment === 0n
                ? `${linux} and reaches ${lostText} only through the I/O ports 0xcf8/0xcfc, 256 bytes per function: their extended capabilities (ACS, ARI, SR-IOV, AER) are unreachable`
                : `${linux}; ${lostText} of segment ${hex(segment)} ${lost.start === lost.end ? 'is' : 'are'} unreachable (I/O-port configuration access serves segment 0 only)`;
    }
    report(accept, 'HB-MCFG-PARTIAL', `${head}: ${why}.`, { node: mcfg, property: coversRoot ? 'end' : 'start' }, [relatedAt(range, `bus-range of ${bridge.name}`)]);
}

/** Hex digits without `0x`, as Linux's log prints domains and buses. */
function plain(value: bigint, width: number): string {
    return value.toString(16).padStart(width, '0');
}
