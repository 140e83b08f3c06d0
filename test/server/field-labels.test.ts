// The hover's labels for result fields: the IDs an IOMMU sees are StreamIDs on Arm (SMMU) and
// requester IDs on x86, named as VT-d (source-id) and AMD-Vi (DeviceID) name them.
import { describe, expect, it } from 'vitest';
import { extraFieldLines } from '../../server/view.js';

describe('result field labels', () => {
    const json = { name: 'nic0', streamIds: [{ iommu: 'dmar0', id: 0x100n }] };
    it('calls them StreamIDs on Arm', () => {
        expect(extraFieldLines(json, new Set(['name']), 'arm64')).toEqual(['- **StreamIDs**: iommu: `dmar0`, id: `0x100`']);
    });
    it('calls them requester IDs on x86, never StreamIDs', () => {
        expect(extraFieldLines(json, new Set(['name']), 'x86_64')).toEqual(['- **IOMMU requester IDs (VT-d source-id, AMD-Vi DeviceID)**: iommu: `dmar0`, id: `0x100`']);
    });
});
