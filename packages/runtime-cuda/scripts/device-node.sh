#!/usr/bin/env bash
# Sourced by the GPU check scripts (addon-gpu-check.sh, wrapper-gpu-check.sh); not run on its own.
# The device machine may have no Node: a node binary is carried as $carry/node.xz and unpacked
# here (xz, else Python's lzma module: the GPU image has python3, xz-utils is likely but not
# certain), or the node on PATH is used.
#
# Expects: $carry (the carry folder) and $log (the log file). Defines say(), device_banner NAME
# (the run's header: date, host, CPU), find_node NAME (sets $node, or says why and returns 4)
# and show_gpus (nvidia-smi -L to the log, the full table to $out/nvidia-smi.txt when $out is set).

say() { echo "$@" | tee -a "$log"; }

device_banner() {
  say "== $1 $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n) ($(uname -m))"
  say "host CPU: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //'), $(nproc) threads"
}

find_node() {
  node=""
  if [ -f "$carry/node.xz" ]; then
    local dir t0
    dir="$(mktemp -d "${TMPDIR:-/tmp}/chimera-node.XXXXXX")"
    # shellcheck disable=SC2064 # the folder is known now; remove it when the script exits
    trap "rm -rf '$dir'" EXIT
    t0=$(date +%s%N)
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
    say "$1: no runnable node (carry one as $carry/node.xz)"
    return 4
  fi
  say "node: $node $("$node" --version)"
}

show_gpus() {
  if command -v nvidia-smi >/dev/null; then
    nvidia-smi -L 2>&1 | tee -a "$log"
    [ -n "${out:-}" ] && nvidia-smi >"$out/nvidia-smi.txt" 2>&1
  else
    say "nvidia-smi: not found"
  fi
  return 0
}
