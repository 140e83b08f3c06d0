// Quick fixes for the common findings. Each one is a WorkspaceEdit computed from the AST of the
// current text and, for what only a simulation knows (IOMMU groups, placed addresses, guest
// slots, requester IDs and DMA aliases), from the last completed simulation of the platform the
// diagnostic belongs to; a fix that needs a result is not offered while that result predates the
// text. Edits may touch another file of the import closure (a SoC's host bridge, say).
//
//   HV-GROUP-SPLIT, KVM-GROUP-NOT-VIABLE      assign the rest of the IOMMU group to the guest
//                                             (dropping host-driver bindings that block VFIO);
//   KVM-GROUP-NOT-VIABLE                      bind the blocking member to vfio-pci;
//   PCI-BAR-OVERLAP, PCI-BAR-OUTSIDE-BRIDGE-WINDOW, PCI-BAR-MISALIGNED
//                                             move the BAR (or ROM) to the next free, naturally
//                                             aligned address in the window it belongs in; or
//                                             drop the written address and let Linux place it;
//   MAP-RID-UNMAPPED, XEN-NO-STREAMID         grow the nearest iommu-map entry to the requester
//                                             IDs it misses, or add an entry;
//   HV-VSLOT-TAKEN                            take the lowest free guest slot;
//   PCI-MF-NOT-MULTIFUNCTION                  add `multifunction` to function 0;
//   PCI-MF-NO-FUNCTION0                       add a function 0, or renumber a lone function to 0;
//   PCI-BAR-SIZE-POW2, PCI-MSI-VECTORS        round up to a power of two;
//   SRIOV-NUMVFS                              enable total-vfs VFs.
import { allFunctions } from '../src/model/walk.js';
import { AstUtils, CstUtils, GrammarUtils, type AstNode, type CstNode, type LangiumDocument, type LangiumDocuments } from 'langium';
import type { CodeActionProvider, LangiumServices } from 'langium/lsp';
import { CodeActionKind, type CodeAction, type CodeActionParams, type Command, type Diagnostic, type Position, type Range, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver';
import * as ast from '../language/generated/ast.js';
import { numberValue, pciAddressValue } from '../language/numbers.js';
import type { FunctionResult } from '../src/engine/result.js';
import { MAX_VIRTUAL_SLOTS, profileRules } from '../src/hypervisor/profiles.js';
import type * as m from '../src/model/platform.js';
import type { ServerContext } from './context.js';
import type { SimulationDiagnosticData } from './diagnostics.js';
import type { StoredResult } from './simulation/results.js';
import { functionResult, modelFunction } from './view.js';

const BRIDGE_KINDS = new Set(['root-port', 'switch-upstream', 'downstream-port', 'pcie-pci-bridge', 'pci-pcie-bridge', 'pci-bridge']);
const FOUR_GIB = 1n << 32n;

/** `0x4000_4000`: hex with a `_` every four digits from the right, as the examples write addresses. */
export function hexText(value: bigint): string {
    const digits = value.toString(16);
    const groups: string[] = [];
    for (let end = digits.length; end > 0; end -= 4) groups.unshift(digits.slice(Math.max(0, end - 4), end));
    return `0x${groups.join('_')}`;
}

/** A size in the unit the original text used (`12K` → `16K`), else hex. */
function sizeText(value: bigint, original: string): string {
    const suffix = /[KMGTP]$/i.exec(original.trim())?.[0];
    const units: Record<string, bigint> = { K: 1n << 10n, M: 1n << 20n, G: 1n << 30n, T: 1n << 40n, P: 1n << 50n };
    if (suffix) {
        const unit = units[suffix.toUpperCase()]!;
        if (value % unit === 0n) return `${value / unit}${suffix}`;
    }
    return /^0[xX]/.test(original) || suffix ? hexText(value) : value.toString();
}

function nextPowerOfTwo(value: bigint): bigint {
    let p = 1n;
    while (p < value) p <<= 1n;
    return p;
}

function alignUp(value: bigint, alignment: bigint): bigint {
    return ((value + alignment - 1n) / alignment) * alignment;
}

function safeNumber(text: string | undefined): bigint | undefined {
    if (text === undefined) return undefined;
    try {
        return numberValue(text);
    } catch {
        return undefined;
    }
}

interface Span {
    start: bigint;
    /** Inclusive. */
    end: bigint;
}

/** A fix's edits, file by file. */
class Edits {
    readonly changes: Record<string, TextEdit[]> = {};

    replace(node: CstNode | AstNode | undefined, newText: string): this {
        const cst = node && ('$cstNode' in node ? node.$cstNode : (node as CstNode));
        if (!cst) return this;
        return this.add(documentUri(cst), { range: cst.range, newText });
    }

    insert(uri: string, position: Position, newText: string): this {
        return this.add(uri, { range: { start: position, end: position }, newText });
    }

    delete(uri: string, range: Range): this {
        return this.add(uri, { range, newText: '' });
    }

    add(uri: string, edit: TextEdit): this {
        (this.changes[uri] ??= []).push(edit);
        return this;
    }

    get empty(): boolean {
        return Object.keys(this.changes).length === 0;
    }

    edit(): WorkspaceEdit {
        return { changes: this.changes };
    }
}

function documentUri(cst: CstNode): string {
    return AstUtils.getDocument(cst.astNode).uri.toString();
}

function uriOf(node: AstNode): string {
    return AstUtils.getDocument(node).uri.toString();
}

/** The CST node of a property, or of a keyword, of a node. */
function propertyNode(node: AstNode, property: string): CstNode | undefined {
    return GrammarUtils.findNodeForProperty(node.$cstNode, property);
}

/** The text of the line `line` up to its first non-blank character. */
function indentationAt(document: LangiumDocument, line: number): string {
    const text = document.textDocument.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
    return /^[ \t]*/.exec(text)?.[0] ?? '';
}

/** One indentation step, as the file writes them (two spaces when it cannot tell). */
function indentUnit(document: LangiumDocument): string {
    const text = document.textDocument.getText();
    if (/^\t/m.test(text)) return '\t';
    const widths = [...text.matchAll(/^( +)\S/gm)].map((m) => m[1]!.length);
    const smallest = widths.length > 0 ? Math.min(...widths) : 2;
    return ' '.repeat(Math.max(1, Math.min(8, smallest)));
}

/** Inserts statements on lines of their own after `after` (a statement), with its indentation. */
function insertLinesAfter(edits: Edits, after: AstNode, statements: readonly string[]): void {
    const cst = after.$cstNode;
    if (!cst || statements.length === 0) return;
    const document = AstUtils.getDocument(after);
    const indent = indentationAt(document, cst.range.start.line);
    edits.insert(document.uri.toString(), cst.range.end, statements.map((s) => `\n${indent}${s}`).join(''));
}

function functionRefText(ref: ast.FunctionRef): string {
    return `${ref.function?.$refText ?? ''}${ref.vf !== undefined ? `.vf[${ref.vf}]` : ''}`;
}

function quickFix(title: string, diagnostic: Diagnostic, edits: Edits, preferred = false): CodeAction {
    return { title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit: edits.edit(), isPreferred: preferred || undefined };
}

type Fixer = (fix: FixContext) => CodeAction[];

interface FixContext {
    document: LangiumDocument;
    diagnostic: Diagnostic;
    /** The deepest node at the start of the diagnostic's range. */
    node: AstNode | undefined;
    /** The last simulation of the diagnostic's platform, when it is for the current text. */
    entry: StoredResult | undefined;
    documents: LangiumDocuments;
}

export class PciplatCodeActionProvider implements CodeActionProvider {
    private readonly documents: LangiumDocuments;

    constructor(
        services: LangiumServices,
        private readonly context: ServerContext,
    ) {
        this.documents = services.shared.workspace.LangiumDocuments;
    }

    getCodeActions(document: LangiumDocument, params: CodeActionParams): Array<Command | CodeAction> | undefined {
        const only = params.context.only;
        if (only && !only.some((kind) => kind === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(`${kind}.`) || kind === CodeActionKind.Empty)) return [];
        const actions: CodeAction[] = [];
        for (const diagnostic of params.context.diagnostics) {
            const fixer = typeof diagnostic.code === 'string' ? FIXERS[diagnostic.code] : undefined;
            if (!fixer) continue;
            try {
                const fix = this.fixContext(document, diagnostic);
                actions.push(...fixer(fix).filter((a) => a.edit && Object.keys(a.edit.changes ?? {}).length > 0));
            } catch (error) {
                this.context.background?.log(`pciplat: code action for ${String(diagnostic.code)} failed: ${error instanceof Error ? error.message : String(error)}`);
            }
        }
        return actions;
    }

    private fixContext(document: LangiumDocument, diagnostic: Diagnostic): FixContext {
        const root = document.parseResult?.value?.$cstNode;
        const offset = document.textDocument.offsetAt(diagnostic.range.start);
        const leaf = root ? CstUtils.findLeafNodeAtOffset(root, offset) : undefined;
        return { document, diagnostic, node: leaf?.astNode, entry: this.entryFor(document, diagnostic, leaf?.astNode), documents: this.documents };
    }

    /** The simulation the diagnostic comes from (or, for a language check, the one that sees its node), if it is current. */
    private entryFor(document: LangiumDocument, diagnostic: Diagnostic, node: AstNode | undefined): StoredResult | undefined {
        const background = this.context.background;
        if (!background) return undefined;
        const uri = document.uri.toString();
        const seeing = background.store.seeing(uri);
        const platform = (diagnostic.data as Partial<SimulationDiagnosticData> | undefined)?.platform;
        const container = node && AstUtils.getContainerOfType(node, ast.isPlatform);
        const entry =
            (platform !== undefined ? seeing.find((e) => e.platformName === platform) : undefined) ??
            (container ? seeing.find((e) => e.uri === uri && e.platformName === container.name) : undefined) ??
            seeing[0];
        if (!entry || background.isStale(entry.versions)) return undefined;
        return entry;
    }
}

// ---------------------------------------------------------------------------------------------
// Whole IOMMU group (HV-GROUP-SPLIT, KVM-GROUP-NOT-VIABLE)

/** The assignment (config entry or scenario step) the diagnostic points at. */
function assignmentAt(node: AstNode | undefined): ast.Assignment | ast.AssignStep | ast.HotPlugStep | undefined {
    return node && AstUtils.getContainerOfType(node, (n): n is ast.Assignment | ast.AssignStep | ast.HotPlugStep => ast.isAssignment(n) || ast.isAssignStep(n) || ast.isHotPlugStep(n));
}

function guestOf(assignment: ast.Assignment | ast.AssignStep | ast.HotPlugStep): string | undefined {
    if (ast.isAssignment(assignment)) return assignment.$container.name;
    return assignment.dom0 ? 'dom0' : assignment.guest?.$refText;
}

/** Guests (domains and VMs) each device is given to in the configuration. */
function configuredGuests(platform: m.Platform): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    const note = (device: string, guest: string) => {
        const set = out.get(device) ?? new Set<string>();
        set.add(guest);
        out.set(device, set);
    };
    const ref = (r: m.FunctionRef) => (r.vf !== undefined ? `${r.function}.vf[${r.vf}]` : r.function);
    for (const d of platform.xen?.domains ?? []) for (const a of d.assignments) note(ref(a.device), d.name);
    for (const v of platform.kvm?.vms ?? []) for (const a of v.assignments) note(ref(a.device), v.name);
    return out;
}

