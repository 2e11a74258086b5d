#!/bin/bash
# On the GPU machine: the conformance corpus on 'cuda' against the simulator,
# then bench.mjs (numbat) and numba_bench.py (numba-cuda) on the same GPU.
# Needs what bench/cuda/prepare.mjs put in .carry (carried): cuda/ (PTX cache,
# Node), nm/ (node_modules) and dist/ (the builds), copied in place below.
# No LLVM there: every kernel comes from the prepared PTX cache.
# `device-run.sh quick`: correctness and one numbat benchmark only.
set -u
cd "$(dirname "$0")/../.."
# The packages and builds bench/gpu/pack.mjs packed (run by prepare.mjs), where this checkout has none.
[ -d node_modules ] || { [ -d .carry/nm ] && cp -a .carry/nm node_modules; }
for p in core cpu cuda llvm webgpu; do
  [ -d packages/$p/dist ] || { [ -d .carry/dist/$p ] && cp -a .carry/dist/$p packages/$p/dist; }
done
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi -L; nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,temperature.gpu --format=csv,noheader
if command -v node >/dev/null && [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ]; then
  echo "node: system $(node -v)"
else
  python3 -c "import lzma,shutil; shutil.copyfileobj(lzma.open('.carry/cuda/node.xz'), open('/tmp/node','wb'))"
  mkdir -p /tmp/nbin && mv /tmp/node /tmp/nbin/node && chmod +x /tmp/nbin/node && export PATH=/tmp/nbin:$PATH
  echo "node: carried $(node -v) (system: $(command -v node >/dev/null && echo present-but-old || echo none))"
fi
python3 -c "import numba, numba_cuda; print('numba', numba.__version__, 'numba-cuda', numba_cuda.__version__)" 2>&1 | tail -1
grep -m1 'model name' /proc/cpuinfo; nproc
export NUMBAT_CACHE_DIR=$PWD/.carry/cuda/cache
export NUMBAT_TARGET=cuda
echo "== conformance"; timeout 200 node bench/cuda/conformance.mjs "$OUT/cuda-conformance.json" 2>&1 | tee "$OUT/conformance.txt" | tail -40
echo "== JS semantics at the edges (vs sim)"; timeout 120 node bench/cuda/semantics.mjs "$OUT/cuda-semantics.json" 2>&1 | tee "$OUT/semantics.txt"
echo "== runtime errors"; timeout 60 node bench/cuda/errors.mjs "$OUT/cuda-errors.json" 2>&1 | tee "$OUT/errors.txt"
echo "== numbat bench"; timeout 200 node bench/cuda/bench.mjs "$OUT/cuda-numbat.json" > "$OUT/bench-numbat.txt" 2>&1; tail -60 "$OUT/bench-numbat.txt"
if [ "${1:-}" = quick ]; then exit 0; fi
echo "== numbat bench, second process (driver's JIT cache warm)"; timeout 200 node bench/cuda/bench.mjs "$OUT/cuda-numbat-2.json" > "$OUT/bench-numbat-2.txt" 2>&1; grep -E 'contextAndFirstAlloc|firstLaunch|publicApi|launcher|raw' "$OUT/bench-numbat-2.txt"
# numba-cuda warns on every small launch and implicit copy; silence both so the warning machinery is not timed.
export NUMBA_CUDA_LOW_OCCUPANCY_WARNINGS=0 NUMBA_CUDA_WARN_ON_IMPLICIT_COPY=0
echo "== numba bench"; PYTHONUNBUFFERED=1 timeout 200 python3 bench/cuda/numba_bench.py "$OUT/cuda-numba.json" > "$OUT/bench-numba.txt" 2>&1; tail -60 "$OUT/bench-numba.txt"
