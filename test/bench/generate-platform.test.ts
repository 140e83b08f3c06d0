// The benchmarks measure a platform a user could have written: the generated one must check
// clean (no error, warning or note from the language checks or the simulation), or the figures
// would include reporting findings that a real platform does not have.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFindings } from '../helpers/check.js';
import { generatePlatform } from './generate-platform.mjs';

describe('the generated benchmark platform', () => {
    it('checks with no findings at 1k functions', async () => {
        const { text, functions } = generatePlatform(1000);
        expect(functions).toBeGreaterThanOrEqual(1000);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-bench-gen-'));
        try {
            const file = path.join(dir, 'big.pciplat');
            fs.writeFileSync(file, text);
            expect(await checkFindings(file)).toEqual([]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it('checks with no findings at 1k functions with its SMMU and ITS in an imported SoC', async () => {
        const { text, socText } = generatePlatform(1000, { soc: true });
        expect(text).toContain('import "soc.pciplat"');
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-bench-gen-'));
        try {
            const file = path.join(dir, 'big.pciplat');
            fs.writeFileSync(file, text);
            fs.writeFileSync(path.join(dir, 'soc.pciplat'), socText!);
            expect(await checkFindings(file)).toEqual([]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it('gives every host bridge its own 32-bit window (the 10k platform has several)', () => {
        const { text } = generatePlatform(10_000);
        const windows = [...text.matchAll(/window mem32 at (0x[0-9a-f]+) size 16M/g)].map((m) => BigInt(m[1]!));
        expect(windows.length).toBeGreaterThan(1);
        const sorted = [...windows].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(16n << 20n);
        expect(sorted[sorted.length - 1]! + (16n << 20n)).toBeLessThanOrEqual(1n << 32n);
    });
});