/** Members of the device's IOMMU group the guest should get too: not bridges, enumerated, nobody else's. */
function missingGroupMembers(entry: StoredResult, device: string, guest: string): { group: number; members: FunctionResult[] } | undefined {
    const own = functionResult(entry, device);
    if (!own || own.group === null || own.group === undefined) return undefined;
    const group = entry.result.groups.find((g) => g.id === own.group);
    if (!group) return undefined;
    const configured = configuredGuests(entry.platform);
    const members: FunctionResult[] = [];
    for (const name of group.members) {
        if (name === device) continue;
        const f = functionResult(entry, name);
        if (!f || f.invisible !== undefined || BRIDGE_KINDS.has(f.kind)) continue;
        if (f.owner === 'xen' || f.owner === 'dom_io' || f.owner === 'none') continue;
        const guests = configured.get(name);
        if (guests?.has(guest)) continue;
        if (guests && guests.size > 0) continue; // given to another guest: not ours to take
        members.push(f);
    }
    return { group: own.group, members };
}

const fixGroup: Fixer = (fix) => {
    const assignment = assignmentAt(fix.node);
    const entry = fix.entry;
    if (!assignment || !entry) return [];
    const device = functionRefText(assignment.device);
    const guest = guestOf(assignment);
    if (!guest) return [];
    const missing = missingGroupMembers(entry, device, guest);
    if (!missing || missing.members.length === 0) return [];
    const names = missing.members.map((f) => f.name);
    const edits = new Edits();
    if (ast.isAssignment(assignment)) {
        edits.insert(uriOf(assignment), assignment.$cstNode!.range.end, ` ${names.join(' ')}`);
    } else {
        const verb = ast.isAssignStep(assignment) ? 'assign' : 'hot-plug';
        insertLinesAfter(edits, assignment, names.map((name) => `${verb} ${name} to ${guest}`));
    }
    // A device bound to a host driver cannot also go to a VM (KVM-HOST-DRIVER): drop the binding.
    const kvm = AstUtils.getContainerOfType(assignment, ast.isPlatform)?.kvms[0];
    for (const hostDriver of kvm?.hostDrivers ?? []) {
        if (!names.includes(functionRefText(hostDriver.device)) || hostDriver.driver === 'vfio-pci' || hostDriver.driver === 'pci-stub') continue;
        deleteStatement(edits, hostDriver);
    }
    return [quickFix(`Assign the rest of IOMMU group ${missing.group} to ${guest} (${names.join(', ')})`, fix.diagnostic, edits, true)];
};

