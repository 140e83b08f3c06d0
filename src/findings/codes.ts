// Every finding pciplat can report, with its default severity and the user-facing explanation.
// docs/diagnostics.md is generated from this table (`npm run docs:codes`) and a test fails when
// the two disagree, so a code cannot ship undocumented.

import type { Severity } from './finding.js';

export interface CodeInfo {
    severity: Severity;
    /** Which layer reports it: input/language checks need no simulation. */
    layer: 'input' | 'language' | 'fabric' | 'hypervisor' | 'scenario';
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
    'LANG-PARSE-ABORTED': code('error', 'input', 'Parser gave up', 'Error recovery on a badly broken file exhausted the parser; fix the first syntax errors and retry.'),
    'LANG-IMPORT-NOT-FOUND': code('error', 'input', 'Imported file not found', 'An `import` names a file that does not exist or cannot be read; the names it would declare are missing.'),
    'LANG-IMPORT-SELF': code('error', 'input', 'File imports itself', 'An `import` names the file that contains it; it adds nothing and is almost always a wrong path.'),
    'LANG-UNRESOLVED': code('error', 'input', 'Unknown name', 'A reference names nothing of the expected kind in this file or the files it imports.'),
    'LANG-INTERNAL': code('error', 'input', 'Internal error', 'pciplat failed on this construct; the rest of the file was still checked. Please report it with the file.'),
    'LANG-DUPLICATE-NAME': code('error', 'input', 'Duplicate name', 'Two declarations visible to each other share a name, so references to it are ambiguous.'),

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

    // --- language/validation/function-checks.ts --------------------------------------------
    'PCI-ADDRESS-SEGMENT': code('error', 'language', 'Segment differs from the host bridge', 'A function is in the segment (PCI domain) of its host bridge; an address written with another segment names a function that is not there.'),
    'PCI-ADDRESS-BUS': code('error', 'language', 'Written bus is not the bus the function sits on', 'Functions below a bridge sit on its secondary bus and those directly in a host bridge on its root bus, inside its bus range; a bus in the address that says otherwise contradicts the topology.'),
    'PCI-BRIDGE-BUSES': code('error', 'language', 'Bridge bus numbers impossible', 'A bridge forwards configuration cycles for buses secondary..subordinate: the secondary bus is above the bus the bridge sits on and at most the subordinate, a bridge\'s range nests inside its parent\'s and sibling ranges are disjoint; otherwise cycles are not routed or reach the wrong bridge.'),
    'PCI-WINDOW-GRANULARITY': code('error', 'language', 'Bridge window not on its granularity', 'Bridge base/limit registers hold only the upper address bits: memory windows are 1 MiB-granular, I/O windows 4 KiB (1 KiB on bridges with io-window-1k); other bounds cannot be programmed, so the bridge forwards a different range.'),
    'PCI-WINDOW-NONPREF-64': code('error', 'language', '64-bit non-prefetchable bridge window', 'A bridge\'s non-prefetchable memory window has 32-bit base and limit registers; only the prefetchable window can be 64-bit.'),

    // --- language/validation/resource-checks.ts --------------------------------------------
    'PCI-BAR-IO-LARGE': code('warning', 'language', 'I/O BAR larger than 256 bytes', 'PCI asks I/O BARs to stay within 256 bytes: the I/O space is 64 KiB on most platforms and bridges forward it in 4 KiB blocks, so a large I/O BAR often cannot be placed.'),

    // --- language/validation/platform-checks.ts --------------------------------------------
    'LANG-NOT-IN-PLATFORM': code('error', 'language', 'Reference to hardware outside the platform', 'Names are visible across imported files, but a platform is only its own declarations and the SoCs it includes; hardware of another platform or of a SoC it does not include does not exist on this machine.'),
    'LANG-ARCH-MISMATCH': code('warning', 'language', 'Hardware or profile of the other architecture', 'ITS, SMMU, GIC, IORT and device-tree ECAM are Arm; MCFG, IO-APIC and VT-d/AMD-Vi are x86 (and Xen on Arm has no ACPI PCI support). Mixing them is almost always a wrong `arch` or a copied block.'),
    'HB-SEGMENT-OVERLAP': code('error', 'language', 'Two host bridges share a segment and buses', 'A PCI address (segment, bus, device, function) must name one function; two host bridges with the same segment and overlapping bus ranges make it ambiguous.'),
    'IORT-RC-SEGMENT': code('error', 'language', 'IORT root-complex segment duplicated or wrong', 'Linux matches a root-complex node by its PCI segment number and uses the first match: a second node for the same segment is never used, and a node whose segment is not its host bridge\'s maps other devices.'),
    'IORT-SINGLE-MAPPING': code('warning', 'language', 'Single mapping on an SMMU node', 'The single-mapping flag is meaningful on root-complex and named-component nodes and for an SMMUv3 node\'s own DeviceID entry; on any other SMMU translation entry Linux skips the entry (FW_BUG).'),
    'IORT-DEVICE-ID-INDEX': code('warning', 'language', 'Bad SMMUv3 DeviceID mapping index', 'The index names the mapping that gives the SMMU\'s own MSI DeviceID; given twice, or not below the number of mappings, Linux reports FW_BUG and the SMMU\'s MSIs get no DeviceID.'),
    'IORT-ID-COUNT': code('warning', 'language', 'IORT range looks like it uses id-count as a count', 'IORT id-count is the number of IDs minus one; a range ending on the ID where the next range starts is the classic off-by-one, which Linux only tolerates with a workaround.'),
    'LANG-NO-SRIOV': code('error', 'language', 'Virtual function of a function without SR-IOV', 'Only a function with an SR-IOV capability has virtual functions to name, enable or disable.'),
    'LANG-NO-BAR': code('error', 'language', 'BAR not declared', 'The step names a BAR index the function (or its VFs) does not have, or the upper half of a 64-bit BAR.'),

    // --- src/fabric ----------------------------------------------------------------------------
} as const satisfies Record<string, CodeInfo>;

export type FindingCode = keyof typeof CODES;

export function isFindingCode(value: string): value is FindingCode {
    return Object.prototype.hasOwnProperty.call(CODES, value);
}
