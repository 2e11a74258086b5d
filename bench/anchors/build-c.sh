#!/bin/sh
# Build the C/OpenMP anchor: build-c.sh OUTDIR  -> prints OUTDIR/openmp-anchor.
# -march=native because the anchor is "best native code for *this* machine";
# the binary is rebuilt per run (into a temp dir) and never shipped.
set -eu
out="${1:?usage: build-c.sh OUTDIR}"
mkdir -p "$out"
here="$(cd "$(dirname "$0")" && pwd)"
${CC:-cc} -O3 -march=native -fopenmp -o "$out/openmp-anchor" "$here/openmp.c"
echo "$out/openmp-anchor"
