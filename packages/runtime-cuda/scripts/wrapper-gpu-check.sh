#!/usr/bin/env bash
# Runs scripts/wrapper-gpu-check.ts (the TypeScript wrapper of the native kernels and QuZO on the
# native backends, CUDA vs CPU vs TypeScript: what src/native/load-native-kernels.test.ts checks)
# on a machine that has no Node, pnpm or node_modules.
#
#   bash packages/runtime-cuda/scripts/wrapper-gpu-check.sh prepare   # here, with node_modules
#   bash packages/runtime-cuda/scripts/wrapper-gpu-check.sh [--require-cuda] [--inject-fault]
#
# `prepare` bundles the script and the src/ modules it imports into one ESM file with esbuild
# (.devcarry/wrapper/wrapper-gpu-check.mjs), copies the built addon beside it, and packs this
# machine's node as .devcarry/node.xz if that is missing. The addon is the one `pnpm --filter
# @chimera/runtime-cuda build` made here: built with nvcc when present, with cudart linked
# statically, so it runs on a GPU machine without a CUDA toolkit (the run prints whether it was).
# .devcarry/ is ignored through .git/info/exclude and is carried to the device, never committed.
#
# The run unpacks the carried node (xz, else Python's lzma) or uses node on PATH, then runs the
# bundle. Environment: OUT (optional) receives wrapper-gpu-check.log, cuda-wrapper.json and
# nvidia-smi.txt; CARRY_DIR (default <repo>/.devcarry); CHIMERA_NATIVE_ADDON overrides the addon.
# Exit status: the script's (0 pass, 1 a check failed, 2 --require-cuda without CUDA kernels,
# 3 the addon did not load), 4 no runnable node or no bundle, 5 prepare failed.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
carry="${CARRY_DIR:-$repo/.devcarry}"
bundle="$carry/wrapper/wrapper-gpu-check.mjs"
built_addon="$here/../native/build/Release/chimera_kernels.node"

if [ "${1:-}" = "prepare" ]; then
  mkdir -p "$carry/wrapper" || exit 5
  esbuild="$repo/node_modules/.bin/esbuild"
  [ -x "$esbuild" ] || esbuild="$(command -v esbuild || true)"
  if [ -z "$esbuild" ]; then
    # tsup depends on esbuild; pnpm keeps it under node_modules/.pnpm when it is not hoisted.
    esbuild="$(ls -d "$repo"/node_modules/.pnpm/esbuild@*/node_modules/esbuild/bin/esbuild 2>/dev/null | tail -n 1)"
  fi
  [ -n "$esbuild" ] || { echo "prepare: esbuild not found (run from a checkout with node_modules)"; exit 5; }
  "$esbuild" "$here/wrapper-gpu-check.ts" --bundle --platform=node --format=esm --target=node20 \
    --conditions=@chimera/source --outfile="$bundle" --log-level=warning || exit 5
  [ -f "$built_addon" ] || { echo "prepare: no addon at $built_addon (run the package build)"; exit 5; }
  cp "$built_addon" "$carry/wrapper/chimera_kernels.node" || exit 5
  if [ ! -f "$carry/node.xz" ]; then
    xz -9 -T2 -c "$(command -v node)" >"$carry/node.xz" || exit 5
  fi
  echo "prepared: $(du -sh "$carry" | cut -f1) in $carry"
  ls -l "$carry" "$carry/wrapper"
  exit 0
fi

out="${OUT:-}"
[ -n "$out" ] && mkdir -p "$out"
log="${out:+$out/wrapper-gpu-check.log}"
log="${log:-$(mktemp "${TMPDIR:-/tmp}/wrapper-gpu-check.XXXXXX.log")}"
: >"$log"

# shellcheck source=device-node.sh
source "$here/device-node.sh"
device_banner wrapper-gpu-check.sh
find_node wrapper-gpu-check.sh || exit 4
if [ ! -f "$bundle" ]; then
  say "wrapper-gpu-check.sh: no bundle at $bundle (run \`$0 prepare\` where node_modules exist)"
  exit 4
fi

addon="${CHIMERA_NATIVE_ADDON:-$carry/wrapper/chimera_kernels.node}"
[ -f "$addon" ] || addon="$built_addon"
say "addon: $addon"

show_gpus

"$node" "$bundle" --addon "$addon" "$@" 2>&1 | tee -a "$log"
rc=${PIPESTATUS[0]}
say "wrapper-gpu-check.sh: exit $rc; log $log${out:+; json $out/cuda-wrapper.json}"
exit "$rc"
