// Hand-built inputs for the CLI tests: source locations, findings, tiny platforms, a fake
// loader and an in-memory CliIo. Nothing here reads files.
import type { Finding, RelatedLoc, Severity } from '../../src/findings/finding.js';
import type { FindingCode } from '../../src/findings/codes.js';
import type { LoadedInput, Loader } from '../../src/cli/frontend.js';
import type { CliIo } from '../../src/cli/main.js';
import type { Bar, FunctionKind, HostBridge, PciFunction, Platform, Scenario } from '../../src/model/platform.js';
import type { SourceLoc } from '../../src/model/source.js';

/** The working directory every test CLI runs in. */
export const CWD = '/proj';

/** A 0-based location in /proj/FILE (as the language server's SourceLoc). */
export function loc(file: string, line: number, character: number, endLine = line, endCharacter = character + 1): SourceLoc {
    return { uri: `file://${CWD}/${file}`, start: { line, character }, end: { line: endLine, character: endCharacter } };
}

export function mkFinding(code: FindingCode, severity: Severity, message: string, at?: SourceLoc, related: RelatedLoc[] = []): Finding {
    return { code, severity, message, loc: at, related };
}

export function bar(index: number, kind: Bar['kind'], size: bigint, address?: bigint, prefetchable = false): Bar {
    return { index, kind, prefetchable, size, address, loc: loc('p.pciplat', 20 + index, 4) };
}

export function fn(name: string, kind: FunctionKind, at: { bus?: bigint; device: bigint; fn: bigint }, more: Partial<PciFunction> = {}): PciFunction {
    const where = loc('p.pciplat', 10, 4);
    return {
        name,
        kind,
        address: { ...at, loc: where },
        multifunction: false,
        ariForwarding: false,
        ioWindow1k: false,
        bars: [],
        resets: [],
        quirks: [],
        windows: [],
        children: [],
        loc: where,
        nameLoc: where,
        ...more,
    };
}

export function hostBridge(name: string, functions: PciFunction[], more: Partial<HostBridge> = {}): HostBridge {
    const where = loc('p.pciplat', 5, 2);
    return { name, busStart: 0n, busEnd: 0xffn, windows: [], iommuMap: [], msiMap: [], functions, loc: where, nameLoc: where, ...more };
}

export function scenario(name: string): Scenario {
    const where = loc('p.pciplat', 40, 2);
    return { name, steps: [{ kind: 'boot', loc: where }], loc: where, nameLoc: where };
}

export function platform(name: string, more: Partial<Platform> = {}): Platform {
    return {
        name,
        arch: 'arm64',
        loc: loc('p.pciplat', 0, 0),
        memory: [],
        reserved: [],
        its: [],
        smmus: [],
        x86Iommus: [],
        gics: [],
        ioapics: [],
        platformDevices: [],
        hostBridges: [],
        linux: { acsOverride: [], pcieScanAll: false, realloc: false, assignBusses: false },
        scenarios: [],
        ...more,
    };
}

/** A platform with a root port (bus 0) and an endpoint below it on bus 1 with two BARs. */
export function smallPlatform(name = 'board', more: Partial<Platform> = {}): Platform {
    const ep = fn('nic', 'endpoint', { bus: 1n, device: 0n, fn: 0n }, {
        bars: [bar(0, 'mem64', 0x4000n, 0x80_0000_0000n, true), bar(2, 'mem32', 0x1000n)],
    });
    const rp = fn('rp0', 'root-port', { bus: 0n, device: 1n, fn: 0n }, { secondary: 1n, subordinate: 1n, children: [ep] });
    return platform(name, { hostBridges: [hostBridge('pcie0', [rp], { segment: 0n })], ...more });
}

export function input(more: Partial<LoadedInput> = {}): LoadedInput {
    return { findings: [], platforms: [], unreadable: [], ...more };
}

export interface FakeLoader extends Loader {
    calls: string[][];
}

/** A loader answering `result` (or computing it from the paths) and recording its calls. */
export function fakeLoader(result: LoadedInput | ((paths: string[]) => LoadedInput)): FakeLoader {
    const calls: string[][] = [];
    const loader = (async (paths: string[]) => {
        calls.push(paths);
        return typeof result === 'function' ? result(paths) : result;
    }) as FakeLoader;
    loader.calls = calls;
    return loader;
}

export interface Captured {
    io: CliIo;
    out(): string;
    err(): string;
}

export function capture(cwd = CWD): Captured {
    let out = '';
    let err = '';
    return {
        io: { stdout: (t) => void (out += t), stderr: (t) => void (err += t), cwd },
        out: () => out,
        err: () => err,
    };
}
