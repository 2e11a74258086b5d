// Object file → callable function. The object is linked into a shared
// library with the system linker (`ld -shared`, ~2 ms; `cc -shared` costs ~8 ms
// for the same job because the driver spawns collect2 and ld) and opened with
// koffi.load. libm symbols resolve against the process (Node links libm), so
// the library needs no -lm. A library on disk is also exactly what the disk
// cache stores: a cached kernel loads without LLVM at all.
//
// ORC LLJIT through the C API was measured as the alternative (see
// docs/backends/cpu.md): it needs libLLVM mapped even for cached kernels,
// which is the slow part of a cached load.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import koffi from 'koffi';
import type { KernelPlan } from '../codegen/abi.js';
import { ENTRY } from '../codegen/abi.js';

export type KoffiFn = ((...args: unknown[]) => number) & { async: (...args: unknown[]) => void };

export interface LoadedLibrary {
  fn: KoffiFn;
  path: string;
}

let workDir: string | undefined;
let counter = 0;

function scratchDir(): string {
  if (!workDir) {
    workDir = mkdtempSync(join(tmpdir(), 'numbat-cpu-'));
    const dir = workDir;
    process.once('exit', () => { try { rmSync(dir, { recursive: true, force: true }); } catch { /* best effort */ } });
  }
  return workDir;
}

const LINKERS: string[][] = [['ld', '-shared'], ['cc', '-shared', '-nostdlib']];

/** Links `object` into a shared library at `soPath` (a fresh temp path by default). */
export function linkSharedLibrary(object: Buffer, soPath?: string): string {
  const dir = scratchDir();
  const id = `${process.pid}-${counter++}`;
  const obj = join(dir, `k${id}.o`);
  const so = soPath ?? join(dir, `k${id}.so`);
  writeFileSync(obj, object);
  let lastErr: unknown;
  for (const [cmd, ...flags] of LINKERS) {
    try {
      execFileSync(cmd, [...flags, '-o', so, obj], { stdio: ['ignore', 'ignore', 'pipe'] });
      rmSync(obj, { force: true });
      return so;
    } catch (e) {
      lastErr = e;
    }
  }
  rmSync(obj, { force: true });
  throw new Error(`numbat: cannot link the kernel into a shared library (tried ld and cc): ${(lastErr as Error).message}`);
}

/** koffi prototype of numbat_run for a kernel's parameters. */
export function entrySignature(plan: KernelPlan): string {
  const params = plan.scalarTypes.map((t, i) => {
    const ty = t === null ? 'void*' : t === 'f32' ? 'float' : t === 'f64' ? 'double' : 'int32_t';
    return `${ty} p${i}`;
  });
  return `int32_t ${ENTRY}(int32_t* info, int32_t begin, int32_t end, uint8_t* scratch${params.length ? ', ' + params.join(', ') : ''})`;
}

export function loadLibrary(path: string, plan: KernelPlan): LoadedLibrary {
  const lib = koffi.load(path);
  const fn = lib.func(entrySignature(plan)) as unknown as KoffiFn;
  return { fn, path };
}
