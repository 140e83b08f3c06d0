// References that leave the platform (LANG-NOT-IN-PLATFORM): names are one flat namespace per
// import closure, so a reference can resolve to hardware of another platform or of a SoC the
// platform does not include; such hardware is not on this machine.
import { AstUtils, DocumentState, type AstNode, type ValidationAcceptor, type ValidationChecks } from 'langium';
import { isPlatform, isSoc, type PciplatAstType, type Platform, type Soc } from '../generated/ast.js';
import type { PciplatServices } from '../pciplat-module.js';
import { capitalised } from './ast-helpers.js';
import { describeNode, socIncludes } from './platform-helpers.js';
import { relatedAt, report } from './report.js';

export function platformMembershipChecks(_services: PciplatServices): ValidationChecks<PciplatAstType> {
    return {
        Platform: checkReferencesStayInPlatform,
    };
}

/** The platform or SoC a declaration belongs to. */
function ownerOf(node: AstNode): Platform | Soc | undefined {
    return AstUtils.getContainerOfType(node, (n): n is Platform | Soc => isPlatform(n) || isSoc(n));
}

function ownerLabel(owner: Platform | Soc): string {
    return `${isPlatform(owner) ? 'platform' : 'SoC'} ${owner.name}`;
}

/**
 * Names are one flat namespace per import closure, so a reference can resolve to hardware of
 * another platform or of a SoC this platform does not include: such hardware is not on this machine.
 */
function checkReferencesStayInPlatform(platform: Platform, accept: ValidationAcceptor): void {
    const includes = socIncludes(platform);
    const allowed = new Set<AstNode>([platform, ...includes.map((i) => i.soc)]);
    if (leavesPlatform(platform, allowed) !== false) reportReferencesLeaving(platform, allowed, accept);
    // A SoC's own references are checked for each platform that includes it, at its `soc` line.
    for (const { soc, via } of includes) {
        for (const node of AstUtils.streamAllContents(soc)) {
            for (const info of AstUtils.streamReferences(node)) {
                const target = referenceTarget(info.reference);
                const owner = target && ownerOf(target);
                if (!owner || allowed.has(owner)) continue;
                report(accept, 'LANG-NOT-IN-PLATFORM', `SoC ${soc.name} refers to ${describeNode(target)}, declared in ${ownerLabel(owner)}, ${outsideReason(platform, owner)}.`, { node: via, property: 'soc' }, [relatedAt(target, `${describeNode(target)} is declared here`)]);
            }
        }
    }
}

/**
 * Whether a reference of the platform's own text may leave it, read from the document's
 * reference list (every reference the linker resolved: about one per ten nodes) rather than by
 * walking the whole platform: false when none does, undefined when the list cannot tell (not
 * linked yet, or a reference without its text). Only then, or when one does, is the platform
 * walked, so the findings and their order are those of the walk.
 */
function leavesPlatform(platform: Platform, allowed: ReadonlySet<AstNode>): boolean | undefined {
    const document = AstUtils.getDocument(platform);
    if (document.state < DocumentState.Linked) return undefined;
    for (const reference of document.references) {
        const container = reference.$refNode?.astNode;
        if (!container) return undefined;
        const target = referenceTarget(reference);
        const owner = target && ownerOf(target);
        if (!owner || allowed.has(owner)) continue;
        if (AstUtils.getContainerOfType(container, isPlatform) === platform) return true;
    }
    return false;
}

function reportReferencesLeaving(platform: Platform, allowed: ReadonlySet<AstNode>, accept: ValidationAcceptor): void {
    for (const node of AstUtils.streamAst(platform)) {
        for (const info of AstUtils.streamReferences(node)) {
            if (info.container.$type === 'SocInclude') continue;
            const target = referenceTarget(info.reference);
            const owner = target && ownerOf(target);
            if (!owner || allowed.has(owner)) continue;
            report(accept, 'LANG-NOT-IN-PLATFORM', `${capitalised(describeNode(target))} is declared in ${ownerLabel(owner)}, ${outsideReason(platform, owner)}.`, { node: info.container, property: info.property as never, index: info.index }, [relatedAt(target, `${describeNode(target)} is declared here`)]);
        }
    }
}

function referenceTarget(reference: unknown): AstNode | undefined {
    return (reference as { ref?: AstNode }).ref;
}

function outsideReason(platform: Platform, owner: Platform | Soc): string {
    return isSoc(owner) ? `which platform ${platform.name} does not include (add \`soc ${owner.name}\`)` : `not in platform ${platform.name}`;
}
