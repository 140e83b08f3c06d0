// The VS Code-free part of "pciplat: Export…": the choices offered for a platform and the
// read-only preview documents (scheme `pciplat-export`), each holding one export's text.
import type { ExportResult, ExportTargetInfo } from './protocol.js';

export const EXPORT_SCHEME = 'pciplat-export';

export interface ExportChoice {
    label: string;
    description: string;
    target: ExportTargetInfo;
}

/** One quick-pick item per export: `xl: domain web`, `qemu: VM win11`, `groups`. */
export function exportChoices(targets: readonly ExportTargetInfo[]): ExportChoice[] {
    return targets.map((t) => ({
        label: t.domain !== undefined ? `${t.format}: domain ${t.domain}` : t.vm !== undefined ? `${t.format}: VM ${t.vm}` : t.format,
        description: t.summary,
        target: t,
    }));
}

export interface StoredExport {
    text: string;
    fileName: string;
    language: string;
    /** The .pciplat document it was exported from (where "Save as…" starts). */
    source: string;
}

/**
 * The previews' texts by preview path (`/<n>/<fileName>`): a new number per export, so two
 * exports of one format stay two documents. Bounded: the oldest go first.
 */
export class ExportStore {
    private readonly items = new Map<string, StoredExport>();
    private next = 1;

    constructor(private readonly limit = 20) {}

    add(result: ExportResult, source: string): string {
        const key = `/${this.next++}/${result.fileName}`;
        this.items.set(key, { text: result.text ?? '', fileName: result.fileName, language: result.language, source });
        while (this.items.size > this.limit) this.items.delete(this.items.keys().next().value!);
        return key;
    }

    get(key: string): StoredExport | undefined {
        return this.items.get(key);
    }
}
