// The help texts (`pciplat --help`, `pciplat help COMMAND`, `pciplat COMMAND --help`).
import { PROFILES } from '../engine/profile.js';
import { EXPORTERS } from '../export/exporter.js';
import { VERSION } from './version.js';

export const FORMATS = ['text', 'json', 'sarif'] as const;
export type Format = (typeof FORMATS)[number];

const EXIT = `Exit status:
  0  no error findings
  1  error findings
  2  bad usage, unreadable input or internal failure
`;

export const TOP_HELP = `pciplat ${VERSION}: check and simulate PCI passthrough platform descriptions (.pciplat)

Usage:
  pciplat check FILE... [--format FORMAT] [--profile PROFILE]
  pciplat simulate FILE [--platform NAME] [--scenario NAME] [--profile PROFILE] [--format FORMAT]
  pciplat import [--dt FILE] [--sysfs DIR] [--lspci FILE] [--mcfg FILE] [--iort FILE] [--dmar FILE] [--ivrs FILE] -o OUT
  pciplat compare PLATFORM REAL [--platform NAME] [--format text|json]
  pciplat export FORMAT FILE [--platform NAME] [--domain NAME | --vm NAME] [-o OUT] [--force]
  pciplat help [COMMAND]
  pciplat --version

Commands:
  check     Check files: language findings and every platform's simulation findings
  simulate  Simulate one platform: its functions, addresses, requester IDs, BARs and findings
  import    Read a real machine (device tree, ACPI tables, sysfs, lspci) into a platform file
  compare   Compare a platform's predicted IOMMU groups with a real machine's
  export    Write what a system reads (QEMU, device tree, xl.cfg, libvirt) or Linux-style listings
  help      Show the help of a command

Options:
  -h, --help     Show help (also after a command: pciplat check --help)
  -V, --version  Print the version

Formats: ${FORMATS.join(', ')} (default text)
Profiles: ${PROFILES.join(', ')}

${EXIT}`;

export const CHECK_HELP = `Usage: pciplat check FILE... [--format FORMAT] [--profile PROFILE]

Checks the files (and the files they import) and simulates every platform they declare,
in the implicit scenario and in every scenario it writes (such findings start with
"scenario NAME, step N:"); prints the findings of both, without repeats.

Options:
  --format FORMAT    ${FORMATS.join(', ')} (default text)
  --profile PROFILE  hypervisor view for every platform: ${PROFILES.join(', ')}
                     (default: each platform's own)
  -h, --help         Show this help

Text findings go to stdout, one a line (file:line:col: severity: CODE message); the summary
line (N errors, M warnings) goes to stderr.

${EXIT}`;

export const SIMULATE_HELP = `Usage: pciplat simulate FILE [--platform NAME] [--scenario NAME] [--profile PROFILE] [--format FORMAT]

Simulates one platform of FILE and prints its functions (kind, segment:bus:device.function,
requester ID, BARs) and the findings.

Options:
  --platform NAME    the platform to simulate when FILE declares several
  --scenario NAME    the scenario to play (default: boot and start every domain)
  --profile PROFILE  hypervisor view: ${PROFILES.join(', ')} (default: the platform's own)
  --format FORMAT    ${FORMATS.join(', ')} (default text)
  -h, --help         Show this help

${EXIT}`;

export const COMPARE_FORMATS = ['text', 'json'] as const;

export const COMPARE_HELP = `Usage: pciplat compare PLATFORM REAL [--platform NAME] [--format text|json]

Simulates the platform of PLATFORM (the IOMMU groups Linux forms at boot) and compares them,
function by function (segment:bus:device.function), with the real machine's groups in REAL:
  - the output of the usual loop (with or without lspci, -D, one line per device too):
      for g in /sys/kernel/iommu_groups/*; do echo "IOMMU Group \${g##*/}:";
        for d in $g/devices/*; do echo -e "\\t$(lspci -nns \${d##*/})"; done; done
  - the output of: find /sys/kernel/iommu_groups -type l
  - a sysfs snapshot folder: cp -a /sys/kernel/iommu_groups /sys/bus/pci/devices SNAPSHOT/
    (or /sys itself, on the machine)
Groups are compared as sets of functions, not by number (numbers change from boot to boot).
Prints each function's predicted and real group, whether they agree, and a summary line.

Options:
  --platform NAME    the platform to compare when PLATFORM declares several
  --format FORMAT    text or json (default text)
  -h, --help         Show this help

Exit status:
  0  every function agrees
  1  a function's group differs, or a function is on one side only
  2  bad usage, unreadable or unusable input (REAL not a listing: a coded error), internal failure
`;

export const EXPORT_HELP = `Usage: pciplat export FORMAT FILE [--platform NAME] [--domain NAME | --vm NAME] [-o OUT] [--force]

Simulates one platform of FILE and writes FORMAT, generated from the simulated result (placed
addresses, guest slots, StreamIDs):
${EXPORTERS.map((e) => `  ${e.format.padEnd(8)} ${e.summary}`).join('\n')}

Options:
  --platform NAME    the platform to export when FILE declares several
  --domain NAME      the Xen domain to export (formats that write a domain's configuration)
  --vm NAME          the KVM VM to export
  -o, --output OUT   write to OUT instead of stdout
  --force            export even when the platform has error findings
  --profile PROFILE  hypervisor view: ${PROFILES.join(', ')} (default: the platform's own)
  --pci-ids FILE     the PCI ID database for names (default: the system's pci.ids, else a
                     bundled subset)
  -h, --help         Show this help

Findings go to stderr. A platform with error findings is not exported (exit 1) unless --force,
which writes it and still exits 1. An unknown domain or VM, or a format that does not apply to
the platform, is a usage error (exit 2) naming what exists.

${EXIT}`;

export const HELP_HELP = `Usage: pciplat help [COMMAND]

Shows the help of COMMAND (check, simulate, import, compare, export, help), or the overview without one.
`;
