#!/bin/sh
# Build a C/OpenMP anchor: build-c.sh OUTDIR [SOURCE.c]  -> prints OUTDIR/<name>
# (default openmp.c -> openmp-anchor; philox-openmp.c -> philox-openmp-anchor).
# -march=native because the anchor is "best native code for *this* machine";
# the binary is rebuilt per run (into a temp dir) and never shipped.
set -eu
out="${1:?usage: build-c.sh OUTDIR [SOURCE.c]}"
src="${2:-openmp.c}"
mkdir -p "$out"
here="$(cd "$(dirname "$0")" && pwd)"
name="$(basename "$src" .c)"
[ "$name" = openmp ] && bin="$out/openmp-anchor" || bin="$out/$name-anchor"
${CC:-cc} -O3 -march=native -fopenmp -o "$bin" "$here/$src" -lm
echo "$bin"