/** Deletes a statement, with its line when nothing else is on it. */
function deleteStatement(edits: Edits, node: AstNode): void {
    const cst = node.$cstNode;
    if (!cst) return;
    const document = AstUtils.getDocument(node);
    const text = document.textDocument.getText();
    let start = cst.offset;
    let end = cst.end;
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    const lineEndIndex = text.indexOf('\n', end);
    const lineEnd = lineEndIndex < 0 ? text.length : lineEndIndex;
    if (text.slice(lineStart, start).trim() === '' && text.slice(end, lineEnd).trim() === '') {
        start = lineStart;
        end = lineEndIndex < 0 ? lineEnd : lineEnd + 1;
    } else {
        while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
    }
    edits.delete(document.uri.toString(), { start: document.textDocument.positionAt(start), end: document.textDocument.positionAt(end) });
}

/** KVM-GROUP-NOT-VIABLE: bind the member the message names to vfio-pci. */
const fixViability: Fixer = (fix) => {
    const actions = fixGroup(fix);
    const message = typeof fix.diagnostic.message === 'string' ? fix.diagnostic.message : '';
    const blocker = /but (\S+), in the same IOMMU group \d+, is bound to the host driver/.exec(message)?.[1];
    const kvm = fix.node && AstUtils.getContainerOfType(fix.node, ast.isPlatform)?.kvms[0];
    const hostDriver = kvm?.hostDrivers.find((h) => functionRefText(h.device) === blocker);
    const driverNode = hostDriver && propertyNode(hostDriver, 'driver');
    if (blocker && driverNode) actions.push(quickFix(`Bind ${blocker} to vfio-pci`, fix.diagnostic, new Edits().replace(driverNode, 'vfio-pci')));
    return actions;
};

