// Quick fixes through the real server over stdio, with the real engine: for each finding, the
// test waits for its diagnostic, asks `textDocument/codeAction` with the diagnostic in the
// context, applies the returned WorkspaceEdit to the text, sends the new text and checks, with
// `pciplat/simulate` on it, that the finding is gone and that the fix brought no new finding.
// Needs the compiled server: `npx tsc -p tsconfig.json`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import type { SimulateResult } from '../../server/protocol.js';
import { applyEdits, fileUri, messageOf, REPO, TestClient, WAIT } from './lsp-client.js';
import { BARS, GROUP_SPLIT, KVM_GROUP, MULTIFUNCTION, RID_KVM, RID_XEN, SLOTS } from './quick-fix-fixtures.js';


interface Fixed {
    /** The text after the fix. */
    text: string;
    action: CodeAction;
    /** Codes of every finding (language and simulation) before and after, as pciplat/simulate lists them. */
    before: string[];
    after: SimulateResult['findings'];
}

describe('quick fixes (real engine)', () => {
    let dir: string;
    let client: TestClient;
    let files = 0;

    beforeAll(async () => {
        if (!fs.existsSync(path.join(REPO, 'out', 'server', 'main.js'))) throw new Error('compile the server first: npx tsc -p tsconfig.json');
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pciplat-fix-'));
        client = TestClient.start();
        await client.initialize(dir, { systemPciIds: false, simulationWorkers: 2 });
    });

    afterAll(async () => {
        await client?.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    /** Opens `text` in a new file and returns the first published diagnostic with `code` (and `match`). */
    async function diagnosticOf(text: string, code: string, match: (d: Diagnostic) => boolean = () => true): Promise<{ uri: string; diagnostic: Diagnostic }> {
        const uri = fileUri(path.join(dir, `fix${++files}.pciplat`));
        await client.open(uri, text, 1);
        const published = await client.waitForDiagnostics(uri, (p) => p.version === 1 && p.diagnostics.some((d) => d.code === code && match(d)), WAIT, `${code} published`);
        return { uri, diagnostic: published.diagnostics.find((d) => d.code === code && match(d))! };
    }

    async function actionsFor(uri: string, diagnostic: Diagnostic): Promise<CodeAction[]> {
        return client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } });
    }

    /** Applies the action titled like `title` to the diagnostic with `code` and simulates the result. */
    async function fix(text: string, code: string, title: RegExp, match?: (d: Diagnostic) => boolean): Promise<Fixed> {
        const { uri, diagnostic } = await diagnosticOf(text, code, match);
        const before = (await client.request<SimulateResult>('pciplat/simulate', { uri })).findings.map((f) => f.code);
        const actions = await actionsFor(uri, diagnostic);
        const action = actions.find((a) => title.test(a.title));
        expect(action, `no action like ${title} among: ${actions.map((a) => a.title).join(' | ')}`).toBeDefined();
        expect(action!.kind).toBe('quickfix');
        expect(action!.diagnostics).toEqual([diagnostic]);
        const fixed = applyEdits(text, action!.edit!.changes![uri]!);
        await client.change(uri, fixed, 2);
        const after = (await client.request<SimulateResult>('pciplat/simulate', { uri })).findings;
        return { text: fixed, action: action!, before, after };
    }

    /** The fix removed the finding (or the one matching `gone`) and added no finding of a new code. */
    function expectFixed(result: Fixed, code: string, gone: (f: SimulateResult['findings'][number]) => boolean = () => true): void {
        expect(result.after.filter((f) => f.code === code && gone(f)).map((f) => f.message)).toEqual([]);
        const known = new Set(result.before);
        expect(result.after.filter((f) => !known.has(f.code)).map((f) => `${f.code} ${f.message}`)).toEqual([]);
    }

    it('offers quick fixes only', async () => {
        const { uri, diagnostic } = await diagnosticOf(BARS, 'PCI-BAR-SIZE-POW2');
        // Only quick fixes: a client asking for refactorings gets none.
        expect(await client.request('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic], only: ['refactor'] } })).toEqual([]);
    });

    it('assigns the rest of the IOMMU group to the domain (HV-GROUP-SPLIT)', async () => {
        const result = await fix(GROUP_SPLIT, 'HV-GROUP-SPLIT', /^Assign the rest of IOMMU group 0 to guest1 \(disk0\)$/);
        expect(result.text).toContain('domain guest1 { assign nic0 disk0 }');
        expect(result.action.isPreferred).toBe(true);
        expectFixed(result, 'HV-GROUP-SPLIT');
    });

    it('assigns the whole VFIO group, dropping the host drivers that block it (KVM-GROUP-NOT-VIABLE)', async () => {
        const result = await fix(KVM_GROUP, 'KVM-GROUP-NOT-VIABLE', /^Assign the rest of IOMMU group 0 to router/);
        expect(result.text).toContain('vm router { memory 2G  assign usb nvme1 nic }');
        expect(result.text).not.toContain('host-driver');
        expectFixed(result, 'KVM-GROUP-NOT-VIABLE');
    });

    it('binds the member that blocks the VFIO group to vfio-pci (KVM-GROUP-NOT-VIABLE)', async () => {
        const result = await fix(KVM_GROUP, 'KVM-GROUP-NOT-VIABLE', /^Bind nvme1 to vfio-pci$/, (d) => messageOf(d).includes('but nvme1,'));
        expect(result.text).toContain('host-driver nvme1 vfio-pci');
        // The other member bound to a host driver (nic) still blocks the group.
        expectFixed(result, 'KVM-GROUP-NOT-VIABLE', (f) => f.message.includes('but nvme1,'));
        expect(result.after.filter((f) => f.code === 'KVM-GROUP-NOT-VIABLE').map((f) => f.message)).toEqual([expect.stringContaining('but nic,')]);
    });

    it('moves an overlapping BAR to the next free aligned address (PCI-BAR-OVERLAP)', async () => {
        // a holds 0x4000_0000..0x4000_7fff and e (written outside its bridge's window) 0x4000_8000..0x4000_bfff.
        const result = await fix(BARS, 'PCI-BAR-OVERLAP', /^Move b BAR 0 to 0x4000_c000$/);
        expect(result.text).toContain('rc-endpoint b at 00:02.0 { bar 0 mem32 size 16K at 0x4000_c000 }');
        expectFixed(result, 'PCI-BAR-OVERLAP');
    });

    it('offers to drop a written address instead (PCI-BAR-OVERLAP)', async () => {
        const result = await fix(BARS, 'PCI-BAR-OVERLAP', /^Remove the address of b BAR 0/);
        expect(result.text).toContain('rc-endpoint b at 00:02.0 { bar 0 mem32 size 16K }');
        expectFixed(result, 'PCI-BAR-OVERLAP');
    });

    it('moves a BAR into its bridge\'s window (PCI-BAR-OUTSIDE-BRIDGE-WINDOW)', async () => {
        const result = await fix(BARS, 'PCI-BAR-OUTSIDE-BRIDGE-WINDOW', /^Move e BAR 0 to 0x4010_0000$/);
        expect(result.text).toContain('endpoint e at 01:00.0 { bar 0 mem32 size 16K at 0x4010_0000 }');
        expectFixed(result, 'PCI-BAR-OUTSIDE-BRIDGE-WINDOW');
    });

    it('aligns a misaligned BAR on the next free aligned address (PCI-BAR-MISALIGNED)', async () => {
        const result = await fix(BARS, 'PCI-BAR-MISALIGNED', /^Move c BAR 0 to 0x4001_4000$/);
        expect(result.text).toContain('rc-endpoint c at 00:03.0 { bar 0 mem32 size 16K at 0x4001_4000 }');
        expectFixed(result, 'PCI-BAR-MISALIGNED');
    });

    it('rounds a BAR size and an MSI vector count up to a power of two (PCI-BAR-SIZE-POW2, PCI-MSI-VECTORS)', async () => {
        const size = await fix(BARS, 'PCI-BAR-SIZE-POW2', /^Round the size up to 16K/);
        expect(size.text).toContain('rc-endpoint d at 00:04.0 { bar 0 mem32 size 16K  msi vectors 3 }');
        expectFixed(size, 'PCI-BAR-SIZE-POW2');
        const vectors = await fix(BARS, 'PCI-MSI-VECTORS', /^Request 4 vectors$/);
        expect(vectors.text).toContain('msi vectors 4 }');
        expectFixed(vectors, 'PCI-MSI-VECTORS');
    });

    it('grows the nearest iommu-map entry to the requester ID it misses (MAP-RID-UNMAPPED)', async () => {
        const result = await fix(RID_KVM, 'MAP-RID-UNMAPPED', /^Grow the iommu-map entry at RID 0x0 to count 0x101/);
        expect(result.text).toContain('iommu-map rid 0x0 count 0x101 -> smmu0 0x0');
        expectFixed(result, 'MAP-RID-UNMAPPED');
    });

    it('adds an iommu-map entry for a requester ID Xen cannot add (XEN-NO-STREAMID)', async () => {
        const grown = await fix(RID_XEN, 'XEN-NO-STREAMID', /^Grow the iommu-map entry/);
        expectFixed(grown, 'XEN-NO-STREAMID');
        const added = await fix(RID_XEN, 'XEN-NO-STREAMID', /^Add an iommu-map entry for RID 0x100 of far0$/);
        expect(added.text).toContain('    iommu-map rid 0x0 count 0x100 -> smmu0 0x0\n    iommu-map rid 0x100 count 0x1 -> smmu0 0x100\n');
        expectFixed(added, 'XEN-NO-STREAMID');
    });

    it('gives a device the lowest free guest slot (HV-VSLOT-TAKEN)', async () => {
        const result = await fix(SLOTS, 'HV-VSLOT-TAKEN', /^Use the free guest slot 00:01\.0$/);
        expect(result.text).toContain('assign nic0 as 00:00.0 disk0 as 00:01.0');
        expectFixed(result, 'HV-VSLOT-TAKEN');
    });

    it('marks function 0 multifunction (PCI-MF-NOT-MULTIFUNCTION)', async () => {
        const result = await fix(MULTIFUNCTION, 'PCI-MF-NOT-MULTIFUNCTION', /^Mark f0 multifunction$/);
        expect(result.text).toContain('endpoint f0 at 01:00.0 vendor 0x8086 device 0x10c9 { multifunction bar 0 mem32 size 16K }');
        expectFixed(result, 'PCI-MF-NOT-MULTIFUNCTION');
    });

    it('renumbers a lone function to 0, or adds a function 0 to a device (PCI-MF-NO-FUNCTION0)', async () => {
        const lone = await fix(MULTIFUNCTION, 'PCI-MF-NO-FUNCTION0', /^Renumber lone to function 0 \(02:00\.0\)$/, (d) => messageOf(d).startsWith('lone '));
        expect(lone.text).toContain('endpoint lone at 02:00.0 {');
        expectFixed(lone, 'PCI-MF-NO-FUNCTION0', (f) => f.message.startsWith('lone '));
        const added = await fix(MULTIFUNCTION, 'PCI-MF-NO-FUNCTION0', /^Add function 0 \(g1_fn0\) to device 03:00$/, (d) => messageOf(d).startsWith('g2 '));
        expect(added.text).toContain('    root-port rp2 at 00:03.0 {\n      endpoint g1_fn0 at 03:00.0 vendor 0x1af4 device 0x1041 { multifunction }\n      endpoint g1 at 03:00.1');
        expectFixed(added, 'PCI-MF-NO-FUNCTION0', (f) => f.message.startsWith('g1 ') || f.message.startsWith('g2 '));
    });
});
