// Functions Linux never finds: a whole subtree disappears with the bridge above it.
import type { FabricFunction } from './topology.js';

/**
 * Marks everything below `bridge` (declared functions and their VFs) invisible, keeping a reason
 * already given. Functions never scanned still get a bus for display: the written one, else the
 * bridge's secondary (written or assigned), else the bridge's own bus; and devfn from their
 * written address.
 */
export function hideBelow(bridge: FabricFunction, reason: string): void {
    const stack: FabricFunction[] = [bridge];
    while (stack.length > 0) {
        const parent = stack.pop()!;
        for (const vf of parent === bridge ? [] : parent.vfs) vf.invisible ??= reason;
        for (const child of parent.downstream) {
            child.invisible ??= reason;
            child.bus = child.decl.address.bus ?? parent.secondary ?? parent.decl.secondary ?? parent.bus;
            const devfn = (child.decl.address.device * 8n + child.decl.address.fn) & 0xffn;
            child.devfn = devfn;
            child.device = devfn >> 3n;
            child.fn = devfn & 7n;
            stack.push(child);
        }
    }
}
