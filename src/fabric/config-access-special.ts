// `config-access ecam special ADDR...` (issue 14) names the functions a controller's driver
// special-cases, as lspci prints them (`BB:DD.F`, or `DD.F` on the root bus). An address that is
// no function the scan finds below the host bridge describes nothing: reported at the address,
// so the per-device case it was meant to record is not silently lost. Code HB-CONFIG-ACCESS-SPECIAL.
import { finding, type Finding } from '../findings/finding.js';
import type { Topology } from './topology.js';
import { hex } from './pci-text.js';

export function configAccessSpecialFindings(topology: Topology): Finding[] {
    const findings: Finding[] = [];
    for (const { hostBridge: hb } of topology.hostBridges) {
        const special = hb.configAccess?.special ?? [];
        if (special.length === 0) continue;
        const present = new Set(topology.functions.filter((f) => f.hostBridge === hb && !f.invisible).map((f) => `${f.bus}:${f.devfn}`));
        for (const s of special) {
            const bus = s.bus ?? hb.busStart;
            const devfn = (s.device << 3n) | s.fn;
            if (present.has(`${bus}:${devfn}`)) continue;
            const text = `${hex(bus, 2).slice(2)}:${hex(s.device, 2).slice(2)}.${s.fn.toString(16)}`;
            findings.push(finding('HB-CONFIG-ACCESS-SPECIAL', `config-access special ${text} of host bridge ${hb.name} names no function the scan finds there (bus ${hex(bus, 2)}, device ${hex(s.device, 2)}, function ${s.fn}): the per-device case it records applies to nothing`, s.loc));
        }
    }
    return findings;
}
