// A real machine's IOMMU groups, read from what users have in hand (pciplat compare). Pure: the
// command layer reads the file or walks the snapshot folder (src/cli/real-groups.ts) and hands
// over text or a list of entries. Three forms, told apart by content:
//
//   loop   the usual `for g in /sys/kernel/iommu_groups/*; do echo "IOMMU Group ${g##*/}:"; for d
//          in $g/devices/*; do echo -e "\t$(lspci -nns ${d##*/})"; done; done` and its variants:
//          with `lspci -D`, without lspci (bare sysfs names), or one line per device
//          (`IOMMU Group 3 00:1f.0 ISA bridge ...`, the Arch wiki's `printf` version);
//   find   `find /sys/kernel/iommu_groups -type l` (paths .../iommu_groups/N/devices/NAME; the
//          directories and files plain `find` adds are skipped);
//   sysfs  a folder copied from sysfs (`cp -a`): .../iommu_groups/N/devices/NAME entries and/or
//          .../<BDF>/iommu_group links to .../iommu_groups/N, and device folders under a `devices`
//          folder (/sys/bus/pci/devices/<BDF>), which also tell the functions that have no group.
//
// Group members that are not PCI functions (platform devices on Arm: `9000000.ethernet`) are
// counted but not compared. Every problem is a coded finding at its file and line.
import { finding, type Finding } from '../findings/finding.js';
import type { FindingCode } from '../findings/codes.js';
import type { SourceLoc } from '../model/source.js';

export type GroupsForm = 'loop' | 'find' | 'sysfs';

export interface RealFunction {
    /** `ssss:bb:dd.f` in lowercase hex, the segment at least 4 digits (as formatSbdf prints it). */
    sbdf: string;
    /** The group number on the real machine, or null when it has none (sysfs snapshots only). */
    group: number | null;
    /** lspci's description (`Ethernet controller [0200]: Intel ... [8086:10d3]`) when the listing has it. */
    description?: string;
    /** Vendor and device ID, from the description's `[vvvv:dddd]` (lspci -nn). */
    ids?: { vendor: bigint; device: bigint };
    loc: SourceLoc;
}

export interface RealGroups {
    form: GroupsForm;
    /** In the order the listing names them. */
    functions: RealFunction[];
    /**
     * Whether the listing also names the functions without a group (a sysfs snapshot with the
     * device folders); otherwise a function in no group is simply absent from it.
     */
    listsUngrouped: boolean;
    /** Group members that are not PCI functions (not compared). */
    otherDevices: number;
    /** Errors: when there is any, the groups are not to be trusted. */
    findings: Finding[];
}

/** The most a listing may hold (text characters, or snapshot entries); real ones are far smaller. */
export const MAX_LISTING_CHARS = 16 * 1024 * 1024;
export const MAX_SNAPSHOT_ENTRIES = 200_000;
/** Longer lines are bad lines unread: no real listing line comes near, and the patterns stay linear. */
const MAX_LINE_CHARS = 4096;

// `0000:00:1f.3` or `00:1f.3` (lspci without -D); domains can be longer than 4 digits (VMD).
const SBDF = /^(?:([0-9a-f]{4,8}):)?([0-9a-f]{2}):([0-1][0-9a-f])\.([0-7])$/i;
const SBDF_PREFIX = /^(?:([0-9a-f]{4,8}):)?([0-9a-f]{2}):([0-1][0-9a-f])\.([0-7])(?=\s|$)/i;
const HEADER = /^IOMMU\s+Group\s+(\d{1,9})\s*:?(.*)$/i;
/** A sysfs device name as the loop prints it without lspci: `0000:00:01.0`, `9000000.ethernet`, `soc:usb`. */
const SYSFS_NAME = /^[\w.:@+-]+$/;
const GROUP_PATH = /^(.*?)(?:^|\/)(\d{1,9})\/+devices\/+([^/\s]+)\/*$/;
/** What plain `find /sys/kernel/iommu_groups` prints besides the links. */
const GROUP_DIRS = /(?:^|\/)iommu_groups(?:\/+\d{1,9}(?:\/+(?:devices|type|reserved_regions))?)?\/*$/;

/** `ssss:bb:dd.f` from a name matching SBDF (or SBDF_PREFIX), segment 0 when lspci left it out. */
function canonical(m: RegExpExecArray): string {
    const segment = (m[1] ?? '0').toLowerCase().replace(/^0+(?=.)/, '').padStart(4, '0');
    return `${segment}:${m[2]!.toLowerCase()}:${m[3]!.toLowerCase()}.${m[4]}`;
}

