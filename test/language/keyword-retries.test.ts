// A keyword used as a name is recovered by parsing the file again (language/parse-guard.ts); the
// retries are bounded by the text they re-read, so a big file full of such errors is not parsed
// twenty times over (fuzz seed 20261203, input 272,216: 37 s of CPU for 227 KB).
import { expect, it } from 'vitest';
import { buildTexts, diagnosticsOf } from '../helpers/workspace.js';

const platform = (filler: string) => `platform box {
  arch x86_64
  host-bridge pcie0 segment 0 {
    rc-endpoint ioapic at 00:05.0 { }
    rc-endpoint memory at 00:06.0 { }
  }
}
${filler}`;

const keywordErrors = async (text: string) => {
    const { roots } = await buildTexts({ 'box.pciplat': text });
    return diagnosticsOf(roots[0]!).filter((d) => /is a keyword; it cannot name a function/.test(typeof d.message === 'string' ? d.message : d.message.value)).map((d) => d.range.start.line);
};

it('a small file recovers every keyword used as a name', async () => {
    expect(await keywordErrors(platform(''))).toEqual([3, 4]);
});

it('a file of 1 MiB or more recovers only the first', async () => {
    expect(await keywordErrors(platform(`// ${'x'.repeat(1024 * 1024)}\n`))).toEqual([3]);
});
