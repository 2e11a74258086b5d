#!/bin/bash
# One command on a GPU machine: numba-cuda's kernels first when numba-cuda is
# installed (the device-to-device copy ceiling and the same kernels at the same
# size), then correctness and throughput of 'cuda' and 'webgpu'
# (bench/gpu/run.mjs, which sets numba's figures beside its own); results in
# bench/results/<gpu>-<date>.{json,md} (and $OUT when set). bench/gpu/README.md
# has the whole procedure.
#   bench/gpu/run.sh [--quick] [other run.mjs options]
#   bench/gpu/run.sh --dry-run    every step at tiny sizes, results in a temporary
#                                 folder: checks the script where there is no GPU
#                                 (cuda compile-only there: from the prepared PTX
#                                 with LLVM forbidden when .carry/cuda/cache exists)
#   bench/gpu/run.sh --check-ptx [--quick]   no GPU needed: every cuda kernel the
#                                 run of that size launches must be in the prepared
#                                 PTX cache (compile-only, LLVM forbidden); exit 1 if not
# On a fresh machine it needs this checkout and what `node bench/cuda/prepare.mjs`
# packed in .carry/ (carried there): Node (cuda/node.xz, used when no node >= 20),
# the runtime packages (nm/, copied to node_modules when that is missing), the
# builds (dist/, copied to packages/*/dist when missing) and the PTX of every
# cuda kernel (cuda/cache, read through NUMBAT_CUDA_PTX_DIR). Without LLVM there
# (no llvm-bindings), compiling is forbidden (NUMBAT_CUDA_NO_LLVM=1): a kernel that
# was not prepared is an error naming it and its signature. WebGPU on a GPU needs the
# Vulkan loader: Debian packages unpacked from .gl/*.deb are installed first
# when present (see docs/backends/webgpu.md).
set -u
cd "$(dirname "$0")/../.."
check=0
for a in "$@"; do [ "$a" = --check-ptx ] && check=1; done
# The packages and builds prepare.mjs packed, where this checkout has none.
[ -d node_modules ] || { [ -d .carry/nm ] && cp -a .carry/nm node_modules; }
for p in core cpu cuda llvm webgpu; do
  [ -d packages/$p/dist ] || { [ -d .carry/dist/$p ] && cp -a .carry/dist/$p packages/$p/dist; }
done
if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  # The Node binary bench/cuda/prepare.mjs packed, where it was carried here.
  if [ -f .carry/cuda/node.xz ]; then
    mkdir -p /tmp/nbin && python3 -c "import lzma,shutil; shutil.copyfileobj(lzma.open('.carry/cuda/node.xz'), open('/tmp/nbin/node','wb'))" && chmod +x /tmp/nbin/node
    export PATH=/tmp/nbin:$PATH
    echo "node: carried $(node -v)"
  else
    echo "bench/gpu/run.sh: node >= 20 is needed (or .carry/cuda/node.xz from bench/cuda/prepare.mjs)" >&2; exit 1
  fi
fi
# The ahead-of-time PTX (bench/cuda/prepare.mjs): every kernel is looked up there first.
if [ -d .carry/cuda/cache ] && [ -z "${NUMBAT_CUDA_PTX_DIR:-}" ]; then export NUMBAT_CUDA_PTX_DIR=$PWD/.carry/cuda/cache; fi
# No LLVM here: a kernel missing from that cache is an error naming it, not an attempt to load LLVM.
[ -d node_modules/llvm-bindings ] || export NUMBAT_CUDA_NO_LLVM=1
if [ $check = 1 ]; then
  [ -n "${NUMBAT_CUDA_PTX_DIR:-}" ] || { echo "bench/gpu/run.sh --check-ptx: no prepared PTX (.carry/cuda/cache): run node bench/cuda/prepare.mjs" >&2; exit 1; }
  args=(); for a in "$@"; do [ "$a" = --check-ptx ] || args+=("$a"); done
  tmp=$(mktemp -d)
  # An empty writable cache: only the prepared one can answer.
  NUMBAT_CACHE_DIR=$tmp/cache NUMBAT_CUDA_NO_LLVM=1 node bench/gpu/run.mjs --compile-only --out "$tmp" ${args[@]+"${args[@]}"}
  rc=$?; rm -rf "$tmp"; exit $rc
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
# The size run.mjs will use (its --log2n, or its --quick / --dry-run default), for numba too.
log2n=28; mc="$((1 << 20)),20000"; op="$((1 << 20)),1024"; dry=0; prev=
for a in "$@"; do
  case "$a" in --quick) log2n=20; mc="16384,500"; op="65536,128" ;; --dry-run) dry=1; log2n=16; mc="4096,100"; op="4096,16" ;; esac
  [ "$prev" = --log2n ] && log2n=$a
  prev=$a
done
results=bench/results; [ $dry = 1 ] && results=${TMPDIR:-/tmp}/numbat-gpu-dry-run
# A dry run without a GPU: cuda compile-only, so that every kernel is compiled or found (with LLVM
# forbidden when prepared PTX is there; an empty writable cache then, so only that one can answer).
if [ $dry = 1 ] && ! nvidia-smi -L >/dev/null 2>&1; then
  export NUMBAT_CUDA_COMPILE_ONLY=1
  if [ -n "${NUMBAT_CUDA_PTX_DIR:-}" ]; then export NUMBAT_CUDA_NO_LLVM=1 NUMBAT_CACHE_DIR=$(mktemp -d); fi
fi
mkdir -p "$results"
numba=()
if python3 -c 'import numba_cuda' 2>/dev/null && command -v nvidia-smi >/dev/null; then
  export NUMBA_CUDA_LOW_OCCUPANCY_WARNINGS=0 NUMBA_CUDA_WARN_ON_IMPLICIT_COPY=0
  echo "== numba-cuda (bench/cuda/numba_bench.py, 2^$log2n f32)"
  nb="$results/numba-cuda-$(date +%F).json"
  LOG2N=$log2n MC_SAMPLES=$mc OPTION_PATHS=$op PYTHONUNBUFFERED=1 timeout 600 python3 bench/cuda/numba_bench.py "$nb" | tail -60
  [ -f "$nb" ] && numba=(--numba "$nb")
else
  echo "numba-cuda: skipped (not installed or no NVIDIA driver)"
fi
node bench/gpu/run.mjs "$@" ${numba[@]+"${numba[@]}"}
rc=$?
if [ -n "${OUT:-}" ]; then mkdir -p "$OUT"; cp "$results"/*-"$(date +%F)".* "$OUT"/ 2>/dev/null; fi
exit $rc