// ---------------------------------------------------------------------------------------------
// BAR addresses (PCI-BAR-OVERLAP, PCI-BAR-OUTSIDE-BRIDGE-WINDOW, PCI-BAR-MISALIGNED)

interface Resource {
    node: ast.Bar | ast.Rom;
    fn: ast.PciFunction;
    /** `bar 2` or `rom`. */
    label: string;
    kind: m.BarKind;
    prefetchable: boolean;
    size: bigint;
    address?: bigint;
}

function resourceAt(node: AstNode | undefined): Resource | undefined {
    const owner = node && AstUtils.getContainerOfType(node, (n): n is ast.Bar | ast.Rom => ast.isBar(n) || ast.isRom(n));
    if (!owner || !ast.isPciFunction(owner.$container)) return undefined;
    const size = safeNumber(owner.size);
    if (size === undefined || size === 0n || (size & (size - 1n)) !== 0n) return undefined;
    const address = safeNumber(owner.address);
    if (ast.isBar(owner)) return { node: owner, fn: owner.$container, label: `BAR ${owner.index}`, kind: (owner.kind ?? 'mem32') as m.BarKind, prefetchable: owner.prefetch, size, address };
    return { node: owner, fn: owner.$container, label: 'the ROM', kind: 'mem32', prefetchable: false, size, address };
}

/** The PCI bus address ranges the resource may live in, preferred first. */
function windowsFor(resource: Resource, entry: StoredResult): Span[] {
    const parent = resource.fn.$container;
    const limit = (s: Span): Span | undefined => {
        if (resource.kind !== 'mem32') return s;
        if (s.start >= FOUR_GIB) return undefined;
        return { start: s.start, end: s.end < FOUR_GIB ? s.end : FOUR_GIB - 1n };
    };
    const spans: Span[] = [];
    if (ast.isPciFunction(parent)) {
        const bridge = functionResult(entry, parent.name)?.bridge;
        if (!bridge) return [];
        const order: string[] = resource.kind === 'io' ? ['io'] : resource.prefetchable ? ['prefetch', 'mem'] : ['mem'];
        for (const slot of order) for (const w of bridge.windows.filter((x) => x.window === slot)) spans.push({ start: w.start, end: w.end });
    } else {
        const hb = entry.platform.hostBridges.find((h) => h.name === parent.name);
        if (!hb) return [];
        const io = resource.kind === 'io';
        const usable = hb.windows.filter((w) => (io ? w.kind === 'io' : w.kind !== 'io') && (io || resource.prefetchable || !w.prefetchable));
        // Prefetchable 64-bit BARs prefer prefetchable windows; the others the non-prefetchable ones.
        usable.sort((a, b) => Number(b.prefetchable === resource.prefetchable) - Number(a.prefetchable === resource.prefetchable));
        for (const w of usable) spans.push({ start: w.pciBase, end: w.pciBase + w.size - 1n });
    }
    return spans.map(limit).filter((s): s is Span => s !== undefined && s.end >= s.start);
}

