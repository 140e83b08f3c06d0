// Platform files for the language-server tests, written to a temporary directory: a workspace
// folder `ws/` whose board imports a SoC kept OUTSIDE the workspace folder (`outside/`).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileUri } from './lsp-client.js';

export const SOC = `soc base "Base SoC" {
  its gits0 at 0x801_0002_0000 device-id-bits 20
  smmu smmu0 v3 at 0x4000_0000 stream-id-bits 20
  uart uart0 at 0x402_0000 size 4K
  host-bridge soc_pcie segment 1 {
    ecam at 0x8_3000_0000 size 16M
    bus-range 0x00..0x0f
    window mem32 at 0x5000_0000 size 256M
    iommu-map rid 0x0000 count 0x1000 -> smmu0 0x10000
    root-port srp0 at 00:01.0 {
      endpoint sdev at 01:00.0 vendor 0x1af4 device 0x1041 { bar 0 mem64 size 16K }
    }
  }
}
`;

/** The board; the memory region's name and `extra` (lines inside the platform) vary per test. */
export function board(memory = 'dram', extra = ''): string {
    return `import "../outside/soc.pciplat"

platform board "Test board" {
  arch arm64
  soc base
  memory ${memory} at 0x1_0000_0000 size 4G
  host-bridge pcie0 segment 0 {
    ecam at 0x3000_0000 size 256M
    bus-range 0x00..0xff
    window mem32 at 0x4000_0000 size 512M
    window mem64 prefetch at 0x80_0000_0000 size 64G
    iommu-map rid 0x0000 count 0x10000 -> smmu0 0x0000
    msi-map rid 0x0000 count 0x10000 -> gits0 0x0000
    root-port rp0 at 00:01.0 {
      endpoint nic0 at 01:00.0 vendor 0x8086 device 0x10c9 class 0x020000 {
        bar 0 mem64 prefetch size 128K
        bar 3 mem64 size 16K at 0x4010_0000
      }
    }
  }
  xen {
    domain guest1 { memory 2G assign nic0 }
  }
  scenario bringup {
    boot
    start guest1
  }
${extra}}
`;
}

/** Never opened by the tests: its diagnostics come from the initial workspace build. */
export const LONELY = `platform lonely {
  arch arm64
  xen {
    domain d { assign nosuch }
  }
}
`;

export interface FixtureDir {
    root: string;
    ws: string;
    boardPath: string;
    socPath: string;
    lonelyPath: string;
    boardUri: string;
    socUri: string;
    lonelyUri: string;
    remove(): void;
}

export function writeFixtures(): FixtureDir {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-ls-'));
    const ws = path.join(root, 'ws');
    fs.mkdirSync(ws);
    fs.mkdirSync(path.join(root, 'outside'));
    const boardPath = path.join(ws, 'board.pciplat');
    const socPath = path.join(root, 'outside', 'soc.pciplat');
    const lonelyPath = path.join(ws, 'lonely.pciplat');
    fs.writeFileSync(boardPath, board());
    fs.writeFileSync(socPath, SOC);
    fs.writeFileSync(lonelyPath, LONELY);
    return {
        root,
        ws,
        boardPath,
        socPath,
        lonelyPath,
        boardUri: fileUri(boardPath),
        socUri: fileUri(socPath),
        lonelyUri: fileUri(lonelyPath),
        remove: () => fs.rmSync(root, { recursive: true, force: true }),
    };
}

/** Line/character of the first occurrence of `needle` (plus `offset` characters) in `text`. */
export function positionOf(text: string, needle: string, offset = 0): { line: number; character: number } {
    const index = text.indexOf(needle);
    if (index < 0) throw new Error(`'${needle}' not in text`);
    const before = text.slice(0, index + offset);
    const line = before.split('\n').length - 1;
    return { line, character: before.length - (before.lastIndexOf('\n') + 1) };
}
