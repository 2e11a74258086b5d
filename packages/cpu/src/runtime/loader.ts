// Shared libraries: the disk cache's format. A compiled object is linked with
// the system linker (`ld -shared`; `cc -shared` as fallback) in the
// background and opened later with koffi.load (dlopen) from the verified
// bytes (below), which needs neither llvm-bindings nor libLLVM: a cached
// kernel loads in ~1.5 ms.
// Measured against ORC LLJIT (runtime/jit.ts) on this machine:
//   - fresh compile: ORC add+lookup 0.3-0.6 ms; `ld -shared` 2 ms from a shell
//     but ~13 ms spawned from Node with LLVM mapped (fork copies the page
//     tables), so a fresh compile runs through ORC;
//   - cached load: dlopen of the stored library ~1.5 ms with no LLVM at all,
//     whereas ORC would first have to map and initialise libLLVM (100 MB).
// libm symbols resolve against the process (Node links libm), so no -lm.

import type * as ChildProcess from 'node:child_process';
import { createRequire } from 'node:module';
import { closeSync, existsSync, mkdtempSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import koffi from 'koffi';
import type { KernelPlan } from '../codegen/abi.js';

// Only linking (cache entries) spawns a linker: node:child_process loads then, not with the backend.
const childProcess = (): typeof ChildProcess => createRequire(import.meta.url)('node:child_process') as typeof ChildProcess;

export type KoffiFn = ((...args: unknown[]) => number) & { async: (...args: unknown[]) => void };

export interface LoadedLibrary {
  fn: KoffiFn;
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
      childProcess().execFileSync(cmd, [...flags, '-o', so, obj], { stdio: ['ignore', 'ignore', 'pipe'] });
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
        await new Promise<void>((resolve, reject) => childProcess().execFile(cmd, [...flags, '-o', so, obj], (err) => (err ? reject(err) : resolve())));
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
    const ty = t === null ? 'void*' : t === 'f32' ? 'float' : t === 'f64' ? 'double' : t === 'i64' || t === 'u64' ? 'int64_t' : 'int32_t';
    return `${ty} p${i}`;
  });
  return `int32_t ${plan.entry}(int32_t* info, int32_t begin, int32_t end, uint8_t* scratch${params.length ? ', ' + params.join(', ') : ''})`;
}

// koffi keeps every prototype it is given for the life of the process: one per
// parameter-type list, not one per kernel.
const protos = new Map<string, ReturnType<typeof koffi.proto>>();

/** The koffi prototype of an entry point, shared by every kernel with the same parameter types. */
export function entryProto(plan: KernelPlan): ReturnType<typeof koffi.proto> {
  const types = plan.scalarTypes.map((t) => (t === null ? 'p' : t === 'f32' ? 'f' : t === 'f64' ? 'd' : t === 'i64' || t === 'u64' ? 'l' : 'i')).join('');
  let p = protos.get(types);
  if (!p) {
    p = koffi.proto(entrySignature({ ...plan, entry: `numbat_entry_${types}` }));
    protos.set(types, p);
  }
  return p;
}

// The disk cache verifies a library's bytes (cache.ts); opening the cache's
// file by path afterwards would load whatever is there by then (someone able
// to write the directory could swap it in between). So what is opened is the
// verified bytes themselves: a sealed memfd (Linux: written once, then sealed
// against writes, growing and shrinking, reachable only through this
// process's descriptor), else a fresh file in this process's private temp
// directory (0700), removed once loaded.
// dlopen matches libraries by path name: were a memfd closed, its number, and
// so its /proc/self/fd path, could name a later library, and dlopen would
// hand back this one. A memfd stays open while its library is loaded (cached
// libraries stay loaded for the life of the process): one descriptor per
// distinct cached kernel.

const MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2;
const F_ADD_SEALS = 1033, F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8;

type Libc = { memfdCreate: (name: string, flags: number) => number; fcntl: (fd: number, cmd: number, ...rest: unknown[]) => number };
let libc: Libc | null | undefined;

function memfdApi(): Libc | null {
  if (libc !== undefined) return libc;
  try {
    if (process.platform !== 'linux' || !existsSync('/proc/self/fd')) throw new Error('no memfd');
    const c = koffi.load('libc.so.6');
    libc = {
      memfdCreate: c.func('int memfd_create(const char *name, unsigned int flags)') as unknown as Libc['memfdCreate'],
      fcntl: c.func('int fcntl(int fd, int cmd, ...)') as unknown as Libc['fcntl'],
    };
  } catch {
    libc = null; // not Linux/glibc: private temp files
  }
  return libc;
}

/** A sealed memfd holding `bytes`, or undefined where there is none. */
function sealedMemfd(bytes: Buffer): number | undefined {
  const c = memfdApi();
  if (!c) return undefined;
  const fd = c.memfdCreate('numbat-kernel', MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return undefined;
  try {
    for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done);
    if (c.fcntl(fd, F_ADD_SEALS, 'int', F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) throw new Error('cannot seal');
    return fd;
  } catch {
    closeSync(fd);
    return undefined;
  }
}

/** dlopen of exactly `bytes`. */
function openBytes(bytes: Buffer): ReturnType<typeof koffi.load> {
  const fd = sealedMemfd(bytes);
  if (fd !== undefined) {
    try {
      return koffi.load(`/proc/self/fd/${fd}`); // the descriptor stays open (above)
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }
  const path = join(scratchDir(), `lib${process.pid}-${counter++}.so`);
  writeFileSync(path, bytes, { mode: 0o600, flag: 'wx' });
  try {
    return koffi.load(path);
  } finally {
    rmSync(path, { force: true }); // mapped now; a unique name is never opened twice
  }
}

/** Libraries opened, by their cache checksum (which covers their bytes). */
const opened = new Map<string, ReturnType<typeof koffi.load>>();

/** Opens a library from its verified bytes and returns its entry point. */
export function loadLibrary(bytes: Buffer, plan: KernelPlan, sha256: string): LoadedLibrary {
  let lib = opened.get(sha256);
  if (!lib) {
    lib = openBytes(bytes);
    opened.set(sha256, lib);
  }
  return { fn: lib.func(entrySignature(plan)) as unknown as KoffiFn };
}
