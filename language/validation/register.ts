// Every language-level check, registered in the `fast` category so that Langium runs them on
// each edit as well as in the CLI. Each check is guarded: a check that throws reports
// LANG-INTERNAL at the node instead of printing a stack trace.
import type { AstNode, ValidationAcceptor, ValidationCheck, ValidationChecks } from 'langium';
import type { PciplatAstType } from '../generated/ast.js';
import type { PciplatServices } from '../pciplat-module.js';
import { applicabilityChecks } from './applicability-checks.js';
import { archChecks } from './arch-checks.js';
import { barChecks } from './bar-checks.js';
import { bridgeBusWindowChecks } from './bridge-bus-window-checks.js';
import { childrenChecks } from './children-checks.js';
import { eaChecks } from './ea-checks.js';
import { dmarScopeChecks } from './dmar-scope-checks.js';
import { guestDeviceChecks } from './guest-device-checks.js';
import { functionDuplicatePropertyChecks } from './function-duplicate-property-checks.js';
import { hardwareChecks } from './hardware-checks.js';
import { hostBridgeChecks } from './host-bridge-checks.js';
import { idMapChecks } from './id-map-checks.js';
import { inputChecks } from './input-checks.js';
import { iortChecks } from './iort-checks.js';
import { msiChecks } from './msi-checks.js';
import { mcfgCoverageChecks } from './mcfg-coverage-checks.js';
import { msixChecks } from './msix-checks.js';
import { numaChecks } from './numa-checks.js';
import { pcieTypeChecks } from './pcie-type-checks.js';
import { pciAddressChecks } from './pci-address-checks.js';
import { platformBlockChecks } from './platform-block-checks.js';
import { platformMembershipChecks } from './platform-membership-checks.js';
import { registerWidthChecks } from './register-width-checks.js';
import { registersChecks } from './registers-checks.js';
import { report } from './report.js';
import { romChecks } from './rom-checks.js';
import { scenarioChecks } from './scenario-checks.js';
import { sriovChecks } from './sriov-checks.js';
import { topologyPlacementChecks } from './topology-placement-checks.js';
import { xenKvmChecks } from './xen-kvm-checks.js';
// issue 14: 32-bit Arm, POWER, non-ECAM configuration access
import { addressWidthChecks } from './address-width-checks.js';
import { configAccessChecks } from './config-access-checks.js';
import { powerChecks } from './power-checks.js';

type AnyChecks = Record<string, ValidationCheck | ValidationCheck[] | undefined>;

function guarded(check: ValidationCheck): ValidationCheck {
    return (node: AstNode, accept: ValidationAcceptor, token) => {
        try {
            const result = check(node, accept, token);
            return result instanceof Promise ? result.catch((error) => internal(node, accept, error)) : result;
        } catch (error) {
            internal(node, accept, error);
        }
    };
}

function internal(node: AstNode, accept: ValidationAcceptor, error: unknown): void {
    report(accept, 'LANG-INTERNAL', `pciplat failed while checking this ${node.$type} (${error instanceof Error ? error.message : String(error)}); please report it.`, { node });
}

function guardAll(checks: AnyChecks): AnyChecks {
    const result: AnyChecks = {};
    for (const [type, value] of Object.entries(checks)) {
        if (value === undefined) continue;
        result[type] = Array.isArray(value) ? value.map(guarded) : guarded(value);
    }
    return result;
}

/**
 * Every check module, in registration order. Langium runs the checks of one node type in the order
 * they were registered, so where two modules check the same type the order below keeps their
 * diagnostics in a fixed order: PciFunction (placement, address, applicability, duplicates, bridge
 * buses, children), HostBridge (children, then host bridge), Platform (blocks, membership, arch,
 * host bridges) and Xen (settings, then profile against arch).
 */
const MODULES: ReadonlyArray<(services: PciplatServices) => ValidationChecks<PciplatAstType>> = [
    inputChecks,
    // PCI functions
    topologyPlacementChecks,
    pciAddressChecks,
    applicabilityChecks,
    functionDuplicatePropertyChecks,
    bridgeBusWindowChecks,
    childrenChecks,
    registerWidthChecks,
    // Resources of a function
    barChecks,
    romChecks,
    msiChecks,
    msixChecks,
    sriovChecks,
    // Platforms
    platformBlockChecks,
    platformMembershipChecks,
    hardwareChecks,
    xenKvmChecks,
    scenarioChecks,
    archChecks,
    hostBridgeChecks,
    idMapChecks,
    iortChecks,
    numaChecks,
    mcfgCoverageChecks,
    registersChecks,
    eaChecks,
    pcieTypeChecks,
    // issue 14
    addressWidthChecks,
    configAccessChecks,
    powerChecks,
    dmarScopeChecks,
    guestDeviceChecks,
];

export function registerValidationChecks(services: PciplatServices): void {
    const registry = services.validation.ValidationRegistry;
    const all = MODULES.map((checks) => checks(services));
    for (const checks of all) registry.register(guardAll(checks as AnyChecks) as ValidationChecks<PciplatAstType>, undefined, 'fast');
}
