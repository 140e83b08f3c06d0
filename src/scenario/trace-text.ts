// The trace as boot-log lines, for the CLI and tests:
//   [1 boot] PHYSDEVOP_pci_device_add sbdf=0000:01:00.0 device=nic0 flags=0 result=0
import type { TraceEvent } from '../hypervisor/result.js';

function quote(value: string): string {
    return /[\s,]/.test(value) ? JSON.stringify(value) : value;
}

export function traceLine(e: TraceEvent): string {
    const args = Object.entries(e.args)
        .map(([k, v]) => `${k}=${quote(v)}`)
        .join(' ');
    return `[${e.step} ${e.stepKind}] ${e.event}${args ? ` ${args}` : ''}`;
}

export function traceText(trace: readonly TraceEvent[]): string[] {
    return trace.map(traceLine);
}
