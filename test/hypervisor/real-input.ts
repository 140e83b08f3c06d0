// The HypervisorInput the engine gives the hypervisor layer, computed by the real fabric exactly
// as `simulate` does (src/engine/simulate.ts fabricOf → hypervisorInputOf): Linux's bus
// numbering, BAR placement, DMA aliases, StreamIDs/DeviceIDs and IOMMU groups. Hypervisor and
// scenario tests run on it, so they check the hypervisor against inputs the product produces.
import { defaultProfile } from '../../src/engine/profile.js';
import { fabricOf, hypervisorInputOf, type Fabric } from '../../src/engine/simulate.js';
import type { HypervisorInput } from '../../src/hypervisor/input.js';
import type { Platform, Profile } from '../../src/model/platform.js';

export interface RealInputOptions {
    /** The profile (the platform's own, or the architecture's default, when absent). */
    profile?: Profile;
    /** The scenario to be played: it decides how many VFs the fabric enumerates. */
    scenario?: string;
}

export interface RealInput {
    input: HypervisorInput;
    fabric: Fabric;
}

export function realInput(platform: Platform, options: RealInputOptions = {}): RealInput {
    const profile = options.profile ?? defaultProfile(platform);
    const fabric = fabricOf(platform, { profile, scenario: options.scenario });
    const input = hypervisorInputOf(fabric, profile);
    if (!input) throw new Error(`the fabric did not enumerate platform ${platform.name}`);
    return { input, fabric };
}
