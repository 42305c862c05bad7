#!/usr/bin/env bash
# The full test run, the README's test command (`npm run test:all`) and what CI runs after
# `npm ci`: Debian packages and code-server (installed if missing), the unit tests and type
# check (npm test), the extension-host suite inside a real VS Code 1.100 served by code-server
# and driven by headless Chromium (twice: trusted folder, and Restricted Mode), and screenshots
# of the extension in use (.ci/artifacts/screenshots/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

started=$SECONDS
step() { echo; echo "=== [$((SECONDS - started))s] $*"; }

step "Debian packages (scripts/ci-deps.sh)"
bash scripts/ci-deps.sh

step "code-server (scripts/install-code-server.sh)"
bash scripts/install-code-server.sh

step "unit tests and type check (npm test)"
npm test

step "sample notebooks executed headlessly, outcomes asserted (npm run test:samples)"
npm run test:samples

artifacts=.ci/artifacts
mkdir -p "$artifacts"
# Each VS Code run ends with "vscode: N passed, M failed, K skipped"; keep going after a
# failure so that every part reports, and fail at the end.
status=0
step "VS Code extension-host suite, trusted folder (npm run test:vscode)"
npm run --silent test:vscode 2>&1 | tee "$artifacts/vscode-default.out" || status=1
step "VS Code extension-host suite, Restricted Mode (run-web.mjs --trust)"
node test/vscode/run-web.mjs --trust 2>&1 | tee "$artifacts/vscode-trust.out" || status=1

step "screenshots (npm run screenshots)"
# Pictures for people to look at; what they show is asserted by the suite above, so a failure
# here is reported but does not fail CI.
if ! npm run --silent screenshots 2>&1 | tee "$artifacts/screenshots.out"; then
  echo "screenshots: FAILED (see $artifacts/screenshots.out and $artifacts/screenshots/failure.png)"
fi

step "summary"
lines=$(grep -h '^vscode: ' "$artifacts"/vscode-*.out || true)
[ "$(printf '%s\n' "$lines" | grep -c '^vscode: ')" -eq 2 ] || status=1 # a run that did not report
sum() { printf '%s\n' "$lines" | grep -oE "[0-9]+ $1" | awk '{s += $1} END {print s + 0}'; }
passed=$(sum passed) failed=$(sum failed) skipped=$(sum skipped)
echo "CI took $((SECONDS - started))s"
echo "vscode: $passed passed, $failed failed, $skipped skipped"
exit $status
