// `pciplat export groups`: the predicted IOMMU groups as the usual listing loop prints them on
// the real machine, so the two diff line for line:
//
//   for g in /sys/kernel/iommu_groups/*; do echo "IOMMU Group ${g##*/}:"
//     for d in $g/devices/*; do echo -e "\t$(lspci -nns ${d##*/})"; done; done
//
// The shell's glob sorts names as strings: groups come 0, 1, 10, 11, 2, … and the devices of a
// group by their sysfs name `SSSS:BB:DD.F`. lspci prints the domain only when some function of
// the machine is outside domain 0 (pciutils lspci.c, opt_domains).
import type { FunctionResult } from '../engine/result.js';
import { sbdf } from '../hypervisor/format.js';
import type { ExportInput } from './exporter.js';
import { lspciLine } from './lspci-names.js';
import { Identities } from './identity.js';

/** `BB:DD.F`, or `SSSS:BB:DD.F` when `withDomain`, as lspci names a slot. */
export function lspciSlot(f: EnumeratedFunction, withDomain: boolean): string {
    const text = sysfsName(f);
    return withDomain ? text : text.slice(5);
}

export type EnumeratedFunction = Pick<FunctionResult, 'segment' | 'device' | 'fn'> & { bus: bigint };

/** `SSSS:BB:DD.F`, the function's name under /sys/bus/pci/devices. */
export function sysfsName(f: EnumeratedFunction): string {
    return sbdf(f.segment, f.bus, (f.device << 3n) | f.fn);
}

/** Whether lspci would print domains for this machine (some enumerated function outside domain 0). */
export function printsDomains(functions: readonly FunctionResult[]): boolean {
    return functions.some((f) => f.invisible === undefined && f.segment !== 0n);
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function groupsText(input: ExportInput): string {
    const { result, names } = input;
    const identities = new Identities(input.platform);
    const byName = new Map(result.functions.map((f) => [f.name, f]));
    const domains = printsDomains(result.functions);
    const groups = [...result.groups].sort((a, b) => byString(String(a.id), String(b.id)));
    let text = '';
    for (const g of groups) {
        text += `IOMMU Group ${g.id}:\n`;
        const members = g.members.flatMap((m) => {
            const f = byName.get(m);
            return f && f.bus !== undefined ? [{ ...f, bus: f.bus }] : [];
        });
        members.sort((a, b) => byString(sysfsName(a), sysfsName(b)));
        for (const f of members) text += `\t${lspciLine(names, lspciSlot(f, domains), identities.of(f))}\n`;
    }
    return text;
}
