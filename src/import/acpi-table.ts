// The field listing `iasl -d` prints for an ACPI data table (MCFG, IORT, APIC, DMAR):
//   [02Ch 0044   8]                 Base Address : 0000004010000000
// read into (offset, field, value, line) rows. Pure; the table readers (acpi-*.ts) walk the rows.
import { ImportError } from './errors.js';

export interface AcpiField {
    offset: number;
    name: string;
    /** The value as printed, without the decoded comment (`04 [SMMUv3]` → `04`). */
    value: string;
    line: number;
}

export interface AcpiTable {
    signature: string;
    fields: AcpiField[];
    file: string;
}

// Newer iasl prints the length in hex too (`[000h 0000 004h]`).
const ROW = /^\[([0-9A-Fa-f]+)h ([0-9]+) +([0-9A-Fa-f]+h?)\] +(.+?) : (.*)$/;

export function readAcpiTable(text: string, file: string, wanted: string): AcpiTable {
    if (text.includes('\0')) throw new ImportError('IMPORT-ACPI-TABLE', file, 0, `binary data: give the ${wanted} table itself (iasl reads binary tables) or its iasl -d disassembly`);
    const fields: AcpiField[] = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
        const m = ROW.exec(lines[i]!.trim());
        if (!m) continue;
        fields.push({ offset: parseInt(m[1]!, 16), name: m[4]!.trim(), value: m[5]!.trim(), line: i + 1 });
    }
    const sig = fields.find((f) => f.name === 'Signature');
    if (!sig) {
        const code = /DefinitionBlock\s*\(\s*"[^"]*"\s*,\s*"(\w{4})"/.exec(text)?.[1];
        throw new ImportError('IMPORT-ACPI-TABLE', file, 1, code ? `this is the ${code} table (ACPI code), not ${wanted}` : `no 'Signature' field: not the iasl -d disassembly of an ACPI table (expected ${wanted})`);
    }
    const signature = /"(\w{4})"/.exec(sig.value)?.[1] ?? sig.value;
    if (signature !== wanted) throw new ImportError('IMPORT-ACPI-TABLE', file, sig.line, `this is the ${signature} table, not ${wanted}`);
    return { signature, fields, file };
}

/** The leading hex number of a value (`0000004010000000`, `04 [SMMUv3]`, `00,00` → first). */
export function hexValue(field: AcpiField | undefined, table: AcpiTable): bigint {
    const m = field && /^([0-9A-Fa-f]+)\b/.exec(field.value);
    if (!field || !m) throw new ImportError('IMPORT-ACPI-TABLE', table.file, field?.line ?? 0, `${field ? `'${field.name}' has value '${field.value}'` : 'a field is missing'}: the table is truncated or garbled`);
    return BigInt(`0x${m[1]}`);
}

/** Rows split where `name` starts a new record (a subtable, an IORT node, an ID mapping). */
export function recordsStartingAt(fields: readonly AcpiField[], name: string): AcpiField[][] {
    const out: AcpiField[][] = [];
    for (const f of fields) {
        if (f.name === name) out.push([f]);
        else if (out.length > 0) out[out.length - 1]!.push(f);
    }
    return out;
}

export function field(record: readonly AcpiField[], name: string): AcpiField | undefined {
    return record.find((f) => f.name === name);
}
