// Every finding pciplat can report, with its default severity and the user-facing explanation.
// docs/diagnostics.md is generated from this table (`npm run docs:codes`) and a test fails when
// the two disagree, so a code cannot ship undocumented.

import type { Severity } from './finding.js';

export interface CodeInfo {
    severity: Severity;
    /** Which layer reports it: input/language checks need no simulation. */
    layer: 'input' | 'language' | 'fabric' | 'hypervisor' | 'scenario' | 'compare';
    title: string;
    /** Why it matters, for the docs and hovers. */
    why: string;
}

function code(severity: Severity, layer: CodeInfo['layer'], title: string, why: string): CodeInfo {
    return { severity, layer, title, why };
}

export const CODES = {
    // --- reading input -------------------------------------------------------------------------
    'LANG-SYNTAX': code('error', 'input', 'Syntax error', 'The text does not follow the grammar; the parser skipped part of it, so later findings may be incomplete.'),
    'LANG-NOT-TEXT': code('error', 'input', 'Not a text file', 'The file holds NUL bytes or is not valid UTF-8; it was not parsed.'),
    'LANG-FILE-TOO-LARGE': code('error', 'input', 'File too large', 'The file exceeds the size pciplat parses; split it with `import`.'),
    'LANG-TOO-DEEP': code('error', 'input', 'Blocks nested too deep', 'The `{ }` blocks nest deeper than pciplat parses (512 levels; a platform with 256 nested buses needs about 260), which almost always means braces that are never closed; the file was not parsed.'),
    'CLI-OUT-OF-MEMORY': code('error', 'input', 'Command ran out of memory', 'The `pciplat` command needed more than its heap ceiling (4096 MiB, or PCIPLAT_MAX_MEMORY_MB) and was stopped with exit status 2; nothing was reported. Split the input with `import` or raise the ceiling.'),
    'LANG-PARSE-ABORTED': code('error', 'input', 'Parser gave up', 'Error recovery on a badly broken file exhausted the parser; fix the first syntax errors and retry.'),
    'LANG-IMPORT-NOT-FOUND': code('error', 'input', 'Imported file not found', 'An `import` names a file that does not exist or cannot be read; the names it would declare are missing.'),
    'LANG-IMPORT-SELF': code('error', 'input', 'File imports itself', 'An `import` names the file that contains it; it adds nothing and is almost always a wrong path.'),
    'LANG-UNRESOLVED': code('error', 'input', 'Unknown name', 'A reference names nothing of the expected kind in this file or the files it imports.'),
    'LANG-INTERNAL': code('error', 'input', 'Internal error', 'pciplat failed on this construct; the rest of the file was still checked. Please report it with the file.'),
    'LANG-DUPLICATE-NAME': code('error', 'input', 'Duplicate name', 'Two declarations visible to each other share a name, so references to it are ambiguous.'),

    // --- pciplat import (src/import/) ------------------------------------------------------------
    'IMPORT-LSPCI-SYNTAX': code('error', 'input', 'lspci listing not understood', 'A line of the `lspci -vvv -nn` listing is not what lspci prints (a truncated or garbled copy); nothing was written.'),
    'IMPORT-CONFIG-BYTES': code('error', 'input', 'Configuration bytes not understood', 'A function\'s configuration space (sysfs `config`, an `lspci -xxxx` block) is too short, not hex, or reads as no function; nothing was written.'),
    'IMPORT-SYSFS-LAYOUT': code('error', 'input', 'Not a sysfs snapshot', 'The folder is not laid out like /sys (bus/pci/devices/DDDD:BB:DD.F/config, resource), or one of its files is garbled; nothing was written.'),
    'IMPORT-NOT-DTB': code('error', 'input', 'Not a device tree', 'The file given as a device tree is neither device tree source nor a blob `dtc -I dtb` can read; nothing was written.'),
    'IMPORT-DTS-SYNTAX': code('error', 'input', 'Device tree source not understood', 'The device tree source is not what `dtc -O dts` prints (unbalanced braces, a property without `;`, a bad cell); nothing was written.'),
    'IMPORT-ACPI-TABLE': code('error', 'input', 'ACPI table not understood', 'The file is not the `iasl -d` disassembly (or binary) of the table it was given as (an MCFG given as --iort, a truncated table); nothing was written.'),
    'IMPORT-DEVICE-TWICE': code('error', 'input', 'Function listed twice', 'Two entries of the inputs describe the same segment:bus:device.function, so one of them is not this machine; nothing was written.'),
    'IMPORT-BUS-CONTRADICTION': code('error', 'input', 'Bridge bus numbers contradict its children', 'A function sits on a bus that no bridge forwards to, or inside a bridge whose secondary..subordinate range does not hold it; the listing is not one machine\'s; nothing was written.'),
    'IMPORT-TOOL-MISSING': code('error', 'input', 'External tool missing', 'Reading this input needs a tool that is not installed (`dtc` from device-tree-compiler, `iasl` from acpica-tools).'),
    'IMPORT-UNKNOWN': code('warning', 'input', 'Fact the source does not show', 'The source lacks something the platform needs (a BAR size in an lspci listing without sysfs access, capabilities behind `<access denied>`); the platform says so in a comment and leaves it out.'),
    'IMPORT-HOST-BRIDGE-GUESSED': code('warning', 'input', 'Host bridge without firmware description', 'No device tree or ACPI table described the host bridge of these functions, so its configuration window and apertures are placeholders derived from the functions; give --dt or --mcfg for the real ones.'),

    // --- language-level checks (no simulation) -----------------------------------------------
    'LANG-NUMBER-OVERFLOW': code('error', 'language', 'Number does not fit 64 bits', 'Addresses, sizes and IDs are 64-bit unsigned values.'),
    'LANG-VALUE-RANGE': code('error', 'language', 'Value out of range', 'The value is outside what the hardware field or the hypervisor interface can hold.'),
    'LANG-DUPLICATE-PROPERTY': code('error', 'language', 'Property given twice', 'A property that holds one value is written more than once; only one can be meant.'),
    'LANG-MISSING-PROPERTY': code('error', 'language', 'Required part missing', 'The object cannot be simulated without it.'),
    'LANG-CONTRADICTORY': code('error', 'language', 'Contradictory description', 'Two parts of the description cannot both be true of the hardware.'),
    'LANG-NOT-APPLICABLE': code('error', 'language', 'Property does not apply to this kind', 'The property exists only on other kinds of object (for example bus numbers on a non-bridge).'),
    'PCI-DEVICE-RANGE': code('error', 'language', 'Device number above 31', 'A PCI device number has 5 bits (0-0x1f).'),
    'PCI-FUNCTION-RANGE': code('error', 'language', 'Function number out of range', 'Without ARI a function number has 3 bits (0-7); ARI functions (up to 0xff) are device 0 below an ARI-capable port.'),
    'PCI-BUS-RANGE': code('error', 'language', 'Bus number above 255', 'A bus number has 8 bits.'),
    'PCI-SEGMENT-RANGE': code('error', 'language', 'Segment above 0xffff', 'A PCI segment (domain) number has 16 bits.'),
    'PCI-PLACEMENT': code('error', 'language', 'Function placed where its kind cannot be', 'Root ports and RC endpoints sit on the root bus, downstream ports below a switch upstream port, switch upstream ports below a root or downstream port; only bridges have functions below them.'),
    'PCI-ADDRESS-DUPLICATE': code('error', 'language', 'Two functions at one address', 'Two functions on the same bus claim the same device and function number; config cycles cannot reach both.'),
    'PCI-MF-NO-FUNCTION0': code('warning', 'language', 'Multi-function device without function 0', 'Linux scans functions 1-7 only when function 0 exists and is multi-function; the others stay invisible.'),
    'PCI-MF-NOT-MULTIFUNCTION': code('warning', 'language', 'Function 0 not marked multifunction', 'Other functions share the slot, but function 0 does not set the multi-function header bit, so Linux does not scan them.'),
    'PCI-BAR-INDEX': code('error', 'language', 'BAR index out of range', 'A type 0 header has BARs 0-5, a type 1 (bridge) header BARs 0-1.'),
    'PCI-BAR-INDEX-TAKEN': code('error', 'language', 'BAR index already used', 'The index is declared twice, or is the upper half of a 64-bit BAR below it.'),
    'PCI-BAR64-LAST': code('error', 'language', '64-bit BAR in the last BAR slot', 'A 64-bit BAR needs the next BAR register for its upper 32 bits; there is none after BAR 5 (BAR 1 on a bridge).'),
    'PCI-BAR-SIZE-POW2': code('error', 'language', 'BAR size not a power of two', 'BAR sizing returns a power of two; no hardware decodes another size.'),
    'PCI-BAR-SIZE-MIN': code('error', 'language', 'BAR smaller than its kind allows', 'Memory BARs decode at least 16 bytes, I/O BARs 4 bytes, expansion ROMs 2 KiB.'),
    'PCI-BAR-MISALIGNED': code('error', 'language', 'BAR address not aligned to its size', 'A BAR decodes an address range naturally aligned to its size; the low address bits are read-only zero.'),
    'PCI-BAR32-ABOVE-4G': code('error', 'language', '32-bit BAR above 4 GiB', 'A 32-bit BAR cannot hold an address at or above 4 GiB.'),
    'PCI-MSI-VECTORS': code('error', 'language', 'MSI vector count impossible', 'Multiple Message Capable encodes a power of two from 1 to 32.'),
    'PCI-MSIX-BIR': code('error', 'language', 'MSI-X table or PBA in an unusable BAR', 'The BIR must name a memory BAR of the function (not I/O, not the upper half of a 64-bit BAR); Xen vPCI refuses the device otherwise.'),
    'PCI-MSIX-OUTSIDE-BAR': code('error', 'language', 'MSI-X structure extends past its BAR', 'The table (16 bytes per entry) and the PBA (one bit per entry, in qwords) must lie inside the BAR.'),
    'PCI-MSIX-OVERLAP': code('error', 'language', 'MSI-X table and PBA overlap', 'The PCI specification forbids it; vector writes corrupt pending bits.'),
    'PCI-MSIX-MISALIGNED': code('error', 'language', 'MSI-X offset not 8-byte aligned', 'The low 3 bits of the offset register hold the BIR.'),
    'SRIOV-OFFSET-STRIDE': code('error', 'language', 'SR-IOV offset or stride zero', 'Linux refuses SR-IOV when First VF Offset is 0, or VF Stride is 0 while TotalVFs > 1.'),
    'SRIOV-NUMVFS': code('error', 'language', 'NumVFs above TotalVFs', 'The PF cannot enable more VFs than it supports.'),
    'SRIOV-VF-BAR-IO': code('error', 'language', 'I/O VF BAR', 'VF BARs are memory only.'),
    'SRIOV-VF-BAR-PAGE': code('error', 'language', 'VF BAR not a multiple of the page size', 'Each VF BAR must be a multiple of the system page size; Linux rejects the device otherwise.'),
    'HB-ECAM-TOO-SMALL': code('error', 'language', 'ECAM window smaller than its bus range', 'Each bus takes 1 MiB of ECAM; configuration space of the upper buses is unreachable.'),
    'MAP-ID-BASE-MASK': code('error', 'language', 'Map entry unreachable under the mask', 'Linux and Xen AND the requester ID with the map mask before matching; an entry whose rid-base has bits outside the mask fails the lookup (-EFAULT).'),
    'MAP-EMPTY-ENTRY': code('warning', 'language', 'Map entry covers no ID', 'A count of 0 (or an empty IORT range) matches nothing.'),

    // --- language checks on PCI functions (language/validation/*: addresses, placement, bridges) ---
    'PCI-ADDRESS-SEGMENT': code('error', 'language', 'Segment differs from the host bridge', 'A function is in the segment (PCI domain) of its host bridge; an address written with another segment names a function that is not there.'),
    'PCI-ADDRESS-BUS': code('error', 'language', 'Written bus is not the bus the function sits on', 'Functions below a bridge sit on its secondary bus and those directly in a host bridge on its root bus, inside its bus range; a bus in the address that says otherwise contradicts the topology.'),
    'PCI-BRIDGE-BUSES': code('error', 'language', 'Bridge bus numbers impossible', 'A bridge forwards configuration cycles for buses secondary..subordinate: the secondary bus is above the bus the bridge sits on and at most the subordinate, a bridge\'s range nests inside its parent\'s and sibling ranges are disjoint; otherwise cycles are not routed or reach the wrong bridge.'),
    'PCI-WINDOW-GRANULARITY': code('error', 'language', 'Bridge window not on its granularity', 'Bridge base/limit registers hold only the upper address bits: memory windows are 1 MiB-granular, I/O windows 4 KiB (1 KiB on bridges with io-window-1k); other bounds cannot be programmed, so the bridge forwards a different range.'),
    'PCI-WINDOW-NONPREF-64': code('error', 'language', '64-bit non-prefetchable bridge window', 'A bridge\'s non-prefetchable memory window has 32-bit base and limit registers; only the prefetchable window can be 64-bit.'),

    // --- language checks on resources (language/validation/: bar, rom, msi, msix, sriov) -------
    'PCI-BAR-IO-LARGE': code('warning', 'language', 'I/O BAR larger than 256 bytes', 'PCI asks I/O BARs to stay within 256 bytes: the I/O space is 64 KiB on most platforms and bridges forward it in 4 KiB blocks, so a large I/O BAR often cannot be placed.'),

    // --- language checks on platforms (language/validation/: hardware, host bridges, IORT, Xen) -
    'LANG-NOT-IN-PLATFORM': code('error', 'language', 'Reference to hardware outside the platform', 'Names are visible across imported files, but a platform is only its own declarations and the SoCs it includes; hardware of another platform or of a SoC it does not include does not exist on this machine.'),
    'LANG-ARCH-MISMATCH': code('warning', 'language', 'Hardware or profile of the other architecture', 'ITS, SMMU, GIC, IORT and device-tree ECAM are Arm; MCFG, IO-APIC and VT-d/AMD-Vi are x86 (and Xen on Arm has no ACPI PCI support). Mixing them is almost always a wrong `arch` or a copied block.'),
    'HB-SEGMENT-OVERLAP': code('error', 'language', 'Two host bridges share a segment and buses', 'A PCI address (segment, bus, device, function) must name one function; two host bridges with the same segment and overlapping bus ranges make it ambiguous.'),
    'IORT-RC-SEGMENT': code('error', 'language', 'IORT root-complex segment duplicated or wrong', 'Linux matches a root-complex node by its PCI segment number and uses the first match: a second node for the same segment is never used, and a node whose segment is not its host bridge\'s maps other devices.'),
    'IORT-SINGLE-MAPPING': code('warning', 'language', 'Single mapping on an SMMU node', 'The single-mapping flag is meaningful on root-complex and named-component nodes and for an SMMUv3 node\'s own DeviceID entry; on any other SMMU translation entry Linux skips the entry (FW_BUG).'),
    'IORT-DEVICE-ID-INDEX': code('warning', 'language', 'Bad SMMUv3 DeviceID mapping index', 'The index names the mapping that gives the SMMU\'s own MSI DeviceID; given twice, or not below the number of mappings, Linux reports FW_BUG and the SMMU\'s MSIs get no DeviceID.'),
    'IORT-ID-COUNT': code('warning', 'language', 'IORT range looks like it uses id-count as a count', 'IORT id-count is the number of IDs minus one; a range ending on the ID where the next range starts is the classic off-by-one, which Linux only tolerates with a workaround.'),
    'LANG-NO-SRIOV': code('error', 'language', 'Virtual function of a function without SR-IOV', 'Only a function with an SR-IOV capability has virtual functions to name, enable or disable.'),
    'LANG-NO-BAR': code('error', 'language', 'BAR not declared', 'The step names a BAR index the function (or its VFs) does not have, or the upper half of a 64-bit BAR.'),

    // --- src/engine ----------------------------------------------------------------------------
    'ENGINE-INTERNAL': code('error', 'fabric', 'Simulation stage failed', 'A stage of the simulation threw on this platform; the results of the other stages are still reported. Please report it with the file.'),
    'ENGINE-OUT-OF-MEMORY': code('error', 'fabric', 'Simulation ran out of memory', "The language server's simulation of this platform needed more than the worker's heap ceiling (docs/cli.md, Resource limits) and was stopped; the language findings are still shown."),
    'FINDINGS-OMITTED': code('info', 'fabric', 'More findings of one code not shown', 'One platform gave more findings of one code than pciplat shows (100); the first ones are reported and this finding says how many more there are. They usually share one cause: fix it and re-run.'),

    // --- src/fabric ----------------------------------------------------------------------------
    'PLATFORM-REGION-OVERLAP': code('error', 'fabric', 'Regions of the physical address map overlap', 'ECAM or MCFG config space, host-bridge windows, RAM and device registers must each own their addresses; where two overlap, config cycles, memory and MMIO alias each other (and Xen maps host-bridge regions 1:1 into dom0).'),
    // src/fabric/enumerate.ts: bus numbers, functions the scan finds, SR-IOV VFs
    'PCI-BUS-NUMBERS-INVALID': code('error', 'fabric', 'Bridge bus numbers impossible', 'A bridge\'s secondary bus must be above the bus it sits on and not above its subordinate bus; Linux treats such a configuration as invalid and renumbers the bridge, so the written numbers (and addresses written below it) are not the ones in use.'),
    'PCI-BUS-OUTSIDE-PARENT': code('error', 'fabric', 'Bridge buses outside the range forwarded to it', 'Configuration cycles reach a bus only through bridges whose secondary-subordinate range contains it; buses beyond the range of a bridge above are unreachable, and the functions on them are never found.'),
    'PCI-BUS-OUTSIDE-HOST-BRIDGE': code('error', 'fabric', 'Bridge buses beyond the host bridge\'s bus-range', 'The host bridge decodes (and its ECAM maps) only its bus-range; buses beyond it are unreachable, and the functions on them are never found.'),
    'PCI-BUS-CONFLICT': code('error', 'fabric', 'Bus numbers claimed twice', 'Two bridges on one bus (or a bridge and the SR-IOV VFs of a PF beside it) claim overlapping bus numbers: configuration cycles for those buses reach only one of them.'),
    'PCI-BUS-EXHAUSTED': code('error', 'fabric', 'No bus number left for a bridge', 'Linux numbers bridges depth-first from the start of the host bridge\'s bus-range; when the next free bus lies beyond the bus-range, or beyond the subordinate bus of a firmware-configured bridge above, Linux 6.1 numbers the bridge past the range anyway (it logs "busn_res: can not insert"), finds nothing behind it, and gives every later bridge the next number after it: the devices behind those bridges are unusable.'),
    'PCI-BUS-RENUMBERED': code('warning', 'fabric', 'Linux renumbers written bus numbers', 'With `linux { assign-busses }` Linux ignores the bus numbers firmware left in the bridges and numbers every bridge itself; the written numbers are not the ones the OS (and Xen, which dom0 informs) uses.'),
    'PCI-SEGMENT-MISMATCH': code('error', 'fabric', 'Function written in another segment than its host bridge is allocated', 'A host bridge without `segment` gets the next free segment number (as Linux and Xen allocate them); a function written as `SSSS:BB:DD.F` with another segment contradicts it.'),
    'PCI-DEVICE-INVISIBLE': code('error', 'fabric', 'Device other than 0 below a PCIe port', 'The link below a Root Port or Downstream Port carries one device, so Linux scans only device 0 there (unless ARI is enabled or `linux { pcie-scan-all }`); a function at another device number is never found.'),
    'PCI-ARI-NOT-IN-CHAIN': code('warning', 'fabric', 'ARI function outside the Next Function chain', 'With ARI, Linux scans function 0 and then follows each function\'s ARI Next Function Number (a number not above the current one ends the chain); a function the chain never names is never found.'),
    'SRIOV-VF-BUS-OUT-OF-RANGE': code('error', 'fabric', 'VFs beyond the buses forwarded to the PF', 'VFs may sit on buses above the PF\'s with no bridge, but those buses must be within the subordinate bus of the port above the PF (the host bridge\'s bus-range on the root bus); otherwise Linux refuses to enable the VFs.'),
    'SRIOV-RID-COLLISION': code('error', 'fabric', 'VF routing ID already taken', 'A VF\'s requester ID (PF RID + First VF Offset + i x VF Stride) equals another function\'s: configuration requests, DMA and IOMMU/ITS IDs of the two cannot be told apart.'),
    // src/fabric/ids, src/fabric/groups: requester IDs, ID translation, IOMMU groups
    'MAP-RID-UNMAPPED': code('error', 'fabric', 'DMA master not covered by iommu-map', 'Linux translates every DMA alias of a device through iommu-map; an alias no entry matches ends the lookup with no IOMMU, so the device gets no StreamID and no IOMMU group (its DMA faults behind an SMMU that blocks unknown streams), and Xen on Arm cannot add it to the SMMU.'),
    'IORT-RID-UNMAPPED': code('error', 'fabric', 'DMA master not mapped to an SMMU by the IORT', 'On an ACPI boot Linux walks each DMA alias from the root-complex node to an SMMU node; an alias that reaches none leaves the device without an IOMMU and an IOMMU group.'),
    'MAP-OVERLAP': code('warning', 'fabric', 'Overlapping map entries', 'iommu-map and msi-map entries are tried in order and the first match wins, silently; the later entry never translates the shared IDs.'),
    'IORT-MAPPING-OVERLAP': code('warning', 'fabric', 'Overlapping IORT mappings', 'Linux uses the first IORT mapping that matches an ID; a later overlapping mapping is a "conflicting mapping" (FW_BUG) and is disregarded, except in the off-by-one case.'),
    'IORT-RC-MISSING': code('error', 'fabric', 'No IORT root-complex node for a host bridge', 'Linux finds a host bridge\'s IORT node by PCI segment; with none, its devices get no IOMMU and no IORT MSI mapping.'),
    'SMMU-STREAM-ID-RANGE': code('error', 'fabric', 'StreamID beyond the SMMU\'s StreamID width', 'A StreamID at or above 2^stream-id-bits (SMMUv3 IDR1.SIDSIZE, SMMUv2 NUMSIDB) has no stream-table entry; Linux and Xen reject the master (-ERANGE).'),
    'ITS-DEVICE-ID-RANGE': code('error', 'fabric', 'DeviceID beyond the ITS\'s DeviceID width', 'The ITS accepts DeviceIDs below 2^(GITS_TYPER.Devbits+1); a larger one cannot be mapped (MAPD fails) and the device\'s MSIs never arrive.'),
    'GROUP-ACS-UNKNOWN': code('warning', 'fabric', 'IOMMU groups depend on an ACS the description does not give', 'A function written `acs unknown` (a listing read without root shows no capabilities) is computed as having no ACS capability; the IOMMU groups that Linux decides by reading its ACS may be smaller on the real machine. Read the listing as root (`sudo lspci -vvv`) and write its ACS.'),
    'SMMU-STREAM-ID-SHARED': code('warning', 'fabric', 'Two masters share a StreamID on an SMMUv3', 'Linux\'s SMMUv3 driver refuses a second master for a StreamID already in its tree, so the later device gets no IOMMU and no group; Xen does not notice and the last assignment wins. Functions behind one PCIe-to-PCI bridge all carry its alias. An error once the devices go to different domains.'),
    'SMMU-STREAM-MATCH-CONFLICT': code('error', 'fabric', 'StreamIDs in stream-map entries of two groups', 'The SMMUv2 driver groups devices by shared stream-map entries; a device whose entries belong to two different groups fails its probe (-EINVAL) and gets no IOMMU group.'),
    'MAP-ALIAS-SPLIT': code('error', 'fabric', 'DMA aliases of one device translate to different IOMMUs', 'Linux keeps one IOMMU per device: an alias on another SMMU of the same driver has its StreamID recorded under the first SMMU, where its DMA never arrives; an IOMMU of another driver fails the setup (-EINVAL).'),
    'MAP-IORT-MISMATCH': code('warning', 'fabric', 'Device-tree maps and IORT disagree', 'The platform describes the same ID translation twice (iommu-map/msi-map and IORT); where they differ, a device-tree boot (and Xen on Arm, which is device-tree only) and an ACPI boot program different StreamIDs or DeviceIDs.'),
    // src/fabric/placement: BAR, ROM, VF BAR aperture and bridge-window placement
    'PCI-BAR-OUTSIDE-WINDOWS': code('error', 'fabric', 'BAR outside every host-bridge window', 'A host bridge forwards only the addresses of its windows (device-tree `ranges`, ACPI _CRS); a BAR elsewhere is never reached. Linux cannot claim it, and Xen on Arm logs "invalid position" and does not map it.'),
    'PCI-BAR-NONPREF-IN-PREF': code('error', 'fabric', 'Non-prefetchable BAR in a prefetchable window or above 4 GiB behind a bridge', 'Reads through a prefetchable window may be merged or done ahead, which breaks registers with read side effects; Linux refuses to claim such a BAR. Behind a bridge non-prefetchable memory is forwarded only by the 32-bit memory window, so it must lie below 4 GiB.'),
    'PCI-BAR-OUTSIDE-BRIDGE-WINDOW': code('error', 'fabric', 'BAR outside its bridge\'s window', 'A bridge forwards I/O, memory and prefetchable memory only through its windows; a BAR below it outside the window of its type is never reached.'),
    'PCI-BAR-OVERLAP': code('error', 'fabric', 'BARs overlap', 'Two functions decoding the same addresses answer the same cycles; Linux refuses the second claim and Xen drops overlapping ranges from the mappings it makes.'),
    'PCI-RESOURCE-NO-SPACE': code('error', 'fabric', 'No space for a BAR, ROM or bridge window', 'Linux found no free, aligned range of the right type in the windows of the bus, so the resource stays unassigned (and a bridge window\'s absence starves everything below it). A missing I/O BAR is a warning: the function still works through memory; so is an empty hot-plug port\'s reservation that does not fit on the ACPI path, where it is optional.'),
    'SRIOV-APERTURE-NO-SPACE': code('error', 'fabric', 'No space for an SR-IOV VF BAR aperture', 'Linux reserves each VF BAR for all TotalVFs at once (size × TotalVFs, aligned to the VF BAR size); without the space the PF keeps working but its VFs cannot be enabled.'),
    'PCI-BAR-NOT-ASSIGNED': code('warning', 'fabric', 'BAR Linux leaves unassigned', 'Linux does not assign the resources of host-bridge-class (0x0600xx) and undefined-class (0x0000xx) functions; unless firmware wrote an address, the BAR decodes nothing.'),
    'PCI-WINDOW-OUTSIDE-PARENT': code('error', 'fabric', 'Bridge window outside its parent\'s window', 'A bridge receives only what the bridge (or host bridge) above forwards; a window outside the parent\'s window of its type forwards addresses that never reach it.'),
    'PCI-WINDOW-OVERLAP': code('error', 'fabric', 'Bridge window overlaps a sibling', 'On one bus a range must belong to one function: a bridge window overlapping another bridge\'s window or a sibling\'s BAR is both forwarded and decoded.'),

    // --- src/hypervisor and src/scenario ------------------------------------------------------
    'HV-DEVICE-UNKNOWN': code('error', 'hypervisor', 'Device unknown to the hypervisor', 'The device was never reported to the hypervisor: Linux\'s scan does not find it, its SR-IOV VF is not enabled, or PHYSDEVOP_pci_device_add failed. Assigning, resetting or moving it fails (-ENODEV). When the reason is a fault reported where it lies (a VF of an SR-IOV capability Linux refused, a device whose add failed), this is a note, not a second error.'),
    'HV-ASSIGNED-TWICE': code('error', 'hypervisor', 'Device already assigned to another guest', 'Xen moves a device to a guest only from dom0 or dom_io (XEN_DOMCTL_assign_device returns -EBUSY otherwise); a VFIO device belongs to one VM. Detach it from the first guest before giving it to the second.'),
    'HV-GROUP-SPLIT': code('error', 'hypervisor', 'IOMMU group split across domains', 'Functions of one IOMMU group can reach each other peer to peer without the IOMMU seeing it (shared DMA alias, or no ACS on the path); giving them to different domains, or one to dom0 and one to a guest, leaves the domains unisolated. Xen on Arm does not know groups, so nothing stops it.'),
    'HV-MF-SPLIT': code('error', 'hypervisor', 'Multi-function device without ACS split across domains', 'Functions of one multi-function device without ACS reach each other inside the device; the toolstack should pass all functions together.'),
    'HV-NO-RESET': code('warning', 'hypervisor', 'Device without a usable reset', 'Without FLR, a working PM reset or a secondary bus reset the device keeps its state (DMA setup, keys, buffers) from one owner to the next.'),
    'HV-RESET-SCOPE': code('error', 'hypervisor', 'Reset reaches other owners', 'A secondary bus reset resets every function on the bus; resetting a device held by a running guest pulls it from under the guest\'s driver.'),
    'HV-RELOCATE-INVALID': code('error', 'hypervisor', 'BAR moved where it cannot decode', 'A BAR must be naturally aligned, inside a host-bridge window of its type (a non-prefetchable BAR not in a prefetchable window, a 32-bit BAR below 4 GiB) and clear of other BARs; Xen on Arm refuses to map a BAR outside the windows ("invalid position").'),
    'HV-RELOCATE-ASSIGNED': code('error', 'hypervisor', 'BAR of a guest\'s device moved under it', 'dom0\'s (or the host\'s) write to a device it does not own is not trapped, so the guest\'s stage-2 or VFIO mapping keeps pointing at the old address; a device Xen keeps is read-only.'),
    'HV-BAR-PAGE-SHARED': code('error', 'hypervisor', 'BAR shares a 4 KiB page with another domain\'s BAR', 'Mappings are made page by page, so a guest given a sub-page BAR also reaches whatever else lies in that page (not security supported by Xen). A warning when both BARs go to the same domain.'),
    'HV-VSLOT-TAKEN': code('error', 'hypervisor', 'Guest slot already taken', 'Each device occupies one slot of the guest\'s bus 0; a slot given twice, or one QEMU keeps for its own devices, cannot be used.'),
    'HV-VSLOT-FULL': code('error', 'hypervisor', 'No free guest slot', 'A guest\'s virtual bus 0 has 32 slots (VPCI_MAX_VIRT_DEV upstream on Arm, -ENOSPC); devices past the last free slot are not assigned.'),
    'XEN-SEGMENT-MIXED': code('error', 'hypervisor', 'linux,pci-domain on some host bridges only', 'Xen on Arm takes PCI segments from the device tree for all host bridges or allocates them all itself; a mix makes Xen BUG() at boot and Linux reject the inconsistent property, so Xen and dom0 cannot agree on SBDFs.'),
    'XEN-NO-STREAMID': code('error', 'hypervisor', 'No StreamID for a device Xen must add', 'Xen on Arm looks the device\'s own RID up in its host bridge\'s iommu-map (device tree only); with no map, no matching entry, a bad entry or an ID beyond the SMMU\'s width, PHYSDEVOP_pci_device_add fails (-ENODEV), dom0\'s DMA for the device aborts and it cannot be assigned.'),
    'XEN-BRIDGE-ALIAS': code('error', 'hypervisor', 'DMA alias Xen on Arm does not program', 'Upstream Xen on Arm programs StreamIDs for the device\'s own RID and phantom functions only, never for bridge aliases; DMA a PCIe-to-PCI bridge tags with its alias hits an empty stream-table entry and aborts. A warning while dom0 holds the device, an error once it is assigned.'),
    'XEN-STREAMID-SHARED': code('error', 'hypervisor', 'StreamID shared by masters of different domains', 'One stream-table entry translates for one domain; when two masters share a StreamID (bridge alias, overlapping map) the last owner\'s tables translate the other\'s DMA. Xen does not detect it; Linux refuses the second master. A warning while both stay in one domain.'),
    'XEN-PHANTOM-OCCUPIED': code('warning', 'hypervisor', 'Phantom function on a real function\'s RID', 'Xen adds a device\'s phantom functions to its IOMMU entries; a phantom RID that is another function\'s RID moves that function\'s DMA with the device.'),
    'XEN-OWNED': code('error', 'hypervisor', 'Device Xen keeps given away', 'Xen keeps its UART, IOMMUs, interrupt controllers and the devices written in `owns` (owned by DomXEN, read-only or hidden to dom0); dom0 cannot drive them and XEN_DOMCTL_assign_device refuses them (-EBUSY).'),
    'XEN-DEVICE-IN-USE': code('error', 'hypervisor', 'Device bound to a dom0 driver given to a guest', 'libxl assigns only assignable devices (bound to pciback); a device dom0 uses must be made assignable first (`xl pci-assignable-add`) or passed with `seize`.'),
    'XEN-ALL-FUNCTIONS': code('error', 'hypervisor', 'All-functions assignment libxl rejects', 'Passing every function of a slot (xl `F=*`) needs a virtual slot and every function bound to pciback.'),
    'XEN-ASSIGNABLE-STATE': code('error', 'hypervisor', 'xl pci-assignable-add/remove in the wrong state', '`xl pci-assignable-add` needs a device dom0 owns; `xl pci-assignable-remove` needs an assignable device no guest holds. Adding one that is already assignable is a warning.'),
    'XEN-NO-VPCI': code('error', 'hypervisor', 'domU PCI passthrough not available', 'Upstream Xen on Arm compiles vPCI but has_vpci() is false for domUs (and `pci-passthrough` defaults to off): a domU gets no virtual configuration space and no MSIs, so passed-through devices do not work.'),
    'XEN-IOMMU-OFF': code('error', 'hypervisor', 'Passthrough with the IOMMU off', 'Without the IOMMU Xen cannot confine a guest\'s device DMA; device assignment fails.'),
    'XEN-FUNCTION-NOT-ZERO': code('error', 'hypervisor', 'Function other than 0 passed to a domU', 'Upstream Xen on Arm\'s vPCI gives each device one virtual slot as function 0 and refuses physical functions other than 0 (-EOPNOTSUPP): multi-function devices are not supported.'),
    'XEN-VSLOT-IGNORED': code('warning', 'hypervisor', 'Guest slot chosen by Xen, not the configuration', 'Upstream Xen on Arm assigns the lowest free virtual slot itself; the written slot (xl `vslot`) is not used.'),
    'XEN-GUEST-HOLE': code('error', 'hypervisor', 'Guest MMIO hole too small or overlapping', 'A domU\'s 32-bit and non-prefetchable BARs go to the low MMIO hole (GUEST_VPCI_MEM, 256 MiB on Arm) and 64-bit prefetchable ones to the high hole (4 GiB); BARs that do not fit are not mapped, and a hole overlapping the guest\'s RAM, GIC, grant table or other regions clobbers them.'),
    'XEN-GUEST-BAR-PAGE-OFFSET': code('error', 'hypervisor', 'Guest BAR page offset differs from the host\'s', 'vPCI maps BARs in 4 KiB pages and refuses a guest address whose offset inside its page differs from the host BAR\'s (-EINVAL); where the guest places its BARs, a sub-page BAR at a page offset cannot be mapped.'),
    'XEN-VF-BEFORE-PF': code('error', 'hypervisor', 'VF reported before its PF', 'PHYSDEVOP_pci_device_add with XEN_PCI_DEV_VIRTFN needs the PF already known to Xen (-ENODEV otherwise).'),
    'XEN-SRIOV-AT-ADD': code('warning', 'hypervisor', 'SR-IOV enabled when the PF is reported', 'Xen sizes a PF\'s VF BARs only when VF Enable and VF MSE are clear at PHYSDEVOP_pci_device_add; VFs enabled by firmware leave Xen without their BARs (and Linux disables them at probe).'),
    'XEN-PVH-SRIOV': code('error', 'hypervisor', 'SR-IOV with a PVH dom0', 'A PVH dom0 does not support SR-IOV (SUPPORT.md): vPCI does not handle VF BARs.'),
    'XEN-PVH-GUEST-TYPE': code('error', 'hypervisor', 'Passthrough to a PV or PVH guest with a PVH dom0', 'With a PVH dom0 there is no pciback/pcifront path: PCI passthrough works only to HVM guests (CHANGELOG 4.21; SUPPORT.md still lists it as missing).'),
    'XEN-MMCFG-MISSING': code('warning', 'hypervisor', 'Host bridge without an MMCFG area (PVH dom0)', 'vPCI traps a PVH dom0\'s configuration space through the registered MMCFG areas; without one dom0 uses I/O-port configuration cycles (segment 0 only, 256 bytes per function).'),
    'XEN-BAR-WRITE-IGNORED': code('warning', 'hypervisor', 'BAR write ignored while decoding', 'vPCI ignores BAR writes while memory decoding is on; Linux turns decoding off only around 64-bit BAR updates, so a 32-bit BAR of an active device does not move.'),
    'XEN-DOM0LESS-PCI': code('error', 'hypervisor', 'PCI device for a dom0less domain', 'dom0less domains are built at boot, before dom0 reports any PCI device; Xen does not know the device yet and cannot assign it.'),
    'KVM-GROUP-NOT-VIABLE': code('error', 'hypervisor', 'VFIO group not viable', 'Every device of an IOMMU group must be bound to vfio-pci (or pci-stub), have no driver, or be a bridge before QEMU can open the group; a member bound to a host driver blocks it.'),
    'KVM-GROUP-SHARED': code('error', 'hypervisor', 'IOMMU group used by two VMs', 'A VFIO group attaches to one container, so devices of one group cannot go to different VMs ("group N used in multiple address spaces").'),
    'KVM-ASSIGN-BRIDGE': code('error', 'hypervisor', 'Bridge assigned to a VM', 'vfio-pci binds only type-0 functions (vfio_pci_core_register_device refuses other header types), so a root port, switch port or PCI bridge given to a VM is not passed, and neither is anything below it; assign the endpoints below the bridge.'),
    'KVM-HOST-DRIVER': code('error', 'hypervisor', 'Device both host-bound and assigned', 'The host binds the device to a driver other than vfio-pci or pci-stub, so it cannot be passed to a VM at the same time.'),
    'SCN-UNKNOWN': code('error', 'scenario', 'Unknown scenario', 'The scenario to play is not declared in the platform; the implicit scenario (boot, start every guest) is played instead.'),
    'SCN-NOT-BOOTED': code('error', 'scenario', 'Step before boot', 'Only `enable-sriov` (firmware enabling VFs) can come before `boot`; every other step needs a booted hypervisor.'),
    'SCN-ALREADY-BOOTED': code('error', 'scenario', 'Second boot', 'A scenario boots once.'),
    'SCN-GUEST-STATE': code('error', 'scenario', 'Guest in the wrong state for the step', 'start needs a stopped guest, destroy, hot-plug and hot-unplug a running one; dom0 is built at boot; the guest must belong to the profile\'s hypervisor.'),
    'SCN-NOT-ASSIGNED': code('error', 'scenario', 'Device not in the guest', 'deassign and hot-unplug name a device the guest does not have.'),
    'SCN-SRIOV-STATE': code('error', 'scenario', 'SR-IOV step in the wrong state', 'Linux refuses more VFs than TotalVFs, enabling while VFs are enabled (-EBUSY), and changing SR-IOV while a VF is assigned (-EPERM).'),
    'SCN-VF-NOT-ENUMERATED': code('warning', 'scenario', 'More VFs enabled than the fabric computed', 'The fabric places and translates the declared `num-vfs` VFs; VFs beyond them are not simulated.'),
    'SCN-RESET-METHOD': code('error', 'scenario', 'Reset method the device does not have', 'The step asks for a reset the device lacks, or one Linux refuses (a bus reset with other devices on the bus).'),
    'SCN-STEP-PROFILE': code('warning', 'scenario', 'Step of another hypervisor', 'The step is a Xen toolstack operation and does nothing under the KVM profile.'),

    // --- comparing with the real machine (pciplat compare) ----------------------------------
    'GROUPS-UNRECOGNISED': code('error', 'compare', 'Not a listing of IOMMU groups', 'The real machine\'s groups are read from the output of the usual `for g in /sys/kernel/iommu_groups/*` loop, of `find /sys/kernel/iommu_groups -type l`, or from a sysfs snapshot folder; the file is none of these (or an archive to unpack first).'),
    'GROUPS-BAD-LINE': code('error', 'compare', 'Line not in the listing\'s form', 'Every line of a groups listing is an `IOMMU Group N` header, a device line, or a /sys/kernel/iommu_groups path; a line that is none of them means a garbled or hand-edited listing, so its groups cannot be trusted.'),
    'GROUPS-DEVICE-TWICE': code('error', 'compare', 'Device listed twice', 'Linux puts a device in at most one IOMMU group; a listing that names it twice (in two groups, or two iommu_group links that disagree) was pasted together from different boots or edited.'),
    'GROUPS-BAD-LINK': code('error', 'compare', 'iommu_group link that names no group', 'In a sysfs snapshot a device\'s iommu_group is a link to /sys/kernel/iommu_groups/N (or a file holding that path); anything else was not copied from sysfs as is (copy with `cp -a`, which keeps links).'),
    'GROUPS-EMPTY': code('error', 'compare', 'No device in any IOMMU group', 'An empty /sys/kernel/iommu_groups means the kernel runs without an IOMMU (not enabled in firmware or on the command line, e.g. intel_iommu=on, or no SMMU/IORT/DMAR for it): there are no groups to compare.'),
    'GROUPS-TOO-LARGE': code('error', 'compare', 'Listing too large', 'The listing exceeds what pciplat reads (a real machine\'s groups listing is a few hundred kilobytes at most); it is not read.'),
    'COMPARE-GROUP-DIFFERS': code('error', 'compare', 'Predicted IOMMU group differs from the real one', 'The function shares its IOMMU group with other functions on the real machine than the platform predicts: a fact that decides grouping (ACS capability or control, multi-function, a bridge, a quirk, the ACS mode at boot) is described differently from the hardware.'),
    'COMPARE-ONLY-PREDICTED': code('error', 'compare', 'Function the real machine does not have in any group', 'The platform predicts an IOMMU group for a function that the real machine\'s listing does not show: the device is absent or at another address, or Linux gave it no group there.'),
    'COMPARE-IDS-DIFFER': code('warning', 'compare', 'Real device has other IDs than declared', 'lspci names another vendor:device ID at the function\'s address than the platform declares: the platform may describe another device there (a card in another slot, a bus numbered differently), so the comparison at that address may not compare like with like.'),
    'COMPARE-ONLY-REAL': code('error', 'compare', 'Real device the platform does not predict', 'The real machine has a PCI function in an IOMMU group that the platform does not describe, describes at another address, or predicts without a group.'),
} as const satisfies Record<string, CodeInfo>;

export type FindingCode = keyof typeof CODES;

export function isFindingCode(value: string): value is FindingCode {
    return Object.prototype.hasOwnProperty.call(CODES, value);
}