/** Everything decoded in the resource's address space except the resource itself and what forwards to it. */
function occupied(resource: Resource, entry: StoredResult): Span[] {
    const io = resource.kind === 'io';
    const ancestors = new Set<string>();
    for (let n: AstNode | undefined = resource.fn.$container; n && ast.isPciFunction(n); n = n.$container) ancestors.add(n.name);
    const selfName = resource.fn.name;
    const selfIndex = ast.isBar(resource.node) ? safeNumber(resource.node.index) : undefined;
    const spans: Span[] = [];
    for (const f of entry.result.functions) {
        for (const b of f.bars) {
            if (b.address === undefined || (b.kind === 'io') !== io) continue;
            if (f.name === selfName && selfIndex !== undefined && BigInt(b.index) === selfIndex) continue;
            spans.push({ start: b.address, end: b.address + b.size - 1n });
        }
        if (!io && f.rom?.address !== undefined && !(f.name === selfName && ast.isRom(resource.node))) spans.push({ start: f.rom.address, end: f.rom.address + f.rom.size - 1n });
        for (const w of f.bridge?.windows ?? []) {
            if ((w.window === 'io') !== io || ancestors.has(f.name) || w.end < w.start) continue;
            spans.push({ start: w.start, end: w.end });
        }
    }
    // SR-IOV apertures: every VF BAR for all TotalVFs, from VF 0's address.
    for (const hb of entry.platform.hostBridges) {
        for (const fn of allFunctions(hb.functions)) {
            if (!fn.sriov || io) continue;
            const vf0 = functionResult(entry, `${fn.name}.vf[0]`);
            for (const vb of fn.sriov.vfBars) {
                const address = vf0?.bars.find((b) => b.index === vb.index)?.address;
                if (address !== undefined) spans.push({ start: address, end: address + vb.size * fn.sriov.totalVfs - 1n });
            }
        }
    }
    return spans.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}


/** The lowest naturally aligned address at or after `from` in `window` clear of `taken`. */
function freeIn(window: Span, size: bigint, taken: readonly Span[], from: bigint): bigint | undefined {
    let candidate = alignUp(from > window.start ? from : window.start, size);
    for (;;) {
        const end = candidate + size - 1n;
        if (end > window.end) return undefined;
        const clash = taken.find((t) => t.start <= end && t.end >= candidate);
        if (!clash) return candidate;
        candidate = alignUp(clash.end + 1n, size);
    }
}

/** The next free aligned address: from the current address on in its window, else the lowest in the preferred windows. */
function freeAddress(resource: Resource, entry: StoredResult): bigint | undefined {
    const windows = windowsFor(resource, entry);
    const taken = occupied(resource, entry);
    const current = resource.address;
    const home = current !== undefined ? windows.find((w) => current >= w.start && current <= w.end) : undefined;
    if (home && current !== undefined) {
        const next = freeIn(home, resource.size, taken, current);
        if (next !== undefined) return next;
    }
    for (const w of windows) {
        const found = freeIn(w, resource.size, taken, w.start);
        if (found !== undefined) return found;
    }
    return undefined;
}

const fixBarAddress: Fixer = (fix) => {
    const resource = resourceAt(fix.node);
    if (!resource) return [];
    const actions: CodeAction[] = [];
    let target = fix.entry ? freeAddress(resource, fix.entry) : undefined;
    // Without a current simulation only misalignment can be fixed: the next aligned address.
    if (target === undefined && !fix.entry && fix.diagnostic.code === 'PCI-BAR-MISALIGNED' && resource.address !== undefined) target = alignUp(resource.address, resource.size);
    if (target !== undefined && target !== resource.address) {
        const edits = new Edits();
        const addressNode = propertyNode(resource.node, 'address');
        if (addressNode) edits.replace(addressNode, hexText(target));
        else {
            const sizeNode = propertyNode(resource.node, 'size');
            if (sizeNode) edits.insert(uriOf(resource.node), sizeNode.range.end, ` at ${hexText(target)}`);
        }
        actions.push(quickFix(`Move ${resource.fn.name} ${resource.label} to ${hexText(target)}`, fix.diagnostic, edits, true));
    }
    // A written address that collides or lies outside its window: let Linux place the resource.
    if (resource.address !== undefined && fix.diagnostic.code !== 'PCI-BAR-MISALIGNED') {
        const at = GrammarUtils.findNodeForKeyword(resource.node.$cstNode, 'at');
        const addressNode = propertyNode(resource.node, 'address');
        if (at && addressNode) {
            const document = AstUtils.getDocument(resource.node);
            const text = document.textDocument.getText();
            let start = at.offset;
            while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
            const edits = new Edits().delete(document.uri.toString(), { start: document.textDocument.positionAt(start), end: addressNode.range.end });
            actions.push(quickFix(`Remove the address of ${resource.fn.name} ${resource.label} (Linux places it)`, fix.diagnostic, edits, target === undefined));
        }
    }
    return actions;
};

// ---------------------------------------------------------------------------------------------
// Requester IDs without an iommu-map entry (MAP-RID-UNMAPPED, XEN-NO-STREAMID)

interface MapEntryView {
    node: ast.IommuMapEntry;
    ridBase: bigint;
    count: bigint;
    target: string;
    targetBase: bigint;
}

function mapEntries(hb: ast.HostBridge): MapEntryView[] {
    const out: MapEntryView[] = [];
    for (const node of hb.iommuMaps) {
        const ridBase = safeNumber(node.ridBase);
        const count = safeNumber(node.count);
        const targetBase = safeNumber(node.targetBase);
        if (ridBase === undefined || count === undefined || targetBase === undefined) continue;
        out.push({ node, ridBase, count, target: node.target?.$refText ?? '', targetBase });
    }
    return out;
}

