// The AMD IVRS table (AMD I/O Virtualization Technology spec 48882, rev 3.x), from its
// `iasl -d` disassembly: each IVHD is an AMD-Vi unit (written `iommu NAME amd-vi`) with the
// device IDs its device entries cover, read the way Linux 6.1 reads them
// (linux:drivers/iommu/amd/init.c). Older iasl prints device entries as "Entry Type", newer as
// "Subtable Type"; both are read. Pure: text in, units and their per-function scope out.
import type { HostBridge, X86Iommu } from '../model/platform.js';
import { field, hexValue, type AcpiField, type AcpiTable, readAcpiTable } from './acpi-table.js';
import { ImportError } from './errors.js';
import type { ScopeRule, UnitScope } from './iommu-scope.js';
import { addComment, importLoc, type Comments } from './source-loc.js';
import type { TextSource } from './import-platform.js';

/** IVHD block types Linux 6.1 knows (get_highest_supported_ivhd_type). */
const IVHD_TYPES = [0x10n, 0x11n, 0x40n];

/** Device entry types (IVHD_DEV_* in linux:drivers/iommu/amd/amd_iommu_types.h). */
const DEV_ALL = 0x01n;
const DEV_SELECT = 0x02n;
const DEV_SELECT_RANGE_START = 0x03n;
const DEV_RANGE_END = 0x04n;
const DEV_ALIAS = 0x42n;
const DEV_ALIAS_RANGE = 0x43n;
const DEV_EXT_SELECT = 0x46n;
const DEV_EXT_SELECT_RANGE = 0x47n;
const DEV_SPECIAL = 0x48n;

export interface IvrsResult {
    units: X86Iommu[];
    scopes: UnitScope[];
}

const id4 = (v: number) => `0x${v.toString(16).padStart(4, '0')}`;
const bdf = (v: number) => `${(v >> 8).toString(16).padStart(2, '0')}:${((v >> 3) & 0x1f).toString(16).padStart(2, '0')}.${v & 7}`;

export function readIvrs(source: TextSource, hostBridges: readonly HostBridge[], comments: Comments): IvrsResult {
    const t = readAcpiTable(source.text, source.file, 'IVRS');
    // Records: every "Subtable Type" / "Entry Type" row starts one (the header's fields come before).
    const records: AcpiField[][] = [];
    for (const f of t.fields) {
        if (f.name === 'Subtable Type' || f.name === 'Entry Type') records.push([f]);
        else if (records.length > 0) records[records.length - 1]!.push(f);
    }
    const ivhds: { head: AcpiField[]; type: bigint; deviceId: number; entries: AcpiField[][] }[] = [];
    let open: (typeof ivhds)[number] | undefined;
    for (const r of records) {
        const type = hexValue(r[0], t);
        if (IVHD_TYPES.includes(type) && field(r, 'Base Address')) {
            open = { head: r, type, deviceId: Number(hexValue(field(r, 'DeviceId') ?? field(r, 'Device ID'), t)), entries: [] };
            ivhds.push(open);
        } else if (type >= 0x20n && type <= 0x22n && field(r, 'Start Address')) {
            open = undefined; // IVMD: memory definitions, no devices
        } else if (open) open.entries.push(r);
    }
    if (ivhds.length === 0) throw new ImportError('IMPORT-ACPI-TABLE', t.file, 1, 'IVRS without an IVHD (I/O virtualization hardware definition) block: truncated');
    // Linux uses only the IVHDs of the highest type it supports that the first IOMMU has
    // (get_highest_supported_ivhd_type: the 0x10/0x11/0x40 blocks describe the same units).
    const first = ivhds[0]!.deviceId;
    const target = ivhds.filter((h) => h.deviceId === first).reduce((max, h) => (h.type > max ? h.type : max), 0n);
    const used = ivhds.filter((h) => h.type === target);
    const units: X86Iommu[] = [];
    const scopes: UnitScope[] = [];
    for (const h of used) {
        const line = h.head[0]!.line;
        const segment = hexValue(field(h.head, 'PCI Segment Group'), t);
        const scope = hostBridges.filter((b) => b.segment === segment).map((b) => b.name);
        if (scope.length === 0) throw new ImportError('IMPORT-ACPI-TABLE', t.file, line, `IVHD for PCI segment ${segment}, but no MCFG host bridge of that segment (give --mcfg)`);
        const unit: X86Iommu = { name: `amdvi${units.length}`, kind: 'amd-vi', base: hexValue(field(h.head, 'Base Address'), t), scope, loc: importLoc(t.file, line) };
        const { rules, described, aliases } = deviceRules(h.entries, t);
        scopes.push({
            unit: unit.name,
            segment,
            rules,
            except: [{ id: h.deviceId, line, why: `the AMD IOMMU's own function (IVHD DeviceId ${id4(h.deviceId)}): Linux takes it out of its own scope (init_iommu_one)` }],
            aliases,
            file: t.file,
        });
        addComment(comments, unit, `${t.file}:${line} IVRS IVHD type 0x${h.type.toString(16)}, IOMMU function ${bdf(h.deviceId)}, segment ${segment}; device entries: ${described.join(', ') || 'none'}`);
        if (ivhds.length > used.length) addComment(comments, unit, `IVHD blocks of types other than 0x${target.toString(16)} are ignored, as Linux does`);
        units.push(unit);
    }
    return { units, scopes };
}

