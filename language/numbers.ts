// Reading the NUMBER, PCI_ADDR and DEVFN terminals. The grammar keeps them as source text so
// that 64-bit values reach the model intact as bigint.

export const U64_MAX = (1n << 64n) - 1n;

const SUFFIX: Record<string, bigint> = { K: 1n << 10n, M: 1n << 20n, G: 1n << 30n, T: 1n << 40n, P: 1n << 50n };

/**
 * Values already converted, by token text. The checks, lowering and the server's providers read
 * the same literals again on every edit (a 10k-function platform has ~80k NUMBER tokens, most of
 * them repeats such as `0x8086`), and a BigInt conversion costs far more than a lookup. Cleared
 * when full, so a stream of distinct literals cannot grow it without bound.
 */
const CACHE_LIMIT = 65_536;
const numbers = new Map<string, bigint>();
const addresses = new Map<string, Readonly<PciAddressParts>>();

function remember<V>(cache: Map<string, V>, text: string, value: V): V {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(text, value);
    return value;
}

/** The exact value of a NUMBER token (may exceed 64 bits: callers check with `U64_MAX`). */
export function numberValue(text: string): bigint {
    const known = numbers.get(text);
    return known !== undefined ? known : remember(numbers, text, convertNumber(text));
}

function convertNumber(text: string): bigint {
    let body = text.replace(/_/g, '');
    let scale = 1n;
    const last = body[body.length - 1]!.toUpperCase();
    if (SUFFIX[last] !== undefined) {
        // K M G T P (either case) are digits in no base the grammar accepts: a trailing one is a suffix.
        scale = SUFFIX[last]!;
        body = body.slice(0, -1);
    }
    let value: bigint;
    if (/^0[xX]/.test(body)) value = BigInt('0x' + body.slice(2));
    else if (/^0[bB]/.test(body)) value = BigInt('0b' + body.slice(2));
    else value = BigInt(body);
    return value * scale;
}

/** The value of an optional NUMBER token, or undefined when absent. */
export function optionalNumber(text: string | undefined): bigint | undefined {
    return text === undefined ? undefined : numberValue(text);
}

export interface PciAddressParts {
    segment?: bigint;
    bus?: bigint;
    device: bigint;
    fn: bigint;
}

/** `SSSS:BB:DD.F`, `BB:DD.F` (PCI_ADDR) or `DD.F` (DEVFN); every field hex, as lspci prints. */
export function pciAddressValue(text: string): PciAddressParts {
    // A copy: callers own the parts they get (lowering spreads them into the model).
    const known = addresses.get(text) ?? remember(addresses, text, convertPciAddress(text));
    return { ...known };
}

function convertPciAddress(text: string): PciAddressParts {
    const [path, fn] = text.split('.') as [string, string];
    const fields = path.split(':').map((f) => BigInt('0x' + f));
    const result: PciAddressParts = { device: fields[fields.length - 1]!, fn: BigInt('0x' + fn) };
    if (fields.length >= 2) result.bus = fields[fields.length - 2];
    if (fields.length === 3) result.segment = fields[0];
    return result;
}

export function hex(value: bigint, width = 0): string {
    return '0x' + value.toString(16).padStart(width, '0');
}
