#!/usr/bin/env bash
# The real tools the test suite drives (import and export are checked by the programs that read or
# write those formats): dtc, iasl, lspci, QEMU (arm64 and x86), virt-xml-validate.
# Installs with apt-get only what is missing, so a machine that has them returns at once.
set -euo pipefail
need=()
command -v dtc >/dev/null 2>&1 || need+=(device-tree-compiler)
command -v iasl >/dev/null 2>&1 || need+=(acpica-tools)
command -v lspci >/dev/null 2>&1 || need+=(pciutils)
command -v qemu-system-aarch64 >/dev/null 2>&1 || need+=(qemu-system-arm)
command -v qemu-system-x86_64 >/dev/null 2>&1 || need+=(qemu-system-x86)
command -v virt-xml-validate >/dev/null 2>&1 || need+=(libvirt-clients)
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)   # virt-xml-validate runs it
if [ ${#need[@]} -eq 0 ]; then
    echo "install-tools: dtc, iasl, lspci, qemu-system-aarch64/x86_64, virt-xml-validate, xmllint present"
    exit 0
fi
SUDO=""
[ "$(id -u)" = "0" ] || SUDO="sudo"
echo "install-tools: apt-get install ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