/** The device IDs one IVHD's entries cover (init_iommu_from_acpi), and a short description of each. */
function deviceRules(entries: AcpiField[][], t: AcpiTable): { rules: ScopeRule[]; described: string[]; aliases: NonNullable<UnitScope['aliases']> } {
    const rules: ScopeRule[] = [];
    const aliases: NonNullable<UnitScope['aliases']> = [];
    const described: string[] = [];
    let start: { id: number; line: number; alias?: number } | undefined;
    for (const e of entries) {
        const type = hexValue(e[0], t);
        const line = e[0]!.line;
        const idField = field(e, 'Device ID');
        const id = idField ? Number(hexValue(idField, t)) : 0;
        const alias = field(e, 'Source Used Device ID');
        switch (type) {
            case DEV_ALL:
                rules.push({ kind: 'all', line });
                described.push('all');
                break;
            case DEV_SELECT:
            case DEV_EXT_SELECT:
                rules.push({ kind: 'ids', first: id, last: id, line });
                described.push(bdf(id));
                break;
            case DEV_ALIAS: {
                // The device, and the ID it is seen as, both get the IOMMU (set_dev_entry_from_acpi).
                const to = Number(hexValue(alias, t));
                rules.push({ kind: 'ids', first: id, last: id, line }, { kind: 'ids', first: to, last: to, line });
                aliases.push({ first: id, last: id, to, line });
                described.push(`${bdf(id)} as ${bdf(to)}`);
                break;
            }
            case DEV_SELECT_RANGE_START:
            case DEV_EXT_SELECT_RANGE:
                start = { id, line };
                break;
            case DEV_ALIAS_RANGE:
                start = { id, line, alias: Number(hexValue(alias, t)) };
                break;
            case DEV_RANGE_END:
                if (!start) throw new ImportError('IMPORT-ACPI-TABLE', t.file, line, `IVRS range end ${id4(id)} without a range start: garbled`);
                rules.push({ kind: 'ids', first: start.id, last: id, line: start.line });
                if (start.alias !== undefined) {
                    rules.push({ kind: 'ids', first: start.alias, last: start.alias, line: start.line });
                    aliases.push({ first: start.id, last: id, to: start.alias, line: start.line });
                }
                described.push(`${bdf(start.id)}..${bdf(id)}${start.alias !== undefined ? ` as ${bdf(start.alias)}` : ''}`);
                start = undefined;
                break;
            case DEV_SPECIAL: {
                // An IOAPIC or HPET: the requester ID it uses gets the IOMMU too (add_special_device).
                if (alias) {
                    const to = Number(hexValue(alias, t));
                    rules.push({ kind: 'ids', first: to, last: to, line });
                    described.push(`${bdf(to)} (IOAPIC/HPET)`);
                }
                break;
            }
            default:
                // ACPI HID devices (0xf0) and padding (0x00) name no PCI function.
                break;
        }
    }
    return { rules, described, aliases };
}
