// Helpers shared by the language checks, none of which reports: NUMBER values (a number beyond
// 64 bits counts as absent), the source line of a node or of one value of a property, English
// lists and capitals, and the address limits several checks compare against.
import { GrammarUtils, type AstNode } from 'langium';
import { U64_MAX, hex, numberValue } from '../numbers.js';

export const ADDRESS_SPACE = 1n << 64n;
export const FOUR_GIB = 1n << 32n;
export const U32_MAX = FOUR_GIB - 1n;

/** A NUMBER's value; undefined when absent or beyond 64 bits (LANG-NUMBER-OVERFLOW reports that). */
export function valueOf(text: string | undefined): bigint | undefined {
    if (text === undefined || text === '') return undefined;
    const value = numberValue(text);
    return value > U64_MAX ? undefined : value;
}

export function isPowerOfTwo(value: bigint): boolean {
    return value > 0n && (value & (value - 1n)) === 0n;
}

/** Bus numbers as lspci prints them: two hex digits. */
export function bus(value: bigint): string {
    return hex(value, 2);
}

export function lineOf(node: AstNode | undefined): number {
    return (node?.$cstNode?.range.start.line ?? 0) + 1;
}

/** The line of one element of a multi-valued property (`memory 2G memory 4G`). */
export function lineOfProperty(node: AstNode, property: string, index: number): number {
    const cst = GrammarUtils.findNodeForProperty(node.$cstNode, property, index);
    return (cst?.range.start.line ?? 0) + 1;
}

/** `a`, `a and b`, `a, b and c`. */
export function listed(items: string[]): string {
    return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export function capitalised(text: string): string {
    return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "Host bridge x" → "host bridge x" in mid-sentence; acronyms (SMMU, ITS) stay. */
export function uncapitalised(text: string): string {
    return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}
