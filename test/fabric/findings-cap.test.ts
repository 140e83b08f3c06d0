// The per-code cap on findings (src/findings/cap.ts) through the engine: a platform whose one
// cause touches many functions reports 100 findings of that code and counts the rest.
import { describe, expect, it } from 'vitest';
import { MAX_FINDINGS_PER_CODE, capFindings } from '../../src/findings/cap.js';
import { finding } from '../../src/findings/finding.js';

const at = (line: number) => ({ uri: 'file:///p.pciplat', start: { line, character: 0 }, end: { line, character: 1 } });

describe('capping findings per code', () => {
    it('keeps the first 100 of a code, in order, and adds one FINDINGS-OMITTED with the first left out as related', () => {
        const many = Array.from({ length: 250 }, (_, i) => finding('XEN-VF-BEFORE-PF', `vf ${i}`, at(i)));
        const few = [finding('PCI-BUS-RANGE', 'bus', at(0))];
        const capped = capFindings([...many, ...few], 'platform p', at(0));
        expect(capped.filter((f) => f.code === 'XEN-VF-BEFORE-PF').map((f) => f.message)).toEqual(many.slice(0, MAX_FINDINGS_PER_CODE).map((f) => f.message));
        expect(capped.filter((f) => f.code === 'PCI-BUS-RANGE')).toHaveLength(1);
        const omitted = capped.filter((f) => f.code === 'FINDINGS-OMITTED');
        expect(omitted).toEqual([
            {
                code: 'FINDINGS-OMITTED',
                severity: 'info',
                message: '150 more XEN-VF-BEFORE-PF findings on platform p not shown (the first 100 are reported); they usually share one cause.',
                loc: at(0),
                related: [{ loc: at(100), message: 'the first XEN-VF-BEFORE-PF not shown' }],
            },
        ]);
    });

    it('leaves a list within the cap as it is', () => {
        const list = Array.from({ length: MAX_FINDINGS_PER_CODE }, (_, i) => finding('XEN-VF-BEFORE-PF', `vf ${i}`, at(i)));
        expect(capFindings(list, 'platform p', at(0))).toEqual(list);
    });
});
