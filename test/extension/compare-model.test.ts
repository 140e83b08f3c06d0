// The VS Code-free half of "pciplat: Compare with the real machine…" (client/src/compare-model.ts):
// a pciplat/compare answer → the Problems panel's diagnostics and the notification.
import { describe, expect, it } from 'vitest';
import { compareDiagnostics, compareOutcome } from '../../client/src/compare-model.js';
import type { CompareResult } from '../../client/src/protocol.js';

const PLATFORM = 'file:///ws/board.pciplat';
const REAL = 'file:///ws/groups.txt';
const at = (line: number, start: number, end: number) => ({ start: { line, character: start }, end: { line, character: end } });

function result(over: Partial<CompareResult> = {}): CompareResult {
    return {
        uri: PLATFORM,
        versions: {},
        platform: 'board',
        real: { uri: REAL, form: 'loop', groups: 2, listsUngrouped: false, otherDevices: 0 },
        agreement: false,
        summary: { functions: 3, agree: 1, differs: 1, onlyPredicted: 0, onlyReal: 1, idsDiffer: 1 },
        summaryText: '3 functions: 1 agree, 1 differs, 0 only predicted, 1 only real',
        functions: [
            {
                sbdf: '0000:00:01.0',
                name: 'rp1',
                verdict: 'agree',
                predicted: { group: 0 },
                real: { group: 0, description: 'PCI bridge [0604]: Red Hat, Inc. QEMU PCIe Root port [1b36:000c]' },
                loc: { uri: PLATFORM, range: at(3, 14, 17) },
                realLoc: { uri: REAL, range: at(1, 0, 60) },
                idsDiffer: { real: '1b36:000c', declared: '1b36:000e', code: 'COMPARE-IDS-DIFFER', message: 'the real machine has [1b36:000c] at 0000:00:01.0' },
            },
            {
                sbdf: '0000:00:02.0',
                name: 'rp2',
                verdict: 'differs',
                predicted: { group: 1 },
                real: { group: 1, description: null },
                loc: { uri: PLATFORM, range: at(9, 14, 17) },
                code: 'COMPARE-GROUP-DIFFERS',
                message: 'the IOMMU group of rp2 (0000:00:02.0) differs',
                related: [{ loc: { uri: REAL, range: at(3, 0, 40) }, message: "the real machine's listing: 0000:00:02.0 in group 1" }],
            },
            {
                sbdf: '0000:00:07.0',
                name: null,
                verdict: 'only-real',
                predicted: null,
                real: { group: 6, description: 'PCI bridge' },
                loc: { uri: PLATFORM, range: at(5, 14, 19) },
                code: 'COMPARE-ONLY-REAL',
                message: 'the real machine has 0000:00:07.0',
                related: [],
            },
        ],
        groups: { predicted: [], real: [] },
        problems: [],
        ...over,
    };
}

describe('compare results in the Problems panel', () => {
    it('puts an error on every function that does not agree, a warning on a real device with other IDs, nothing on the rest', () => {
        const diagnostics = compareDiagnostics(result());
        expect([...diagnostics.keys()]).toEqual([PLATFORM]);
        expect(diagnostics.get(PLATFORM)).toEqual([
            { range: at(3, 14, 17), severity: 'warning', code: 'COMPARE-IDS-DIFFER', message: 'the real machine has [1b36:000c] at 0000:00:01.0', related: [{ uri: REAL, range: at(1, 0, 60), message: "the real machine's listing: [1b36:000c] at 0000:00:01.0" }] },
            { range: at(9, 14, 17), severity: 'error', code: 'COMPARE-GROUP-DIFFERS', message: 'the IOMMU group of rp2 (0000:00:02.0) differs', related: [{ uri: REAL, range: at(3, 0, 40), message: "the real machine's listing: 0000:00:02.0 in group 1" }] },
            { range: at(5, 14, 19), severity: 'error', code: 'COMPARE-ONLY-REAL', message: 'the real machine has 0000:00:07.0', related: [] },
        ]);
    });

    it("puts REAL's own problems on the listing, at their line", () => {
        const bad = result({ functions: [], problems: [{ code: 'GROUPS-BAD-LINE', message: "line 3 '<html>' is neither…", loc: { uri: REAL, range: at(2, 0, 6) } }, { code: 'GROUPS-EMPTY', message: 'no PCI function' }] });
        expect(compareDiagnostics(bad).get(REAL)).toEqual([
            { range: at(2, 0, 6), severity: 'error', code: 'GROUPS-BAD-LINE', message: "line 3 '<html>' is neither…", related: [] },
            { range: at(0, 0, 0), severity: 'error', code: 'GROUPS-EMPTY', message: 'no PCI function', related: [] },
        ]);
        expect(compareOutcome(bad, 'groups.txt')).toEqual({ level: 'error', message: "pciplat: groups.txt is not a usable listing of IOMMU groups: GROUPS-BAD-LINE line 3 '<html>' is neither… (and 1 more problem)" });
    });

    it('says whether the platform agrees, with the summary', () => {
        expect(compareOutcome(result(), 'groups.txt')).toEqual({ level: 'warning', message: "pciplat: board does not match the real machine's IOMMU groups in groups.txt: 3 functions: 1 agree, 1 differs, 0 only predicted, 1 only real" });
        expect(compareOutcome(result({ agreement: true, summaryText: '3 functions: 3 agree, 0 differ, 0 only predicted, 0 only real' }), 'snap')).toEqual({
            level: 'info',
            message: "pciplat: board agrees with the real machine's IOMMU groups in snap (3 functions: 3 agree, 0 differ, 0 only predicted, 0 only real)",
        });
    });
});
