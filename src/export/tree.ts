// `pciplat export tree`: the predicted fabric as `lspci -tv` draws it, so it diffs against the
// real machine's. The drawing follows pciutils ls-tree.c step by step: every function hangs
// from the deepest bridge whose secondary..subordinate range holds its bus (find_bridge), a
// bridge's buses are listed in the order their first function appears (devices sorted by
// domain, bus, devfn), a bridge always has its secondary bus (so an empty port ends in `--`),
// and each printed line turns into the next line's prefix (`+` and `|` become `|`, all else
// blanks: print_it).
import type { FunctionResult } from '../engine/result.js';
import type { ExportInput } from './exporter.js';
import type { EnumeratedFunction } from './groups.js';
import { Identities } from './identity.js';
import { vendorDeviceText } from './lspci-names.js';

type Fn = FunctionResult & EnumeratedFunction;

interface Bus {
    domain: bigint;
    number: bigint;
    devices: Fn[];
}

interface Bridge {
    /** Undefined for the host bridge (the root of every root bus). */
    dev?: Fn;
    domain: bigint;
    secondary: bigint;
    subordinate: bigint;
    children: Bridge[];
    buses: Bus[];
}

function hex2(v: bigint): string {
    return v.toString(16).padStart(2, '0');
}

function findBridge(b: Bridge, domain: bigint, bus: bigint): Bridge {
    for (const c of b.children) if (c.domain === domain && c.secondary <= bus && bus <= c.subordinate) return findBridge(c, domain, bus);
    return b;
}

function busOf(b: Bridge, domain: bigint, number: bigint): Bus {
    let bus = b.buses.find((x) => x.domain === domain && x.number === number);
    if (!bus) b.buses.push((bus = { domain, number, devices: [] }));
    return bus;
}

function compareFns(a: Fn, b: Fn): number {
    if (a.segment !== b.segment) return a.segment < b.segment ? -1 : 1;
    if (a.bus !== b.bus) return a.bus < b.bus ? -1 : 1;
    const da = (a.device << 3n) | a.fn;
    const db = (b.device << 3n) | b.fn;
    return da === db ? 0 : da < db ? -1 : 1;
}

/** The tree pciutils builds (grow_tree): bridges nested by bus ranges, then functions on buses. */
function growTree(functions: Fn[]): { host: Bridge; bridgeOf: Map<Fn, Bridge> } {
    const host: Bridge = { domain: -1n, secondary: 0n, subordinate: 0n, children: [], buses: [] };
    const bridgeOf = new Map<Fn, Bridge>();
    // Bridges in device order, each placed under the deepest bridge already holding its bus.
    for (const f of functions) {
        if (!f.bridge) continue;
        const b: Bridge = { dev: f, domain: f.segment, secondary: f.bridge.secondary, subordinate: f.bridge.subordinate, children: [], buses: [] };
        bridgeOf.set(f, b);
        findBridge(host, f.segment, f.bus).children.push(b);
        busOf(b, f.segment, b.secondary);
    }
    for (const f of functions) busOf(findBridge(host, f.segment, f.bus), f.segment, f.bus).devices.push(f);
    return { host, bridgeOf };
}

/** A line being drawn: a character buffer whose printed content becomes the next prefix. */
class Canvas {
    private line: string[] = [];
    readonly out: string[] = [];

    write(at: number, text: string): number {
        for (let i = 0; i < text.length; i++) this.line[at + i] = text[i]!;
        this.line.length = at + text.length;
        return at + text.length;
    }

    print(at: number): void {
        this.line.length = at;
        this.out.push(this.line.join(''));
        this.line = this.line.map((c) => (c === '+' || c === '|' ? '|' : ' '));
    }
}

export function treeText(input: ExportInput): string {
    const identities = new Identities(input.platform);
    const functions = input.result.functions.flatMap((f) => (f.invisible === undefined && f.bus !== undefined ? [{ ...f, bus: f.bus }] : [])).sort(compareFns);
    if (functions.length === 0) return '';
    const { host, bridgeOf } = growTree(functions);
    const canvas = new Canvas();

    const showDev = (d: Fn, p: number): void => {
        p = canvas.write(p, `${hex2(d.device)}.${d.fn.toString(16)}`);
        const b = bridgeOf.get(d);
        if (b) {
            p = canvas.write(p, b.secondary === b.subordinate ? `-[${hex2(b.secondary)}]-` : `-[${hex2(b.secondary)}-${hex2(b.subordinate)}]-`);
            showBridge(b, p);
            return;
        }
        p = canvas.write(p, `  ${vendorDeviceText(input.names, identities.of(d), false)}`);
        canvas.print(p);
    };

    const showBus = (bus: Bus, p: number): void => {
        const devs = bus.devices;
        if (devs.length === 0) canvas.print(p);
        else if (devs.length === 1) showDev(devs[0]!, canvas.write(p, '--'));
        else {
            devs.forEach((d, i) => {
                canvas.write(p, i === devs.length - 1 ? '\\-' : '+-');
                showDev(d, p + 2);
            });
        }
    };

    const showBridge = (b: Bridge, p: number): void => {
        p = canvas.write(p, '-');
        if (b.buses.length === 1) {
            const bus = b.buses[0]!;
            if (b === host) p = canvas.write(p, `[${bus.domain.toString(16).padStart(4, '0')}:${hex2(bus.number)}]-`);
            showBus(bus, p);
            return;
        }
        b.buses.forEach((bus, i) => {
            const k = canvas.write(p, `${i === b.buses.length - 1 ? '\\' : '+'}-[${bus.domain.toString(16).padStart(4, '0')}:${hex2(bus.number)}]-`);
            showBus(bus, k);
        });
    };

    showBridge(host, 0);
    return canvas.out.map((l) => `${l}\n`).join('');
}

