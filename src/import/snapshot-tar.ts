// A sysfs snapshot read straight from a tarball (.tar, .tar.gz / .tgz), in memory: the command
// in docs/import.md makes one. Only what a snapshot holds is read — regular files, folders,
// symbolic links (and hard links as files) — from POSIX ustar / GNU / pax archives; anything
// garbled or cut short is IMPORT-SYSFS-LAYOUT. Written here rather than taken from the `tar` npm
// package: that one extracts to disk through streams (and would add its dependencies to the
// extension bundle), while a snapshot is a few MiB read once, synchronously, with bounds.
import { gunzipSync } from 'node:zlib';
import { ImportError } from './errors.js';
import type { Snapshot } from './sysfs.js';

const BLOCK = 512;
/** Larger unpacked archives are not sysfs snapshots (4 KiB of config per function). */
const MAX_UNPACKED = 256 << 20;
const MAX_LINK_HOPS = 40;

export function isGzip(bytes: Uint8Array): boolean {
    return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** A ustar ("ustar\0" / GNU "ustar  ") header at the start. */
export function isTar(bytes: Uint8Array): boolean {
    return bytes.length >= BLOCK && String.fromCharCode(...bytes.subarray(257, 262)) === 'ustar';
}

interface Entries {
    files: Map<string, Uint8Array>;
    links: Map<string, string>;
    dirs: Set<string>;
}

const text = (b: Uint8Array, from: number, len: number) => {
    const slice = b.subarray(from, from + len);
    const end = slice.indexOf(0);
    return new TextDecoder().decode(end >= 0 ? slice.subarray(0, end) : slice);
};

function normal(p: string): string {
    const out: string[] = [];
    for (const part of p.split('/')) {
        if (part === '' || part === '.') continue;
        if (part === '..') out.pop();
        else out.push(part);
    }
    return out.join('/');
}

/** Numeric header field: octal text, or base-256 (GNU) when the first byte has its top bit. */
function number(b: Uint8Array, from: number, len: number): number | undefined {
    if ((b[from]! & 0x80) !== 0) {
        let v = 0;
        for (let i = from + 1; i < from + len; i++) v = v * 256 + b[i]!;
        return v;
    }
    const t = text(b, from, len).trim();
    return /^[0-7]*$/.test(t) ? (t === '' ? 0 : parseInt(t, 8)) : undefined;
}

function readEntries(bytes: Uint8Array, shown: string): Entries {
    const fail = (offset: number, why: string): never => {
        throw new ImportError('IMPORT-SYSFS-LAYOUT', shown, 0, `not a readable tar archive at byte ${offset}: ${why}`);
    };
    const e: Entries = { files: new Map(), links: new Map(), dirs: new Set() };
    let longName: string | undefined;
    let longLink: string | undefined;
    let pax: Record<string, string> = {};
    let offset = 0;
    let sawHeader = false;
    while (offset + BLOCK <= bytes.length) {
        const h = bytes.subarray(offset, offset + BLOCK);
        if (h.every((x) => x === 0)) {
            if (!sawHeader) fail(offset, 'no entry before the end marker');
            return e;
        }
        sawHeader = true;
        const sum = number(h, 148, 8);
        let actual = 0;
        for (let i = 0; i < BLOCK; i++) actual += i >= 148 && i < 156 ? 0x20 : h[i]!;
        if (sum === undefined || sum !== actual) fail(offset, 'header checksum does not match (garbled)');
        const size = number(h, 124, 12);
        if (size === undefined) fail(offset, 'size field is not a number');
        const type = String.fromCharCode(h[156]!);
        const dataAt = offset + BLOCK;
        if (dataAt + size! > bytes.length) fail(offset, `entry of ${size} bytes runs past the end (truncated)`);
        const data = bytes.subarray(dataAt, dataAt + size!);
        offset = dataAt + Math.ceil(size! / BLOCK) * BLOCK;
        if (type === 'L') {
            longName = text(data, 0, data.length);
            continue;
        }
        if (type === 'K') {
            longLink = text(data, 0, data.length);
            continue;
        }
        if (type === 'x') {
            pax = {};
            // records "LEN key=value\n"
            const s = new TextDecoder().decode(data);
            for (const m of s.matchAll(/(\d+) ([^=\n]+)=([^\n]*)\n/g)) pax[m[2]!] = m[3]!;
            continue;
        }
        if (type === 'g') continue;
        const prefix = text(h, 345, 155);
        const name = normal(pax.path ?? longName ?? (prefix ? `${prefix}/${text(h, 0, 100)}` : text(h, 0, 100)));
        const linkname = pax.linkpath ?? longLink ?? text(h, 157, 100);
        longName = longLink = undefined;
        pax = {};
        if (name === '') continue;
        const parts = name.split('/');
        for (let i = 1; i < parts.length; i++) e.dirs.add(parts.slice(0, i).join('/'));
        if (type === '5') e.dirs.add(name);
        else if (type === '2') e.links.set(name, linkname);
        else if (type === '1') {
            const target = e.files.get(normal(linkname));
            if (target) e.files.set(name, target);
        } else if (type === '0' || type === '\0' || type === '7') e.files.set(name, data);
        // devices, FIFOs: not in a sysfs snapshot, skipped
    }
    // tar ends with zero blocks: without them the archive was cut (between or inside entries).
    return fail(offset, sawHeader ? 'no end-of-archive blocks (truncated)' : 'empty');
}

/** The snapshot held by a tarball's bytes (gzip-compressed or not). */
export function tarSnapshot(bytes: Uint8Array, shown: string): Snapshot {
    let raw = bytes;
    if (isGzip(bytes)) {
        try {
            raw = new Uint8Array(gunzipSync(bytes, { maxOutputLength: MAX_UNPACKED }));
        } catch (error) {
            throw new ImportError('IMPORT-SYSFS-LAYOUT', shown, 0, `gzip data that cannot be unpacked: ${(error as Error).message.split('\n')[0]}`);
        }
    }
    if (!isTar(raw)) throw new ImportError('IMPORT-SYSFS-LAYOUT', shown, 0, 'neither a folder nor a tar archive (.tar, .tar.gz): see docs/import.md for the command that makes a snapshot');
    const e = readEntries(raw, shown);
    // The archive's own top folder (tar czf snapshot.tgz snapshot) is the snapshot's root.
    const top = new Set([...e.files.keys(), ...e.links.keys(), ...e.dirs].map((p) => p.split('/')[0]!));
    const hasBus = (root: string) => [...e.dirs].some((d) => d === `${root}bus/pci/devices` || d === `${root}sys/bus/pci/devices`);
    const root = hasBus('') ? '' : top.size === 1 && hasBus(`${[...top][0]}/`) ? `${[...top][0]}/` : '';
    // Paths through symbolic links inside the archive (a link to a folder of it).
    const resolve = (p: string, followLast: boolean): string => {
        let parts = normal(root + p).split('/').filter((x) => x !== '');
        for (let hops = 0, i = 0; i < parts.length; i++) {
            const prefix = parts.slice(0, i + 1).join('/');
            const target = e.links.get(prefix);
            if (target === undefined || (i === parts.length - 1 && !followLast)) continue;
            if (++hops > MAX_LINK_HOPS) return prefix;
            const base = target.startsWith('/') ? target : `${parts.slice(0, i).join('/')}/${target}`;
            parts = [...normal(base).split('/').filter((x) => x !== ''), ...parts.slice(i + 1)];
            i = -1;
        }
        return parts.join('/');
    };
    const children = new Map<string, Set<string>>();
    for (const p of [...e.files.keys(), ...e.links.keys(), ...e.dirs]) {
        const at = p.lastIndexOf('/');
        const parent = at < 0 ? '' : p.slice(0, at);
        const set = children.get(parent) ?? new Set();
        set.add(p.slice(at + 1));
        children.set(parent, set);
    }
    return {
        list(dir) {
            const d = resolve(dir, true);
            return e.dirs.has(d) || d === '' ? [...(children.get(d) ?? [])] : undefined;
        },
        read(file) {
            return e.files.get(resolve(file, true));
        },
        link(file) {
            return e.links.get(resolve(file, false));
        },
        display(p) {
            return p === '' ? shown : `${shown}:${p}`;
        },
    };
}