/** The PCI function a sysfs name stands for, or undefined for other devices. */
export function sbdfOfName(name: string): string | undefined {
    const m = SBDF.exec(name);
    return m ? canonical(m) : undefined;
}

function lineLoc(uri: string, line: number, length = 0): SourceLoc {
    return { uri, start: { line, character: 0 }, end: { line, character: length } };
}

function quoted(line: string): string {
    const trimmed = line.trim();
    return trimmed.length > 60 ? `'${trimmed.slice(0, 57)}...'` : `'${trimmed}'`;
}

/** Collects the functions and the findings of one listing; one finding per cause. */
class Collector {
    readonly functions: RealFunction[] = [];
    readonly findings: Finding[] = [];
    otherDevices = 0;
    private readonly seen = new Map<string, RealFunction>();
    private readonly twice = new Set<string>();
    private badLines = 0;
    private firstBad?: { loc: SourceLoc; message: string };

    add(sbdf: string, group: number | null, loc: SourceLoc, description?: string): void {
        const before = this.seen.get(sbdf);
        if (before) {
            // Twice in one group is harmless (a snapshot names a member from both sides); in two
            // groups it is reported once per function.
            if (before.group === group || this.twice.has(sbdf)) return;
            this.twice.add(sbdf);
            this.report('GROUPS-DEVICE-TWICE', `${sbdf} is listed in ${groupName(before.group)} and again in ${groupName(group)}; Linux puts a device in one group`, loc, [{ loc: before.loc, message: `${sbdf} first listed here, in ${groupName(before.group)}` }]);
            return;
        }
        const ids = description ? idsOf(description) : undefined;
        const fn: RealFunction = { sbdf, group, loc, ...(description ? { description } : {}), ...(ids ? { ids } : {}) };
        this.seen.set(sbdf, fn);
        this.functions.push(fn);
    }

    /** The group a device folder or iommu_group link gives a function already seen without one. */
    setGroup(sbdf: string, group: number, loc: SourceLoc): void {
        const before = this.seen.get(sbdf);
        if (before && before.group === null) before.group = group;
        else this.add(sbdf, group, loc);
    }

    has(sbdf: string): boolean {
        return this.seen.has(sbdf);
    }

    bad(loc: SourceLoc, message: string): void {
        this.badLines++;
        this.firstBad ??= { loc, message };
    }

    report(code: FindingCode, message: string, loc: SourceLoc, related: Finding['related'] = []): void {
        this.findings.push(finding(code, message, loc, related));
    }

    /** One GROUPS-BAD-LINE for the first bad line, counting the others (output stays bounded). */
    finish(form: GroupsForm, listsUngrouped: boolean, uri: string, what: string): RealGroups {
        if (this.firstBad) {
            const more = this.badLines > 1 ? ` (and ${this.badLines - 1} more line${this.badLines === 2 ? '' : 's'} like it)` : '';
            this.findings.unshift(finding('GROUPS-BAD-LINE', `${this.firstBad.message}${more}`, this.firstBad.loc));
        }
        if (this.findings.length === 0 && !this.functions.some((f) => f.group !== null)) {
            const others = this.otherDevices > 0 ? ` (only ${this.otherDevices} non-PCI device${this.otherDevices === 1 ? '' : 's'})` : '';
            this.report('GROUPS-EMPTY', `${what} names no PCI function in an IOMMU group${others}: the machine runs without an IOMMU for PCI, so there is nothing to compare`, lineLoc(uri, 0));
        }
        return { form, functions: this.functions, listsUngrouped, otherDevices: this.otherDevices, findings: this.findings };
    }
}

/** `[8086:10d3]` as `lspci -nn` ends the device's name (before `(rev 03)` and `(prog-if …)`). */
const IDS = /\[([0-9a-f]{4}):([0-9a-f]{4})\](?:\s*\((?:rev|prog-if) [^)]*\))*\s*$/i;

function idsOf(description: string): RealFunction['ids'] {
    const m = IDS.exec(description);
    return m ? { vendor: BigInt(`0x${m[1]}`), device: BigInt(`0x${m[2]}`) } : undefined;
}

function groupName(group: number | null): string {
    return group === null ? 'no group' : `group ${group}`;
}

// --- text: the loop's output or find's -------------------------------------------------------

