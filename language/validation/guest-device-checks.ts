// Devices as guests see them: non-PCI `passthrough` is Xen on Arm's device-tree passthrough and
// maps memory (not I/O ports); a guest `pcie-root-port` sits on the guest's bus 0.
import { AstUtils, type AstNode, type ValidationAcceptor, type ValidationChecks } from 'langium';
import { isPlatform, type GuestRootPort, type Passthrough, type PciplatAstType } from '../generated/ast.js';
import type { PciplatServices } from '../pciplat-module.js';
import { report } from './report.js';

export function guestDeviceChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        Passthrough: checkPassthrough,
        GuestRootPort: checkGuestRootPort,
    };
}

function archOf(node: AstNode): string | undefined {
    const values = new Set((AstUtils.getContainerOfType(node, isPlatform)?.arch ?? []).map((a) => a.value));
    return values.size === 1 ? [...values][0] : undefined;
}

function checkPassthrough(p: Passthrough, accept: ValidationAcceptor): void {
    if (archOf(p) === 'x86_64') {
        report(accept, 'LANG-ARCH-MISMATCH', `passthrough gives a device-tree device to a domain (Xen on Arm: xen,path / dtdev), but this platform is arch x86_64, where xl passes non-PCI ranges with iomem and ioports.`, { node: p, keyword: 'passthrough' });
    }
    const device = p.device?.ref;
    if (device?.$type === 'Uart' && device.port !== undefined) {
        report(accept, 'LANG-NOT-APPLICABLE', `passthrough maps memory-mapped registers (xen,reg), but UART ${device.name} is on I/O ports.`, { node: p, property: 'device' });
    }
}

function checkGuestRootPort(port: GuestRootPort, accept: ValidationAcceptor): void {
    const bus = port.address?.absolute ? /^(?:[0-9a-fA-F]{1,4}:)?([0-9a-fA-F]{1,2}):/.exec(port.address.absolute)?.[1] : undefined;
    if (bus !== undefined && BigInt(`0x${bus}`) !== 0n) {
        report(accept, 'LANG-VALUE-RANGE', `pcie-root-port ${port.name} is written on guest bus ${bus}: a VM's root ports sit on bus 0 (QEMU's pcie.0); write 00:DD.F or DD.F.`, { node: port, property: 'address' });
    }
}
