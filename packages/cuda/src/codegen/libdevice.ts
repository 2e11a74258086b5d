// Finding libdevice, NVIDIA's bitcode math library (part of the CUDA toolkit,
// not of the driver). Searched in NUMBAT_LIBDEVICE ('none': do without),
// $CUDA_HOME, $CUDA_PATH,
// /usr/local/cuda, /usr/local/cuda-* (newest first) and Debian's
// nvidia-cuda-toolkit. Its __nvvm_reflect calls are resolved by LLVM's
// NVVMReflect pass, which the NVPTX target adds to the optimisation pipeline
// (the `nvvm-reflect-ftz` module flag, set in helpers-ir.ts, answers __CUDA_FTZ).

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NativeModule, type TargetSpec } from '@numbat/llvm';

const REL = join('nvvm', 'libdevice', 'libdevice.10.bc');

export function libdeviceCandidates(): string[] {
  const out: string[] = [];
  if (process.env.NUMBAT_LIBDEVICE) out.push(process.env.NUMBAT_LIBDEVICE);
  for (const v of ['CUDA_HOME', 'CUDA_PATH', 'CUDA_ROOT']) {
    const d = process.env[v];
    if (d) out.push(join(d, REL));
  }
  out.push(join('/usr/local/cuda', REL));
  try {
    const versions = readdirSync('/usr/local').filter((n) => /^cuda-\d+(\.\d+)*$/.test(n));
    versions.sort((a, b) => compareVersions(b.slice(5), a.slice(5)));
    for (const v of versions) out.push(join('/usr/local', v, REL));
  } catch { /* no /usr/local */ }
  out.push('/usr/lib/nvidia-cuda-toolkit/libdevice/libdevice.10.bc');
  return out;
}

function compareVersions(a: string, b: string): number {
  const x = a.split('.').map(Number), y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

let found: { path: string; bitcode?: Buffer } | null | undefined;

/** Path of libdevice.10.bc, or undefined when no CUDA toolkit is installed. */
export function libdevicePath(): string | undefined {
  if (process.env.NUMBAT_LIBDEVICE === 'none') return undefined; // compile as if no CUDA toolkit were installed
  if (found === undefined) {
    const p = libdeviceCandidates().find((c) => existsSync(c));
    found = p ? { path: p } : null;
  }
  return found?.path;
}

/** The bitcode, read once per process. */
export function libdeviceBitcode(): Buffer {
  const p = libdevicePath();
  if (!p || !found) throw new Error('numbat cuda: libdevice not found');
  found.bitcode ??= readFileSync(p);
  return found.bitcode;
}

export const LIBDEVICE_MISSING_HINT =
  "CUDA's libdevice (nvvm/libdevice/libdevice.10.bc, part of the CUDA toolkit) was not found: install the CUDA toolkit " +
  '(or Debian\'s nvidia-cuda-toolkit), or set CUDA_HOME or NUMBAT_LIBDEVICE to it';

const subsets = new Map<string, string>();

/**
 * The part of libdevice that defines `names` (and what they call), as IR
 * text: parsing all of libdevice costs ~40 ms per kernel, its trimmed subset
 * ~1 ms. Made from a lazily read libdevice (only the bodies kept are parsed:
 * a full parse made a process's first kernel with math pay for all of it).
 * Kept per process, and in `diskDir` when given (the kernel cache's
 * directory, so only with `cache: true`).
 */
export function libdeviceSubset(names: readonly string[], spec: TargetSpec, diskDir?: string): string {
  const key = [...new Set(names)].sort().join(',');
  const mem = subsets.get(key);
  if (mem) return mem;
  const bitcode = libdeviceBitcode();
  const file = diskDir && join(diskDir, `libdevice-${createHash('sha256').update(bitcode).digest('hex').slice(0, 16)}`, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.ll`);
  if (file) {
    try {
      const text = readFileSync(file, 'utf8');
      subsets.set(key, text);
      return text;
    } catch { /* not cached yet */ }
  }
  // Read lazily: only the bodies of the functions kept (and those they call) are parsed.
  const nm = NativeModule.subsetOfBitcode(bitcode, new Set(key.split(',')), 'libdevice');
  let text: string;
  try {
    nm.optimize(spec, 'globaldce');
    text = nm.print();
  } finally {
    nm.dispose();
  }
  subsets.set(key, text);
  if (file) {
    try {
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(`${file}.${process.pid}`, text);
      renameSync(`${file}.${process.pid}`, file);
    } catch { /* a read-only cache directory only costs speed */ }
  }
  return text;
}
