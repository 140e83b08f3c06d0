// Reading what QEMU built: `info qtree` on the monitor of a machine stopped before it runs (-S),
// turned into the PCI devices it holds, nested as QEMU nests them (a bridge's bus holds the
// devices plugged into it), with the IDs and BAR sizes QEMU's models report.
import { spawnSync } from 'node:child_process';

export interface QemuPciDevice {
    driver: string;
    id: string;
    /** `DD.F` on its bus. */
    addr: string;
    pciId: string;
    bars: { index: number; kind: 'mem' | 'io'; size: bigint }[];
    children: QemuPciDevice[];
}

const QMP = [
    { execute: 'qmp_capabilities' },
    { execute: 'human-monitor-command', arguments: { 'command-line': 'info qtree' } },
    { execute: 'quit' },
]
    .map((c) => JSON.stringify(c))
    .join('\n');

/**
 * Runs a shell command line (the export's text) stopped before the guest runs, with QMP on
 * stdio (no line editing in the way), and returns what `info qtree` prints.
 */
export function qtreeOf(commandText: string): string {
    const script = commandText.replace(/\n?$/, ' -serial none -monitor none -display none -qmp stdio -S\n');
    const r = spawnSync('bash', ['-c', script], { input: `${QMP}\n`, encoding: 'utf8', timeout: 600_000, maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`QEMU refused the command line (status ${r.status}): ${r.stderr}`);
    const answers = r.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { return?: unknown });
    const text = answers.map((a) => a.return).find((v): v is string => typeof v === 'string');
    if (text === undefined) throw new Error(`no info qtree answer from QEMU: ${r.stdout.slice(0, 500)}`);
    return text;
}

interface Line {
    indent: number;
    text: string;
}

/** The PCI devices on the machine's root bus `pcie.0`, nested. */
export function pciDevices(qtree: string): QemuPciDevice[] {
    const lines: Line[] = qtree.split('\n').map((l) => ({ indent: l.length - l.trimStart().length, text: l.trim() }));
    const root = lines.findIndex((l) => l.text === 'bus: pcie.0');
    if (root < 0) throw new Error('no pcie.0 bus in info qtree');
    return devicesOfBus(lines, root);
}

function devicesOfBus(lines: Line[], busAt: number): QemuPciDevice[] {
    const busIndent = lines[busAt]!.indent;
    const out: QemuPciDevice[] = [];
    for (let i = busAt + 1; i < lines.length && (lines[i]!.indent > busIndent || lines[i]!.text === ''); i++) {
        const l = lines[i]!;
        if (l.indent !== busIndent + 2 || !l.text.startsWith('dev: ')) continue;
        const m = /^dev: ([^,]+), id "([^"]*)"$/.exec(l.text)!;
        const dev: QemuPciDevice = { driver: m[1]!, id: m[2]!, addr: '', pciId: '', bars: [], children: [] };
        for (let j = i + 1; j < lines.length && lines[j]!.indent > l.indent; j++) {
            const p = lines[j]!;
            if (p.indent !== l.indent + 2) continue;
            let mm: RegExpExecArray | null;
            if ((mm = /^addr = (\S+)$/.exec(p.text))) dev.addr = mm[1]!;
            else if ((mm = /pci id ([0-9a-f]{4}:[0-9a-f]{4})/.exec(p.text))) dev.pciId = mm[1]!;
            else if ((mm = /^bar (\d+): (mem|i\/o) at \S+ \[0x([0-9a-f]+)\]$/.exec(p.text))) {
                if (mm[1] !== '6') dev.bars.push({ index: Number(mm[1]), kind: mm[2] === 'mem' ? 'mem' : 'io', size: (BigInt(`0x${mm[3]}`) | 1n) + 1n });
            } else if (p.text.startsWith('bus: ')) dev.children.push(...devicesOfBus(lines, j));
        }
        out.push(dev);
    }
    return out;
}

/** One line per device, `DD.F driver vendor:device`, indented by depth, siblings by address. */
export function shape(devices: QemuPciDevice[], depth = 0): string {
    return [...devices]
        .sort((a, b) => (a.addr < b.addr ? -1 : 1))
        .map((d) => `${'  '.repeat(depth)}${d.addr} ${d.driver} ${d.pciId}\n${shape(d.children, depth + 1)}`)
        .join('');
}