/** StreamID ranges each SMMU already hands out, over every host bridge of the platform. */
function outputsByTarget(platform: m.Platform, except?: ast.IommuMapEntry): Map<string, Span[]> {
    const out = new Map<string, Span[]>();
    for (const hb of platform.hostBridges) {
        for (const e of hb.iommuMap) {
            if (e.count === 0n) continue;
            if (except?.$cstNode && e.loc.uri === uriOf(except) && e.loc.start.line === except.$cstNode.range.start.line && e.loc.start.character === except.$cstNode.range.start.character) continue;
            const list = out.get(e.target) ?? [];
            list.push({ start: e.targetBase, end: e.targetBase + e.count - 1n });
            out.set(e.target, list);
        }
    }
    return out;
}

const fixRidMap: Fixer = (fix) => {
    const entry = fix.entry;
    const fnNode = fix.node && AstUtils.getContainerOfType(fix.node, ast.isPciFunction);
    const hbNode = fnNode && AstUtils.getContainerOfType(fnNode, ast.isHostBridge);
    if (!entry || !fnNode || !hbNode) return [];
    const model = modelFunction(entry.platform, fnNode.name);
    const result = functionResult(entry, fnNode.name);
    if (!model || !result || result.bus === undefined) return [];
    const hb = model.hostBridge;
    const mask = hb.iommuMapMask;
    const entries = mapEntries(hbNode);
    const covered = (rid: bigint) => entries.some((e) => rid >= e.ridBase && rid < e.ridBase + e.count);
    const own = (result.bus << 8n) | (result.device << 3n) | result.fn;
    const rids = [...new Set([own, ...result.aliases].map((rid) => (mask !== undefined ? rid & mask : rid)))].filter((rid) => !covered(rid));
    if (rids.length === 0) return [];
    const smmus = new Map(entry.platform.smmus.map((s) => [s.name, s]));
    const fits = (target: string, span: Span, except?: ast.IommuMapEntry) => {
        const smmu = smmus.get(target);
        if (smmu && span.end >= 1n << BigInt(smmu.streamIdBits)) return false;
        return !(outputsByTarget(entry.platform, except).get(target) ?? []).some((o) => o.start <= span.end && o.end >= span.start);
    };
    const ridText = rids.map(hexText).join(', ');
    const actions: CodeAction[] = [];

    // Grow the nearest entry below each RID, when the grown range overlaps no other entry.
    const grown = new Map<MapEntryView, bigint>();
    let growable = true;
    for (const rid of rids) {
        const below = entries.filter((e) => e.ridBase + e.count - 1n < rid).sort((a, b) => (a.ridBase + a.count > b.ridBase + b.count ? -1 : 1))[0];
        if (!below) {
            growable = false;
            break;
        }
        const count = rid - below.ridBase + 1n;
        grown.set(below, count > (grown.get(below) ?? 0n) ? count : grown.get(below)!);
    }
    if (growable && grown.size > 0) {
        const ok = [...grown].every(([e, count]) => {
            const span = { start: e.ridBase, end: e.ridBase + count - 1n };
            const inputClash = entries.some((o) => o !== e && !grown.has(o) && o.ridBase <= span.end && o.ridBase + o.count - 1n >= span.start);
            return !inputClash && fits(e.target, { start: e.targetBase + e.count, end: e.targetBase + count - 1n }, e.node);
        });
        if (ok) {
            const edits = new Edits();
            for (const [e, count] of grown) {
                const countNode = propertyNode(e.node, 'count');
                if (countNode) edits.replace(countNode, hexText(count));
            }
            const [first, count] = [...grown][0]!;
            const title = grown.size === 1 ? `Grow the iommu-map entry at RID ${hexText(first.ridBase)} to count ${hexText(count)} (covers ${ridText})` : `Grow the iommu-map entries to cover ${ridText}`;
            actions.push(quickFix(title, fix.diagnostic, edits, true));
        }
    }

    // Or add an entry: the nearest entry's SMMU and offset when that StreamID is free, else the next free one.
    const nearest = [...entries].sort((a, b) => {
        const d = (e: MapEntryView) => (rids[0]! >= e.ridBase ? rids[0]! - e.ridBase : e.ridBase - rids[0]!);
        return d(a) < d(b) ? -1 : 1;
    })[0];
    const target = nearest?.target ?? entry.platform.smmus[0]?.name;
    if (target) {
        const statements: string[] = [];
        const planned: Span[] = [];
        for (const rid of rids) {
            let base = nearest ? rid - nearest.ridBase + nearest.targetBase : rid;
            const clashes = (b: bigint) => !fits(target, { start: b, end: b }) || planned.some((p) => p.start === b);
            if (base < 0n || clashes(base)) {
                const used = [...(outputsByTarget(entry.platform).get(target) ?? []), ...planned];
                base = used.reduce((max, s) => (s.end + 1n > max ? s.end + 1n : max), 0n);
                if (!fits(target, { start: base, end: base })) return actions;
            }
            planned.push({ start: base, end: base });
            statements.push(`iommu-map rid ${hexText(rid)} count 0x1 -> ${target} ${hexText(base)}`);
        }
        const anchor = hbNode.iommuMaps[hbNode.iommuMaps.length - 1] ?? lastStatementBeforeFunctions(hbNode);
        const edits = new Edits();
        if (anchor) insertLinesAfter(edits, anchor, statements);
        else {
            const open = GrammarUtils.findNodeForKeyword(hbNode.$cstNode, '{');
            const document = AstUtils.getDocument(hbNode);
            const indent = indentationAt(document, hbNode.$cstNode!.range.start.line) + indentUnit(document);
            if (open) edits.insert(document.uri.toString(), open.range.end, statements.map((s) => `\n${indent}${s}`).join(''));
        }
        actions.push(quickFix(`Add an iommu-map entry for RID ${ridText} of ${fnNode.name}`, fix.diagnostic, edits, actions.length === 0));
    }
    return actions;
};

