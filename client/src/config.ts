// The extension's settings (package.json contributes.configuration), read fresh each time.
import * as vscode from 'vscode';
import type { Verbosity } from './trace-model.js';

export type SimulateOn = 'type' | 'save';

export interface Settings {
    /** `undefined` for the platform's own profile. */
    profile: string | undefined;
    simulateOn: SimulateOn;
    verbosity: Verbosity;
    simulationWorkers: number;
    pciIdsPath: string;
}

export function settings(): Settings {
    const c = vscode.workspace.getConfiguration('pciplat');
    const profile = c.get<string>('profile', 'platform');
    const simulateOn = c.get<string>('simulateOn', 'type');
    const verbosity = c.get<string>('trace.verbosity', 'events');
    return {
        profile: profile && profile !== 'platform' ? profile : undefined,
        simulateOn: simulateOn === 'save' ? 'save' : 'type',
        verbosity: verbosity === 'off' || verbosity === 'steps' ? verbosity : 'events',
        simulationWorkers: Math.max(0, Math.floor(c.get<number>('simulationWorkers', 0) || 0)),
        pciIdsPath: c.get<string>('pciIdsPath', '') ?? '',
    };
}
