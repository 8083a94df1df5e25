#!/usr/bin/env bash
# Runs scripts/addon-gpu-check.mjs (the native addon's CUDA path, CUDA vs CPU through N-API) on a
# machine that may have no Node: it unpacks a node binary carried as .devcarry/node.xz and loads
# the addon carried as .devcarry/chimera_kernels.node. Where those are absent it falls back to the
# node on PATH and the package's own native/build/Release/chimera_kernels.node.
#
#   bash packages/runtime-cuda/scripts/addon-gpu-check.sh [addon-gpu-check.mjs args...]
#
# Preparing the carry folder (repo root, ignored through .git/info/exclude, never committed):
#   mkdir -p .devcarry && xz -9 -T2 -c "$(command -v node)" >.devcarry/node.xz
#   cp packages/runtime-cuda/native/build/Release/chimera_kernels.node .devcarry/
# Environment: OUT (optional) receives addon-gpu-check.log, cuda-addon.json and nvidia-smi.txt;
# CARRY_DIR (default <repo>/.devcarry). Exit status: the .mjs's (0 pass, 1 mismatch, 3 addon not
# loadable), or 4 if no runnable node was found.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
carry="${CARRY_DIR:-$repo/.devcarry}"
out="${OUT:-}"
[ -n "$out" ] && mkdir -p "$out"
log="${out:+$out/addon-gpu-check.log}"
log="${log:-$(mktemp "${TMPDIR:-/tmp}/addon-gpu-check.XXXXXX.log")}"
: >"$log"

say() { echo "$@" | tee -a "$log"; }

say "== addon-gpu-check.sh $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n) ($(uname -m))"
say "host CPU: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //'), $(nproc) threads"

node=""
if [ -f "$carry/node.xz" ]; then
  dir="$(mktemp -d "${TMPDIR:-/tmp}/chimera-node.XXXXXX")"
  t0=$(date +%s%N)
  # xz, else Python's lzma module (the GPU image has python3; xz-utils is likely but not certain).
  if { if command -v xz >/dev/null; then xz -dc "$carry/node.xz"; else
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' \
      "$carry/node.xz"; fi; } >"$dir/node" && chmod +x "$dir/node"; then
    say "unpacked $carry/node.xz in $((($(date +%s%N) - t0) / 1000000)) ms"
    node="$dir/node"
  else
    say "could not unpack $carry/node.xz"
  fi
fi
if [ -z "$node" ] || ! "$node" --version >/dev/null 2>>"$log"; then
  [ -n "$node" ] && say "the carried node does not run here (see the log); trying node on PATH"
  node="$(command -v node || true)"
fi
if [ -z "$node" ] || ! "$node" --version >/dev/null 2>&1; then
  say "addon-gpu-check.sh: no runnable node (carry one as $carry/node.xz)"
  exit 4
fi
say "node: $node $("$node" --version)"

addon="$carry/chimera_kernels.node"
[ -f "$addon" ] || addon="$here/../native/build/Release/chimera_kernels.node"
say "addon: $addon"

if command -v nvidia-smi >/dev/null; then
  nvidia-smi -L 2>&1 | tee -a "$log"
  [ -n "$out" ] && nvidia-smi >"$out/nvidia-smi.txt" 2>&1
else
  say "nvidia-smi: not found"
fi

"$node" "$here/addon-gpu-check.mjs" --addon "$addon" "$@" 2>&1 | tee -a "$log"
rc=${PIPESTATUS[0]}
say "addon-gpu-check.sh: exit $rc; log $log${out:+; json $out/cuda-addon.json}"
exit "$rc"
