#!/usr/bin/env bash
# Rebuilds node_modules/llvm-bindings' addon against the shared libLLVM-14
# (CMakeLists.txt here says why). Idempotent: does nothing when the installed
# addon already links libLLVM-14. On any failure the installed (static) addon is
# left as it was: numbat works with either, only the first compile of a process
# is slower with the static one. Needs llvm-14-dev, cmake, a C++ compiler and
# node's headers (shipped with node: <prefix>/include/node). When npm's own
# (static) build left its object files, they are linked again against the shared
# library (~1 s: same sources, flags and headers, only the link differs);
# otherwise the sources are compiled again (~3-8 minutes).
#   bash scripts/llvm-bindings-shared/build.sh [--check]   (--check: exit 0 if shared, 1 if not)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bindings="$root/node_modules/llvm-bindings"
addon="$bindings/build/Release/llvm-bindings.node"

is_shared() { [ -f "$addon" ] && readelf -d "$addon" 2>/dev/null | grep -q 'NEEDED.*libLLVM-14'; }
if [ "${1:-}" = --check ]; then is_shared; exit $?; fi
if is_shared; then exit 0; fi
[ -d "$bindings/src" ] || { echo "numbat: llvm-bindings is not installed; nothing to rebuild" >&2; exit 0; }

llvm_dir="$(llvm-config-14 --cmakedir 2>/dev/null || echo /usr/lib/llvm-14/lib/cmake/llvm)"
node_include="$(node -p "require('path').resolve(process.execPath, '../../include/node')")"
addon_api="$(cd "$root" && node -p "require('node-addon-api').include.replace(/\"/g, '')" 2>/dev/null || echo node-addon-api)"
for need in "$llvm_dir/LLVMConfig.cmake" "$node_include/node_api.h" "$addon_api/napi.h"; do
  [ -f "$need" ] || { echo "numbat: not rebuilding llvm-bindings against the shared libLLVM: $need is missing" >&2; exit 0; }
done
command -v cmake >/dev/null && command -v c++ >/dev/null || { echo "numbat: not rebuilding llvm-bindings against the shared libLLVM: cmake or c++ missing" >&2; exit 0; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
loads() { node -e "process.dlopen({ exports: {} }, process.argv[1], require('os').constants.dlopen.RTLD_NOW)" "$1" >>"$work/log" 2>&1; }
# A new file renamed over the old one: running processes keep the one they mapped.
install() { cp "$work/llvm-bindings.node" "$addon.tmp.$$" && mv -f "$addon.tmp.$$" "$addon"; }

# npm's build (cmake-js, llvm-bindings' CMakeLists) keeps one object per source file.
objects="$bindings/build/CMakeFiles/llvm-bindings.dir"
sources=$(find "$bindings/src" -name '*.cpp' | wc -l)
if [ -d "$objects" ] && [ "$(find "$objects" -name '*.cpp.o' | wc -l)" = "$sources" ]; then
  libdir="$(llvm-config-14 --libdir 2>/dev/null || echo /usr/lib/llvm-14/lib)"
  find "$objects" -name '*.cpp.o' | sort >"$work/objects"
  if c++ -shared -o "$work/llvm-bindings.node" @"$work/objects" -L"$libdir" -lLLVM-14 -Wl,-rpath,"$libdir" >"$work/log" 2>&1 \
     && loads "$work/llvm-bindings.node" && install; then
    echo "numbat: llvm-bindings now links the shared libLLVM-14 (npm's objects linked again)" >&2
    exit 0
  fi
  echo "numbat: linking npm's llvm-bindings objects against the shared libLLVM failed; compiling them again" >&2
fi

echo "numbat: building llvm-bindings against the shared libLLVM-14 (one LLVM per process; a few minutes)" >&2
generator=(); command -v ninja >/dev/null && generator=(-G Ninja)
if cmake "${generator[@]}" -S "$here" -B "$work" -DCMAKE_BUILD_TYPE=Release -DLLVM_DIR="$llvm_dir" \
     -DBINDINGS="$bindings" -DNODE_INCLUDE="$node_include" -DNODE_ADDON_API="$addon_api" >"$work/log" 2>&1 \
   && cmake --build "$work" --parallel "$(nproc 2>/dev/null || echo 2)" >>"$work/log" 2>&1 \
   && loads "$work/llvm-bindings.node" && install; then
  echo "numbat: llvm-bindings now links the shared libLLVM-14" >&2
else
  echo "numbat: rebuilding llvm-bindings against the shared libLLVM failed (the static addon stays; last lines of the log:)" >&2
  tail -5 "$work/log" >&2
fi
