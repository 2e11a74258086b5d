#!/bin/bash
# One command on a GPU machine: correctness and throughput of 'cuda' and
# 'webgpu' (bench/gpu/run.mjs), then numba-cuda's kernels when numba-cuda is
# installed; results in bench/results/<gpu>-<date>.{json,md} (and $OUT when set).
#   bench/gpu/run.sh [--quick] [other run.mjs options]
# Needs node >= 20 and this checkout with node_modules and a build (`npx tsc -b`).
# cuda compiles kernels with LLVM 14 (llvm-bindings): where it is missing, the
# corpus can come from a PTX cache prepared elsewhere (node bench/cuda/prepare.mjs,
# then NUMBAT_CACHE_DIR=.carry/cuda/cache here), and the sections whose kernels
# are compiled at run time (random, throughput, reduce) report the compile error
# in the results while the rest runs. WebGPU on a GPU needs the
# Vulkan loader: Debian packages unpacked from .gl/*.deb are installed first
# when present (see docs/backends/webgpu.md).
set -u
cd "$(dirname "$0")/../.."
if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "bench/gpu/run.sh: node >= 20 is needed" >&2; exit 1
fi
if [ -d .gl ] && ! ldconfig -p 2>/dev/null | grep -q libvulkan.so.1; then
  for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
fi
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json; do
  if [ -f "$icd" ] && [ -z "${VK_DRIVER_FILES:-}" ]; then export VK_DRIVER_FILES=$icd; fi
done
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp/numbat-xdg}; mkdir -p "$XDG_RUNTIME_DIR"
[ -f packages/core/dist/index.js ] || npx tsc -b
command -v nvidia-smi >/dev/null && nvidia-smi -L
node bench/gpu/run.mjs "$@"
rc=$?
if python3 -c 'import numba_cuda' 2>/dev/null && command -v nvidia-smi >/dev/null; then
  export NUMBA_CUDA_LOW_OCCUPANCY_WARNINGS=0 NUMBA_CUDA_WARN_ON_IMPLICIT_COPY=0
  echo "== numba-cuda (bench/cuda/numba_bench.py)"
  PYTHONUNBUFFERED=1 timeout 300 python3 bench/cuda/numba_bench.py "bench/results/numba-cuda-$(date +%F).json" | tail -40
else
  echo "numba-cuda: skipped (not installed or no NVIDIA driver)"
fi
if [ -n "${OUT:-}" ]; then mkdir -p "$OUT"; cp bench/results/*-"$(date +%F)".* "$OUT"/ 2>/dev/null; fi
exit $rc
