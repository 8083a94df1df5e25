#!/usr/bin/env bash
# Builds and runs the CUDA-vs-CPU parity and timing harness (native/test/gpu_parity.cu) on a GPU
# machine. Needs nvcc and g++ only: no node, pnpm or network.
#
#   bash packages/runtime-cuda/scripts/gpu-check.sh [harness args...]
#
# Environment: OUT (optional) receives cuda-kernels.json, gpu-check.log and nvidia-smi.txt;
# CUDA_HOME (default /usr/local/cuda, else nvcc on PATH); BUILD_DIR (default a temp folder);
# GPU_CHECK_BUDGET_S (default 200) caps the harness's optional timing sections.
# Harness args pass through, e.g. --cpu-only to test the harness on a machine without a GPU.
# Exit status: the harness's (0 pass, 1 mismatch, 2 no CUDA device, 3 error), or 4 if the build failed.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
native="$here/../native"
out="${OUT:-}"
build="${BUILD_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/chimera-gpu-check.XXXXXX")}"
mkdir -p "$build"
log="${out:+$out/gpu-check.log}"
log="${log:-$build/gpu-check.log}"
[ -n "$out" ] && mkdir -p "$out"
: >"$log"

say() { echo "$@" | tee -a "$log"; }

if [ -n "${CUDA_HOME:-}" ] && [ -x "$CUDA_HOME/bin/nvcc" ]; then
  nvcc="$CUDA_HOME/bin/nvcc"
elif [ -x /usr/local/cuda/bin/nvcc ]; then
  nvcc=/usr/local/cuda/bin/nvcc
else
  nvcc="$(command -v nvcc || true)"
fi
if [ -z "$nvcc" ]; then
  say "gpu-check: nvcc not found (set CUDA_HOME)"
  exit 4
fi

say "== gpu-check $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n)"
say "nvcc: $("$nvcc" --version | tail -n 2 | tr '\n' ' ')"
say "g++: $(g++ --version | head -n 1)"
say "host CPU: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //'), $(nproc) threads"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi -L 2>&1 | tee -a "$log"
  driver="$(nvidia-smi --query-gpu=driver_version --format=csv,noheader 2>/dev/null | head -n 1)"
  [ -n "$out" ] && nvidia-smi >"$out/nvidia-smi.txt" 2>&1
else
  say "nvidia-smi: not found"
  driver=""
fi

# The addon's nvcc rule (native/binding.gyp) and cflags_cc, so the kernels built here are the ones
# the addon ships. --threads 0 only compiles the three targets in parallel.
nvcc_flags=(-std=c++17 -O3 -fmad=false -prec-div=true -prec-sqrt=true -Xcompiler -fPIC
  -gencode arch=compute_90,code=sm_90
  -gencode arch=compute_120,code=sm_120
  -gencode arch=compute_120,code=compute_120
  -I"$native/src")
cxx_flags=(-std=c++17 -O3 -ffp-contract=off -fno-fast-math -fexceptions -fPIC -I"$native/src")

t0=$(date +%s)
say "building in $build"
"$nvcc" "${nvcc_flags[@]}" --threads 0 -c "$native/src/cuda_kernels.cu" -o "$build/cuda_kernels.o" >>"$log" 2>&1 &
p1=$!
g++ "${cxx_flags[@]}" -c "$native/src/cpu_kernels.cc" -o "$build/cpu_kernels.o" >>"$log" 2>&1 &
p2=$!
# The harness has host code only; its reference math (chimera_math.h) also runs without contraction.
"$nvcc" -std=c++17 -O2 -Xcompiler -ffp-contract=off,-fno-fast-math -I"$native/src" \
  -c "$native/test/gpu_parity.cu" -o "$build/gpu_parity.o" >>"$log" 2>&1 &
p3=$!
ok=1
for p in $p1 $p2 $p3; do wait "$p" || ok=0; done
if [ "$ok" = 1 ]; then
  "$nvcc" -o "$build/gpu_parity" "$build/gpu_parity.o" "$build/cuda_kernels.o" "$build/cpu_kernels.o" \
    -cudart static >>"$log" 2>&1 || ok=0
fi
if [ "$ok" != 1 ]; then
  say "gpu-check: build failed (see $log)"
  [ -n "$out" ] || cat "$log"
  exit 4
fi
say "built in $(($(date +%s) - t0)) s"

json="${out:+$out/cuda-kernels.json}"
json="${json:-$build/cuda-kernels.json}"
# --budget-s: timing sections predicted to end past this many seconds are skipped (and listed in
# the JSON), so the check fits a short device lease; correctness checks always run.
"$build/gpu_parity" --driver "$driver" --budget-s "${GPU_CHECK_BUDGET_S:-200}" "$@" "$json" 2>&1 | tee -a "$log"
rc=${PIPESTATUS[0]}
say "gpu-check: harness exit $rc; json $json; log $log"
exit "$rc"
