// Dawn writes some warnings straight to the process's stderr (fd 2, fprintf in
// dawn::WarningLog), out of reach of any toggle or JS callback. On Mesa's GL
// driver every adapter discovery prints two of them: Dawn's NormalizeLimits
// clamps the driver's dynamic-buffer limits ("Warning:
// maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 90 to 16
// to fit dynamic offset allocation limit." and the same for storage buffers),
// which says nothing to a numbat user and happens whatever limits are requested.
// So the synchronous Dawn calls that discover adapters run with fd 2 pointed at
// a temp file (dup/dup2 through koffi); afterwards Dawn's warnings are dropped
// and anything else it wrote is passed on to stderr. NUMBAT_LOG=debug shows
// everything. Without koffi (or libc), calls run unchanged.

import { logEnabled } from '@numbat/core';

type Libc = { dup(fd: number): number; dup2(fd: number, to: number): number; close(fd: number): number };

let libc: Promise<Libc | undefined> | undefined;

async function loadLibc(): Promise<Libc | undefined> {
  const proc = (globalThis as { process?: { platform?: string } }).process;
  if (proc?.platform !== 'linux' && proc?.platform !== 'darwin') return undefined;
  try {
    const koffi = (await import('koffi')).default;
    const lib = koffi.load(proc.platform === 'darwin' ? 'libSystem.B.dylib' : 'libc.so.6');
    return {
      dup: lib.func('int dup(int)') as (fd: number) => number,
      dup2: lib.func('int dup2(int, int)') as (fd: number, to: number) => number,
      close: lib.func('int close(int)') as (fd: number) => number,
    };
  } catch {
    return undefined;
  }
}

/** A runner for synchronous native calls that keeps Dawn's warnings off stderr (see above). */
export async function quietDawn(): Promise<<T>(call: () => T) => T> {
  const plain = <T>(call: () => T): T => call();
  if (logEnabled('debug')) return plain;
  const c = await (libc ??= loadLibc());
  if (!c) return plain;
  const fs = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  return <T>(call: () => T): T => {
    const file = join(tmpdir(), `numbat-dawn-${process.pid}-${Date.now()}.log`);
    let fd: number;
    try { fd = fs.openSync(file, 'w+', 0o600); } catch { return call(); }
    const saved = c.dup(2);
    if (saved < 0 || c.dup2(fd, 2) < 0) {
      if (saved >= 0) c.close(saved);
      fs.closeSync(fd);
      fs.rmSync(file, { force: true });
      return call();
    }
    try {
      return call();
    } finally {
      c.dup2(saved, 2);
      c.close(saved);
      fs.closeSync(fd);
      let text = '';
      try { text = fs.readFileSync(file, 'utf8'); } catch { /* nothing written */ }
      fs.rmSync(file, { force: true });
      const rest = text.split('\n').filter((l) => l && !/^Warning: /.test(l));
      if (rest.length) process.stderr.write(rest.join('\n') + '\n');
    }
  };
}
