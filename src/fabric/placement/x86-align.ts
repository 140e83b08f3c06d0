// x86's pcibios_align_resource() (arch/x86/pci/i386.c), which Linux calls on every candidate start
// of an allocation in a PCI window (pci_bus_alloc_from_region() passes it to allocate_resource()):
// - I/O: an address whose bits 0x300 are set is moved to the next 1 KiB boundary, so that no I/O
//   resource sits where ISA cards alias the low 0x100 of every 1 KiB (skip_isa_ioresource_align()
//   only skips this with PCI_CAN_SKIP_ISA_ALIGN, which a default boot does not set);
// - memory: nothing below BIOS_END (1 MiB), the legacy ISA and BIOS area.
// arm64 has no such hook (its start is the aligned candidate).
import { IORESOURCE_IO, IORESOURCE_MEM } from './resource.js';

/** arch/x86/include/asm/e820/types.h BIOS_END. */
const BIOS_END = 0x10_0000n;
const ISA_ALIAS_BITS = 0x300n;
const ISA_ALIAS_STEP = 0x400n;

/** pcibios_align_resource() for a resource of `flags` whose aligned candidate start is `start`. */
export function x86AlignResource(flags: number, start: bigint): bigint {
    if (flags & IORESOURCE_IO) {
        if ((start & ISA_ALIAS_BITS) !== 0n) return (start + ISA_ALIAS_STEP - 1n) & ~(ISA_ALIAS_STEP - 1n);
        return start;
    }
    if (flags & IORESOURCE_MEM && start < BIOS_END) return BIOS_END;
    return start;
}
