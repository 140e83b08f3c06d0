#!/usr/bin/env bash
# npm run test:e2e: install what the test needs (setup.sh, idempotent), package the extension,
# run the end-to-end test in code-server + Chromium. Prints the time of each part.
set -euo pipefail
cd "$(dirname "$0")/../.."
t0=$(date +%s)
bash test/e2e-vscode/setup.sh
t1=$(date +%s)
npm run --silent package
t2=$(date +%s)
node test/e2e-vscode/e2e.mjs "$@"
status=$?
t3=$(date +%s)
echo "test:e2e: setup $((t1 - t0))s, package $((t2 - t1))s, test $((t3 - t2))s, total $((t3 - t0))s"
exit $status