function lastStatementBeforeFunctions(hb: ast.HostBridge): AstNode | undefined {
    const statements = AstUtils.streamContents(hb)
        .filter((n) => !ast.isPciFunction(n) && n.$cstNode !== undefined)
        .toArray();
    return statements.sort((a, b) => a.$cstNode!.offset - b.$cstNode!.offset).pop();
}

// ---------------------------------------------------------------------------------------------
// Guest slots (HV-VSLOT-TAKEN)

const fixVirtualSlot: Fixer = (fix) => {
    const entry = fix.entry;
    const assignment = assignmentAt(fix.node);
    const address = assignment?.vslot;
    if (!entry || !assignment || !address?.$cstNode) return [];
    const guest = guestOf(assignment);
    if (!guest) return [];
    const used = new Set<number>();
    const domain = entry.result.domains.find((d) => d.name === guest);
    for (const sbdf of Object.values(domain?.guestSbdf ?? {})) {
        const slot = /:([0-9a-f]{2})\.[0-9a-f]+$/i.exec(sbdf)?.[1];
        if (slot) used.add(parseInt(slot, 16));
    }
    // Slots written for the guest's other devices count too (a written slot wins over automatic ones).
    const guests = [...(entry.platform.xen?.domains ?? []), ...(entry.platform.kvm?.vms ?? [])].filter((g) => g.name === guest);
    const self = assignment.$cstNode?.range.start;
    const isSelf = (loc: m.Assignment['loc']) => self !== undefined && loc.uri === uriOf(assignment) && loc.start.line === self.line && loc.start.character === self.character;
    for (const g of guests) for (const a of g.assignments) if (a.vslot && !isSelf(a.loc)) used.add(Number(a.vslot.device));
    const reserved = profileRules(entry.result.profile).reservedSlots;
    let slot = reserved;
    while (slot < MAX_VIRTUAL_SLOTS && used.has(slot)) slot++;
    if (slot >= MAX_VIRTUAL_SLOTS) return [];
    const text = `00:${slot.toString(16).padStart(2, '0')}.0`;
    return [quickFix(`Use the free guest slot ${text}`, fix.diagnostic, new Edits().replace(address, text), true)];
};

// ---------------------------------------------------------------------------------------------
// Multi-function devices (PCI-MF-NOT-MULTIFUNCTION, PCI-MF-NO-FUNCTION0)

const fixMultifunction: Fixer = (fix) => {
    const fn = fix.node && AstUtils.getContainerOfType(fix.node, ast.isPciFunction);
    if (!fn?.$cstNode) return [];
    const open = GrammarUtils.findNodeForKeyword(fn.$cstNode, '{');
    const edits = open ? new Edits().insert(uriOf(fn), open.range.end, ' multifunction') : new Edits().insert(uriOf(fn), fn.$cstNode.range.end, ' { multifunction }');
    return [quickFix(`Mark ${fn.name} multifunction`, fix.diagnostic, edits, true)];
};

function addressParts(fn: ast.PciFunction): ReturnType<typeof pciAddressValue> | undefined {
    const text = fn.address?.absolute ?? fn.address?.relative;
    if (!text) return undefined;
    try {
        return pciAddressValue(text);
    } catch {
        return undefined;
    }
}