/** Reads a groups listing (loop or find output); `uri` is where findings point. */
export function readGroupsText(text: string, uri: string): RealGroups {
    const c = new Collector();
    if (text.length > MAX_LISTING_CHARS) {
        c.report('GROUPS-TOO-LARGE', `the listing has ${text.length} characters; pciplat reads at most ${MAX_LISTING_CHARS}`, lineLoc(uri, 0));
        return { form: 'loop', functions: [], listsUngrouped: false, otherDevices: 0, findings: c.findings };
    }
    const lines = text.split(/\r?\n/).map((l) => (l.length > MAX_LINE_CHARS ? LONG_LINE : l));
    // The first line in a known form decides (a pasted prompt above it is a bad line).
    const decided = lines.findIndex((l) => formOf(l) !== undefined);
    const form = decided < 0 ? undefined : formOf(lines[decided]!);
    if (form === undefined) {
        const first = lines.findIndex((l) => l.trim() !== '');
        const why = first < 0 ? 'the file is empty' : `line ${first + 1} is ${quoted(lines[first]!)}`;
        c.report(
            'GROUPS-UNRECOGNISED',
            `not a listing of IOMMU groups (${why}); expected the output of the \`for g in /sys/kernel/iommu_groups/*\` loop (\`IOMMU Group N:\` lines) or of \`find /sys/kernel/iommu_groups -type l\``,
            lineLoc(uri, Math.max(first, 0), first < 0 ? 0 : lines[first]!.length),
        );
        return { form: 'loop', functions: [], listsUngrouped: false, otherDevices: 0, findings: c.findings };
    }
    if (form === 'loop') readLoop(lines, uri, c);
    else readFind(lines, uri, c);
    return c.finish(form, false, uri, 'the listing');
}

/** Stands for a line over MAX_LINE_CHARS: matches no form, so it is a bad line wherever it is. */
const LONG_LINE = '(a line of more than 4096 characters)';

function formOf(line: string): GroupsForm | undefined {
    const trimmed = line.trim();
    if (HEADER.test(trimmed)) return 'loop';
    if (GROUP_PATH.test(trimmed) || GROUP_DIRS.test(trimmed)) return 'find';
    return undefined;
}

function readLoop(lines: readonly string[], uri: string, c: Collector): void {
    let group: number | undefined;
    lines.forEach((line, i) => {
        const trimmed = line.trim();
        if (trimmed === '') return; // also what `lspci -nns` prints for a device that is not PCI
        const loc = lineLoc(uri, i, line.length);
        const header = HEADER.exec(trimmed);
        if (header) {
            group = Number(header[1]);
            const rest = header[2]!.trim();
            if (rest !== '') device(rest, group, loc);
            return;
        }
        if (group === undefined) c.bad(loc, `line ${i + 1} ${quoted(line)} comes before any \`IOMMU Group N:\` line`);
        // Device lines are indented; pasted listings often lose the tab, so a PCI address suffices.
        else if (SBDF_PREFIX.test(trimmed) || /^\s/.test(line)) device(trimmed, group, loc);
        else c.bad(loc, `line ${i + 1} ${quoted(line)} is neither an \`IOMMU Group N:\` line nor a device line`);
    });

    function device(text: string, group: number, loc: SourceLoc): void {
        const m = SBDF_PREFIX.exec(text);
        if (m) {
            const description = text.slice(m[0].length).trim();
            c.add(canonical(m), group, loc, description || undefined);
        } else if (SYSFS_NAME.test(text)) c.otherDevices++;
        else c.bad(loc, `line ${loc.start.line + 1} ${quoted(text)} does not start with a PCI address (\`00:1f.3\` or \`0000:00:1f.3\`)`);
    }
}

