// Reading BAR registers: a function's own BARs (Type 0 header: 0-5, Type 1: 0-1; DOMAIN §5.3.1)
// and the six VF BARs of its SR-IOV capability (DOMAIN §7.1), with the register slots as hardware
// reads them (a 64-bit BAR takes the next register; DOMAIN §5.3.2). Shared by bar-checks.ts,
// sriov-checks.ts (VF BARs) and msix-checks.ts (BIR targets). Nothing here reports.
import { isVfBar, type Bar, type PciFunction, type Sriov, type VfBar } from '../generated/ast.js';
import { valueOf } from './ast-helpers.js';
import { functionLabel, isBridge } from './function-helpers.js';

export type AnyBar = Bar | VfBar;

/** One set of BAR registers: the function header's, or the SR-IOV capability's VF BARs. */
export interface BarBank {
    bars: readonly AnyBar[];
    /** `BAR` or `VF BAR`. */
    unit: string;
    /** The function the registers belong to, for messages: `endpoint nic0`. */
    owner: string;
    /** The highest BAR index the registers have. */
    last: bigint;
    /** Which indices exist, for messages: `a type 0 header has BARs 0-5`. */
    extent: string;
}

// Type 1 (bridge) headers have BARs 0-1 only (DOMAIN §5.3.1).
export function functionBank(fn: PciFunction): BarBank {
    const bridge = isBridge(fn);
    return {
        bars: fn.bars,
        unit: 'BAR',
        owner: functionLabel(fn),
        last: bridge ? 1n : 5n,
        extent: bridge ? 'a type 1 (bridge) header has BARs 0-1' : 'a type 0 header has BARs 0-5',
    };
}

// The SR-IOV capability has six VF BAR registers, 0x24-0x38 (DOMAIN §7.1).
export function vfBank(sriov: Sriov): BarBank {
    return {
        bars: sriov.vfBars,
        unit: 'VF BAR',
        owner: functionLabel(sriov.$container),
        last: 5n,
        extent: 'the SR-IOV capability has VF BARs 0-5',
    };
}

export function bankOf(bar: AnyBar): BarBank {
    return isVfBar(bar) ? vfBank(bar.$container) : functionBank(bar.$container);
}

/** `BAR 3 of endpoint nic0`. */
export function bankLabel(bank: BarBank, index: bigint | undefined): string {
    return `${bank.unit} ${index ?? '?'} of ${bank.owner}`;
}

export function barLabel(bar: AnyBar): string {
    return bankLabel(bankOf(bar), valueOf(bar.index));
}

/** What decodes one BAR register: a declared BAR, or the upper half of the 64-bit BAR below. */
export interface BarSlot {
    bar: AnyBar;
    upperHalf: boolean;
}

/**
 * The BAR register slots of a bank as hardware reads them, lowest first: a 64-bit BAR takes the
 * next register as its upper dword (DOMAIN §5.3.2), and otherwise the first BAR declared at an
 * index owns it.
 */
export function slotsOf(bank: BarBank): Map<bigint, BarSlot> {
    const slots = new Map<bigint, BarSlot>();
    let lower64: AnyBar | undefined;
    for (let index = 0n; index <= bank.last; index++) {
        if (lower64) {
            slots.set(index, { bar: lower64, upperHalf: true });
            lower64 = undefined;
            continue;
        }
        const first = bank.bars.find((b) => valueOf(b.index) === index);
        if (first) slots.set(index, { bar: first, upperHalf: false });
        if (first?.kind === 'mem64') lower64 = first;
    }
    return slots;
}