const fixFunctionZero: Fixer = (fix) => {
    const fn = fix.node && AstUtils.getContainerOfType(fix.node, ast.isPciFunction);
    const parts = fn && addressParts(fn);
    const addressNode = fn?.address?.$cstNode;
    if (!fn || !parts || !addressNode) return [];
    const parent = fn.$container;
    const siblings = (ast.isHostBridge(parent) || ast.isPciFunction(parent) ? parent.functions : []).filter((f) => {
        const p = addressParts(f);
        return p !== undefined && p.device === parts.device && p.bus === parts.bus;
    });
    const actions: CodeAction[] = [];
    const addressText = addressNode.text;
    const withFunctionZero = addressText.replace(/\.[0-9a-fA-F]+$/, '.0');
    if (siblings.length === 1) {
        actions.push(quickFix(`Renumber ${fn.name} to function 0 (${withFunctionZero})`, fix.diagnostic, new Edits().replace(addressNode, withFunctionZero), true));
    }
    // A new function 0 before the device's first function, marked multifunction so the others are scanned.
    const first = [...siblings].sort((a, b) => a.$cstNode!.offset - b.$cstNode!.offset)[0] ?? fn;
    const kind = ast.isHostBridge(parent) ? 'rc-endpoint' : ast.isPciFunction(parent) && (parent.kind === 'pcie-pci-bridge' || parent.kind === 'pci-bridge') ? 'pci-device' : 'endpoint';
    const taken = new Set(AstUtils.streamAst(fix.document.parseResult.value).filter(ast.isPciFunction).map((f) => f.name));
    let name = `${first.name}_fn0`;
    for (let i = 2; taken.has(name); i++) name = `${first.name}_fn0_${i}`;
    const ids = first.attrs.filter((a) => a.key === 'vendor' || a.key === 'device').map((a) => ` ${a.key} ${a.value}`).join('');
    const document = AstUtils.getDocument(first);
    const start = first.$cstNode!.range.start;
    const indent = indentationAt(document, start.line);
    const lineStart = { line: start.line, character: 0 };
    const onOwnLine = document.textDocument.getText({ start: lineStart, end: start }).trim() === '';
    const declaration = `${kind} ${name} at ${withFunctionZero}${ids} { multifunction }`;
    const edits = onOwnLine ? new Edits().insert(document.uri.toString(), lineStart, `${indent}${declaration}\n`) : new Edits().insert(document.uri.toString(), start, `${declaration}  `);
    actions.push(quickFix(`Add function 0 (${name}) to device ${withFunctionZero.replace(/\.0$/, '')}`, fix.diagnostic, edits, siblings.length !== 1));
    return actions;
};

// ---------------------------------------------------------------------------------------------
// Language checks with one obvious fix

const fixPowerOfTwoSize: Fixer = (fix) => {
    const owner = fix.node && AstUtils.getContainerOfType(fix.node, (n): n is ast.Bar | ast.Rom | ast.VfBar => ast.isBar(n) || ast.isRom(n) || ast.isVfBar(n));
    const sizeNode = owner && propertyNode(owner, 'size');
    const size = safeNumber(owner?.size);
    if (!owner || !sizeNode || size === undefined || size === 0n) return [];
    const next = nextPowerOfTwo(size);
    const text = sizeText(next, sizeNode.text);
    return [quickFix(`Round the size up to ${text} (the next power of two)`, fix.diagnostic, new Edits().replace(sizeNode, text), true)];
};

const fixMsiVectors: Fixer = (fix) => {
    const msi = fix.node && AstUtils.getContainerOfType(fix.node, ast.isMsi);
    const node = msi && propertyNode(msi, 'vectors');
    const vectors = safeNumber(msi?.vectors);
    if (!node || vectors === undefined) return [];
    const next = vectors < 1n ? 1n : vectors > 32n ? 32n : nextPowerOfTwo(vectors);
    return [quickFix(`Request ${next} vectors`, fix.diagnostic, new Edits().replace(node, next.toString()), true)];
};

const fixNumVfs: Fixer = (fix) => {
    const sriov = fix.node && AstUtils.getContainerOfType(fix.node, ast.isSriov);
    const numVfs = sriov?.props.find((p) => p.key === 'num-vfs');
    const total = sriov?.props.find((p) => p.key === 'total-vfs');
    const node = numVfs && propertyNode(numVfs, 'value');
    if (!node || !total?.value) return [];
    return [quickFix(`Enable ${total.value} VFs (total-vfs)`, fix.diagnostic, new Edits().replace(node, total.value), true)];
};

const FIXERS: Record<string, Fixer> = {
    'HV-GROUP-SPLIT': fixGroup,
    'KVM-GROUP-NOT-VIABLE': fixViability,
    'PCI-BAR-OVERLAP': fixBarAddress,
    'PCI-BAR-OUTSIDE-BRIDGE-WINDOW': fixBarAddress,
    'PCI-BAR-MISALIGNED': fixBarAddress,
    'MAP-RID-UNMAPPED': fixRidMap,
    'XEN-NO-STREAMID': fixRidMap,
    'HV-VSLOT-TAKEN': fixVirtualSlot,
    'PCI-MF-NOT-MULTIFUNCTION': fixMultifunction,
    'PCI-MF-NO-FUNCTION0': fixFunctionZero,
    'PCI-BAR-SIZE-POW2': fixPowerOfTwoSize,
    'PCI-MSI-VECTORS': fixMsiVectors,
    'SRIOV-NUMVFS': fixNumVfs,
};

/** The finding codes with quick fixes (docs and tests). */
export const FIXABLE_CODES = Object.keys(FIXERS);
