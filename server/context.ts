// State shared by the server's parts: the background simulation (last results), the merged
// diagnostics, the PCI ID names and what the client can do. Created before Langium's services so
// that the providers (hover, code lenses, symbols) can read it; filled in by startServer.
import type { ClientCapabilities } from 'vscode-languageserver';
import type { DiagnosticsHub } from './diagnostics.js';
import { PciIds } from '../src/pci-ids/index.js';
import type { BackgroundSimulation } from './simulation/background.js';

export class ServerContext {
    background?: BackgroundSimulation;
    hub?: DiagnosticsHub;
    readonly pciIds = new PciIds();
    capabilities?: ClientCapabilities;
}
