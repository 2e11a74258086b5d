#!/usr/bin/env bash
# Idempotent set-up for a fresh machine: Debian packages (when root and missing),
# npm dependencies (npm ci when node_modules is missing or stale) and the build.
# Used by `npm run demo`, `npm test` and `npm run bench`.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
# llvm-14-dev + cmake: llvm-bindings builds from source against them (cpu, cuda codegen).
# Mesa EGL/GLES: WebGPU through Dawn's OpenGL ES backend on llvmpipe when there is no GPU.
# chromium: the browser tests (test/browser.test.ts, test/playground.test.ts; headless, WebGPU on SwiftShader).
# python3-numba: the benchmark's CPU anchor.
for p in llvm-14 llvm-14-dev cmake libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri chromium; do
  have_pkg "$p" || need+=("$p")
done
if [ "${NUMBAT_BENCH:-}" = 1 ]; then have_pkg python3-numba || need+=(python3-numba); fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "numbat bootstrap: installing ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "numbat bootstrap: missing Debian packages ${need[*]} (not root: install them to enable the cpu/webgpu/cuda backends)" >&2
  fi
fi

# npm ci when node_modules is absent or older than the lockfile.
stamp=node_modules/.numbat-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "numbat bootstrap: npm ci" >&2
  npm ci --no-audit --no-fund
  touch "$stamp"
fi

# llvm-bindings' addon against the shared libLLVM-14, so that a process holds one LLVM instead of
# two (scripts/llvm-bindings-shared/; once per install: a no-op when done, not retried after a
# failure until the next npm ci; numbat works with the static addon too).
failed=node_modules/.numbat-llvm-bindings-shared-failed
if [ -d node_modules/llvm-bindings/src ] && { [ ! -f "$failed" ] || [ "$stamp" -nt "$failed" ]; } \
   && ! bash scripts/llvm-bindings-shared/build.sh --check; then
  bash scripts/llvm-bindings-shared/build.sh || true
  bash scripts/llvm-bindings-shared/build.sh --check || touch "$failed"
fi

# Build (tsc -b is incremental: a no-op when nothing changed), then the bundled entry points
# (scripts/bundle.mjs: faster loading; skipped when up to date).
npx tsc -b
node scripts/bundle.mjs
