#!/usr/bin/env bash
# Installs what CI (and a developer running the VS Code tests) needs from Debian:
# headless Chromium, ripgrep (code-server's search), and the headers code-server's native
# modules build against. Idempotent: packages already installed are skipped, and when all are
# present nothing touches the network, so a second run takes well under a second.
set -euo pipefail

packages=(
  chromium          # headless browser driven by playwright-core (its own download cannot work here)
  fonts-liberation  # readable text in screenshots
  ripgrep           # replaces @vscode/ripgrep's GitHub download
  build-essential   # make, g++ for node-gyp (node-pty, spdlog, kerberos, argon2, ...)
  python3           # node-gyp
  pkg-config
  libkrb5-dev       # kerberos
  libx11-dev        # native-keymap
  libxkbfile-dev    # native-keymap
  libsecret-1-dev   # @vscode/keytar-style secret storage modules
  python3-torch        # test/unit/interop-torch-training.test.ts: the exported train.py under torchrun
  libopenblas0-pthread # torch's fast BLAS (the reference BLAS is several times slower)
)

installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "ci-deps: all ${#packages[@]} Debian packages already installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
else
  sudo_cmd=()
fi

echo "ci-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "ci-deps: done"
