#!/usr/bin/env bash
# Installs code-server (VS Code's server and web workbench, from npm) into a cache folder without
# its network-only install steps (its postinstall downloads ripgrep from GitHub and builds native
# modules). See shared/vscode-web.md, section 1. Needs npm and the Debian packages from
# scripts/ci-deps.sh.
#
#   scripts/install-code-server.sh            # into $RNN_LAB_CODE_SERVER_DIR or <repo>/.cache/code-server
#
# Idempotent: a marker file is written when the install is complete; with it present the script
# returns at once. An interrupted install (no marker) is wiped and redone.
# code-server is pinned to 4.100.x: newer releases require Node 22+, the machine has Node 20.
set -euo pipefail

version=4.100.3
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${RNN_LAB_CODE_SERVER_DIR:-$repo_root/.cache/code-server}"
marker="$dir/.installed-code-server-$version"

if [ -f "$marker" ]; then
  echo "install-code-server: code-server $version already installed in $dir"
  exit 0
fi

for tool in npm node rg; do
  command -v "$tool" >/dev/null || { echo "install-code-server: '$tool' not found (run scripts/ci-deps.sh)" >&2; exit 1; }
done

mkdir -p "$(dirname "$dir")"
# Two concurrent runs (say a developer and a test) would corrupt each other's node_modules.
exec 9>"$dir.lock"
flock 9
if [ -f "$marker" ]; then
  echo "install-code-server: code-server $version already installed in $dir"
  exit 0
fi

started=$SECONDS
step() { echo "install-code-server: [$((SECONDS - started))s] $*"; }
# npm prints a lot; keep it in a log and show its tail when a step fails.
log="$(mktemp -t install-code-server.XXXXXX.log)"
run() {
  if ! "$@" >>"$log" 2>&1; then
    echo "install-code-server: failed: $* (in $PWD)" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
}

rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

step "npm install --ignore-scripts code-server@$version"
run npm init -y
run npm install --ignore-scripts --no-save "code-server@$version"

step "npm rebuild argon2"
run npm rebuild argon2

vscode="$dir/node_modules/code-server/lib/vscode"
cd "$vscode"
step "VS Code server dependencies (npm install --omit=dev --ignore-scripts)"
run npm install --omit=dev --ignore-scripts

# @vscode/ripgrep's postinstall downloads rg from GitHub; with bin/rg present it skips.
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg

step "building native modules (npm rebuild: node-pty, spdlog, kerberos, ...)"
npm_config_yes=true run npm rebuild

ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sfn code-linux.sh code-server)
(cd bin/helpers && ln -sfn browser-linux.sh browser.sh)

step "built-in extensions' dependencies"
cd "$vscode/extensions"
run npm install --omit=dev

# A cheap proof that the server starts at all before the install is called complete.
cd "$dir"
run node node_modules/code-server/out/node/entry.js --version
node node_modules/code-server/out/node/entry.js --version | head -1 > "$marker"
rm -f "$log"
step "done: code-server $(cat "$marker") in $dir"
