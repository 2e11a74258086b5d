// Shared libraries: the disk cache's format. A compiled object is linked with
// the system linker (`ld -shared`; `cc -shared` as fallback) in the
// background and opened later with koffi.load (dlopen), which needs neither
// llvm-bindings nor libLLVM: a cached kernel loads in ~1.5 ms.
// Measured against ORC LLJIT (runtime/jit.ts) on this machine:
//   - fresh compile: ORC add+lookup 0.3-0.6 ms; `ld -shared` 2 ms from a shell
//     but ~13 ms spawned from Node with LLVM mapped (fork copies the page
//     tables), so a fresh compile runs through ORC;
//   - cached load: dlopen of the stored library ~1.5 ms with no LLVM at all,
//     whereas ORC would first have to map and initialise libLLVM (100 MB).
// libm symbols resolve against the process (Node links libm), so no -lm.

import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import koffi from 'koffi';
import type { KernelPlan } from '../codegen/abi.js';

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

/** linkSharedLibrary without blocking the event loop. */
export async function linkSharedLibraryAsync(object: Buffer, soPath?: string): Promise<string> {
  const dir = scratchDir();
  const id = `${process.pid}-${counter++}`;
  const obj = join(dir, `k${id}.o`);
  const so = soPath ?? join(dir, `k${id}.so`);
  writeFileSync(obj, object);
  let lastErr: unknown;
  try {
    for (const [cmd, ...flags] of LINKERS) {
      try {
        await new Promise<void>((resolve, reject) => execFile(cmd, [...flags, '-o', so, obj], (err) => (err ? reject(err) : resolve())));
        return so;
      } catch (e) {
        lastErr = e;
      }
    }
  } finally {
    rmSync(obj, { force: true });
  }
  throw new Error(`numbat: cannot link the kernel into a shared library (tried ld and cc): ${(lastErr as Error).message}`);
}

/** koffi prototype of the entry point for a kernel's parameters. */
export function entrySignature(plan: KernelPlan): string {
  const params = plan.scalarTypes.map((t, i) => {
    const ty = t === null ? 'void*' : t === 'f32' ? 'float' : t === 'f64' ? 'double' : 'int32_t';
    return `${ty} p${i}`;
  });
  return `int32_t ${plan.entry}(int32_t* info, int32_t begin, int32_t end, uint8_t* scratch${params.length ? ', ' + params.join(', ') : ''})`;
}

// koffi keeps every prototype it is given for the life of the process: one per
// parameter-type list, not one per kernel.
const protos = new Map<string, ReturnType<typeof koffi.proto>>();

/** The koffi prototype of an entry point, shared by every kernel with the same parameter types. */
export function entryProto(plan: KernelPlan): ReturnType<typeof koffi.proto> {
  const types = plan.scalarTypes.map((t) => (t === null ? 'p' : t === 'f32' ? 'f' : t === 'f64' ? 'd' : 'i')).join('');
  let p = protos.get(types);
  if (!p) {
    p = koffi.proto(entrySignature({ ...plan, entry: `numbat_entry_${types}` }));
    protos.set(types, p);
  }
  return p;
}

const opened = new Map<string, { lib: ReturnType<typeof koffi.load>; sha256: string }>();

/**
 * Opens a library and returns its entry point. dlopen hands back the old
 * mapping for a path this process already opened, so a path whose contents
 * changed since (a rebuilt cache entry) is opened through a fresh copy.
 */
export function loadLibrary(path: string, plan: KernelPlan, sha256: string): LoadedLibrary {
  let entry = opened.get(path);
  if (!entry || entry.sha256 !== sha256) {
    let real = path;
    if (entry) {
      real = join(scratchDir(), `copy${process.pid}-${counter++}.so`);
      copyFileSync(path, real);
    }
    entry = { lib: koffi.load(real), sha256 };
    opened.set(path, entry);
  }
  const fn = entry.lib.func(entrySignature(plan)) as unknown as KoffiFn;
  return { fn, path };
}
