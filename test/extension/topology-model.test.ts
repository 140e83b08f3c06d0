// The Topology view's filter and view by group (client/src/topology-model.ts), VS Code-free: what
// a filter on a name, an SBDF or a group keeps of the bus tree and of the group → members list.
import { describe, expect, it } from 'vitest';
import type { TopologyFunction, TopologyGroup, TopologyPlatform } from '../../client/src/protocol.js';
import { countMatches, filterFunctions, filterGroups, groupDescription, normaliseFilter } from '../../client/src/topology-model.js';

const fn = (name: string, sbdf: string, group: number | null, children: TopologyFunction[] = []): TopologyFunction => ({
    name,
    kind: children.length > 0 ? 'root-port' : 'endpoint',
    sbdf,
    rid: null,
    group,
    vendor: null,
    device: null,
    owner: null,
    children,
});

const nic0 = fn('nic0', '0000:01:00.0', 2);
const nic1 = fn('nic1', '0000:01:00.1', 2);
const rp0 = fn('rp0', '0000:00:01.0', 1, [nic0, nic1]);
const disk = fn('disk0', '0000:02:00.0', 3);
const rp1 = fn('rp1', '0000:00:02.0', 3, [disk]);
const functions = [rp0, rp1];
const groups: TopologyGroup[] = [
    { id: 1, members: [{ name: 'rp0', kind: 'root-port', sbdf: '0000:00:01.0', owner: null }] },
    { id: 2, members: [nic0, nic1].map((f) => ({ name: f.name, kind: f.kind, sbdf: f.sbdf, owner: null })) },
    { id: 3, members: [rp1, disk].map((f) => ({ name: f.name, kind: f.kind, sbdf: f.sbdf, owner: null })) },
];
const names = (fns: TopologyFunction[]): string[] => fns.flatMap((f) => [f.name, ...names(f.children)]);

describe('topology filter', () => {
    it('normalises what was typed; empty means no filter', () => {
        expect(normaliseFilter('  NIC  ')).toBe('nic');
        expect(normaliseFilter('group   2')).toBe('group 2');
        expect(normaliseFilter('   ')).toBeUndefined();
        expect(normaliseFilter(undefined)).toBeUndefined();
    });

    it('keeps the matches by name and the bridges above them, nothing else', () => {
        expect(names(filterFunctions(functions, 'nic1'))).toEqual(['rp0', 'nic1']);
        expect(names(filterFunctions(functions, 'disk'))).toEqual(['rp1', 'disk0']);
        // A matching bridge keeps everything below it.
        expect(names(filterFunctions(functions, 'rp0'))).toEqual(['rp0', 'nic0', 'nic1']);
        expect(filterFunctions(functions, 'nothing')).toEqual([]);
        expect(filterFunctions(functions, undefined)).toEqual(functions);
    });

    it('matches SBDFs in part, and groups by number or "group N" (not as a substring)', () => {
        expect(names(filterFunctions(functions, '01:00'))).toEqual(['rp0', 'nic0', 'nic1']);
        expect(names(filterFunctions(functions, 'group 2'))).toEqual(['rp0', 'nic0', 'nic1']);
        expect(names(filterFunctions(functions, '3'))).toEqual(['rp1', 'disk0']);
        // "group 1" is rp0's group only: its children (group 2) stay because a bridge keeps its subtree.
        expect(filterFunctions(functions, 'group 1').map((f) => f.name)).toEqual(['rp0']);
        expect(filterFunctions(functions, 'group 12')).toEqual([]);
    });

    it('counts what the filter keeps', () => {
        const platform = { name: 'p', arch: 'arm64', simulated: true, hostBridges: [{ name: 'pcie0', segment: '0x0', busRange: ['0x0', '0xff'], functions }], groups } as TopologyPlatform;
        expect(countMatches(platform, undefined)).toBe(5);
        expect(countMatches(platform, 'nic')).toBe(2);
        expect(countMatches(platform, 'group 3')).toBe(2);
    });
});

describe('topology by group', () => {
    it('lists each group with its members, and filters members by name or SBDF, whole groups by number', () => {
        expect(filterGroups(groups, undefined).map((g) => g.id)).toEqual([1, 2, 3]);
        expect(filterGroups(groups, 'nic1')).toEqual([{ id: 2, members: [{ name: 'nic1', kind: 'endpoint', sbdf: '0000:01:00.1', owner: null }] }]);
        expect(filterGroups(groups, 'group 3')).toEqual([groups[2]]);
        expect(filterGroups(groups, '02:00')).toEqual([{ id: 3, members: [groups[2]!.members[1]] }]);
        expect(filterGroups(groups, 'nothing')).toEqual([]);
    });

    it('describes a group by its size and first members', () => {
        expect(groupDescription(groups[1]!)).toBe('2 functions · nic0, nic1');
        const big: TopologyGroup = { id: 9, members: Array.from({ length: 6 }, (_, i) => ({ name: `f${i}`, kind: 'vf', sbdf: null, owner: null })) };
        expect(groupDescription(big)).toBe('6 functions · f0, f1, f2, f3, +2');
        expect(groupDescription(groups[0]!)).toBe('1 function · rp0');
    });
});