function readFind(lines: readonly string[], uri: string, c: Collector): void {
    lines.forEach((line, i) => {
        const trimmed = line.trim();
        if (trimmed === '' || GROUP_DIRS.test(trimmed)) return;
        const loc = lineLoc(uri, i, line.length);
        const m = GROUP_PATH.exec(trimmed);
        if (!m || !/(^|\/)iommu_groups\/*$|^\.?$/.test(m[1]!)) {
            c.bad(loc, `line ${i + 1} ${quoted(line)} is not a path /sys/kernel/iommu_groups/N/devices/DEVICE`);
            return;
        }
        const sbdf = sbdfOfName(m[3]!);
        if (sbdf) c.add(sbdf, Number(m[2]), loc);
        else c.otherDevices++;
    });
}

// --- a sysfs snapshot folder -----------------------------------------------------------------

export interface SnapshotEntry {
    /** Relative to the snapshot folder, `/`-separated. */
    path: string;
    kind: 'dir' | 'file' | 'link';
    /** A link's target, or the first line of a small file named `iommu_group`. */
    target?: string;
}

const MEMBER_ENTRY = /(?:^|\/)iommu_groups\/(\d{1,9})\/devices\/([^/]+)$/;
const GROUP_LINK = /(?:^|\/)([^/]+)\/iommu_group$/;
const DEVICE_DIR = /(?:^|\/)devices\/([^/]+)$/;
const GROUP_TARGET = /(?:^|\/)iommu_groups\/(\d{1,9})\/?$/;

/**
 * Reads a snapshot folder from its entries (`folderUri` is the folder, whose own name counts as
 * the first path segment; findings point at the entry at fault). A folder without any group
 * entry or iommu_groups folder is GROUPS-UNRECOGNISED.
 */
export function readGroupsSnapshot(entries: readonly SnapshotEntry[], folderUri: string): RealGroups {
    const c = new Collector();
    const at = (p: string) => lineLoc(`${folderUri.replace(/\/$/, '')}/${p.split('/').map(encodeURIComponent).join('/')}`, 0);
    if (entries.length > MAX_SNAPSHOT_ENTRIES) {
        c.report('GROUPS-TOO-LARGE', `the folder has more than ${MAX_SNAPSHOT_ENTRIES} entries; copy only /sys/kernel/iommu_groups and /sys/bus/pci/devices`, lineLoc(folderUri, 0));
        return { form: 'sysfs', functions: [], listsUngrouped: false, otherDevices: 0, findings: c.findings };
    }
    const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    // The folder's own name counts: /sys/kernel/iommu_groups itself holds N/devices/NAME.
    const name = decodeURIComponent(folderUri.replace(/\/+$/, '').split('/').pop() ?? '');
    let groupEntries = 0;
    let deviceDirs = 0;
    let groupsFolder = name === 'iommu_groups';
    const others = new Set<string>();
    for (const e of sorted) {
        const full = `${name}/${e.path}`;
        if (e.kind === 'dir' && /(?:^|\/)iommu_groups$/.test(full)) groupsFolder = true;
        const member = MEMBER_ENTRY.exec(full);
        if (member) {
            groupEntries++;
            const sbdf = sbdfOfName(member[2]!);
            if (sbdf) c.setGroup(sbdf, Number(member[1]), at(e.path));
            else others.add(member[2]!);
            continue;
        }
        const link = GROUP_LINK.exec(full);
        if (link && !full.includes('/iommu_groups/')) {
            const sbdf = sbdfOfName(link[1]!);
            if (!sbdf) continue;
            groupEntries++;
            const target = e.kind === 'dir' ? undefined : GROUP_TARGET.exec((e.target ?? '').trim());
            if (!target) {
                const what = e.kind === 'dir' ? 'is a folder (sysfs was copied following links)' : `${e.kind === 'link' ? 'links to' : 'holds'} '${(e.target ?? '').trim().slice(0, 80)}'`;
                c.report('GROUPS-BAD-LINK', `${e.path} ${what}, not to /sys/kernel/iommu_groups/N`, at(e.path));
                continue;
            }
            c.setGroup(sbdf, Number(target[1]), at(e.path));
            continue;
        }
        const device = DEVICE_DIR.exec(full);
        if (device && e.kind !== 'file' && !/(?:^|\/)iommu_groups\//.test(full)) {
            const sbdf = sbdfOfName(device[1]!);
            if (!sbdf) continue;
            deviceDirs++;
            if (!c.has(sbdf)) c.add(sbdf, null, at(e.path));
        }
    }
    c.otherDevices = others.size;
    // An empty iommu_groups folder is a machine without an IOMMU (GROUPS-EMPTY below), not garbage.
    if (groupEntries === 0 && !groupsFolder && c.findings.length === 0) {
        const why = deviceDirs > 0 ? `it has ${deviceDirs} PCI device folders but no iommu_group link and no iommu_groups folder` : 'it has no iommu_groups folder and no device with an iommu_group link';
        c.report('GROUPS-UNRECOGNISED', `not a sysfs snapshot of IOMMU groups (${why}); copy them with \`cp -a /sys/kernel/iommu_groups /sys/bus/pci/devices SNAPSHOT/\``, lineLoc(folderUri, 0));
        return { form: 'sysfs', functions: [], listsUngrouped: false, otherDevices: 0, findings: c.findings };
    }
    return c.finish('sysfs', deviceDirs > 0, folderUri, 'the folder');
}
