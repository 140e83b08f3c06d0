// A host bridge whose MCFG entry covers fewer buses than its bus-range: what Linux's scan still
// finds (language check HB-MCFG-PARTIAL reports the cause).
import { describe, expect, it } from 'vitest';
import { enumerate } from '../../src/fabric/enumerate.js';
import { platformFromText } from '../helpers/platforms.js';

const hierarchy = `
    root-port rp0 at 00:01.0 { secondary 0x40 subordinate 0x40 endpoint far at 40:00.0 }
    root-port rp1 at 00:02.0 { secondary 0x01 subordinate 0x01 endpoint near at 01:00.0 }`;

function platform(arch: string, segment: number, buses: string): Promise<import('../../src/model/platform.js').Platform> {
    return platformFromText(`platform p {
  arch ${arch}
  host-bridge hb segment ${segment} {
    mcfg at 0xe000_0000 buses ${buses}
    bus-range 0x00..0xff
    window mem32 at 0x8000_0000 size 256M${hierarchy}
  }
}`);
}

function invisible(p: import('../../src/model/platform.js').Platform): Record<string, string | undefined> {
    const { topology } = enumerate(p);
    return Object.fromEntries(topology.functions.map((f) => [f.name, f.invisible]));
}

describe('buses outside the MCFG entry', () => {
    it('x86, segment 1: the functions on buses the entry does not cover are not found', async () => {
        expect(invisible(await platform('x86_64', 1, '0x00..0x3f'))).toEqual({
            rp0: undefined,
            far: 'bus 0x40 of segment 0x1 is outside the MCFG entry of hb (buses 0x00..0x3f), and I/O-port configuration access serves segment 0 only',
            rp1: undefined,
            near: undefined,
        });
    });
    it('x86, segment 0: I/O-port access still finds them', async () => {
        expect(Object.values(invisible(await platform('x86_64', 0, '0x00..0x3f')))).toEqual([undefined, undefined, undefined, undefined]);
    });
    it('arm64: the host bridge is not probed at all', async () => {
        const why = 'host bridge hb is not probed: its MCFG entry covers only buses 0x00..0x3f of its bus range (pci_mcfg_lookup)';
        const result = invisible(await platform('arm64', 0, '0x00..0x3f'));
        expect(result.rp0).toBe(why);
        expect(result.rp1).toBe(why);
        expect(result.far).toBe(why);
        expect(result.near).toBe(why);
    });
    it('an entry covering the whole range hides nothing', async () => {
        expect(Object.values(invisible(await platform('arm64', 0, '0x00..0xff')))).toEqual([undefined, undefined, undefined, undefined]);
        expect(Object.values(invisible(await platform('x86_64', 1, '0x00..0xff')))).toEqual([undefined, undefined, undefined, undefined]);
    });
});
