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

# shellcheck source=device-node.sh
source "$here/device-node.sh"
device_banner addon-gpu-check.sh
find_node addon-gpu-check.sh || exit 4

addon="$carry/chimera_kernels.node"
[ -f "$addon" ] || addon="$here/../native/build/Release/chimera_kernels.node"
say "addon: $addon"

show_gpus

"$node" "$here/addon-gpu-check.mjs" --addon "$addon" "$@" 2>&1 | tee -a "$log"
rc=${PIPESTATUS[0]}
say "addon-gpu-check.sh: exit $rc; log $log${out:+; json $out/cuda-addon.json}"
exit "$rc"
