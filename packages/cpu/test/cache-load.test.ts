// The disk cache loads the library bytes it verified, not the file by path:
// a library swapped in after the check (same entry symbol, other code) is
// not what runs (docs/safety.md, disk cache trust model).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import koffi from 'koffi';
import { backend, flushCache, type CpuKernel } from '@numbat/cpu';
import { NativeModule } from '@numbat/llvm';
import type { CompileOptions, LaunchArg } from '@numbat/core';
import { cacheLookup, entryKey } from '../dist/runtime/cache.js';
import { entrySignature, linkSharedLibrary, loadLibrary } from '../dist/runtime/loader.js';
import { Launcher } from '../dist/runtime/launch.js';
import { hostTarget } from '../dist/codegen/target.js';
import { bin, c, gidx, kernel, l, load, assign, store } from './helpers.js';

const times = (name: string, k: number) => kernel(name, [{ kind: 'array', elem: 'i32' }, { kind: 'array', elem: 'i32' }], [
  assign(0, gidx()),
  store(1, l(0), bin('mul', load(0, l(0), 'i32'), c(k))),
], { locals: [{ id: 0, name: 'i', type: 'i32' }] });

const opts = (key: string): CompileOptions => ({ float: 'f64', boundscheck: true, debug: false, fastmath: false, cache: true, cacheKey: key });

async function run(fn: unknown, plan: CpuKernel['plan']): Promise<number> {
  const a = Int32Array.from({ length: 32 }, (_, i) => i), out = new Int32Array(32);
  const args: LaunchArg[] = [{ kind: 'array', elem: 'i32', length: 32, host: a } as LaunchArg, { kind: 'array', elem: 'i32', length: 32, host: out } as LaunchArg];
  await new Launcher(fn as never, plan, [{ name: 'a', written: false }, { name: 'out', written: true }]).launch({ grid: [1, 1, 1], block: [32, 1, 1], sharedMem: 0 }, args);
  return out[1];
}

describe('cpu disk cache: what is loaded is what was verified', () => {
  it('a library swapped in after the check does not run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'numbat-cache-load-'));
    const prev = process.env.NUMBAT_CACHE_DIR;
    process.env.NUMBAT_CACHE_DIR = dir;
    try {
      const id = `swap-${process.pid}-${Date.now()}`;
      const three = (await backend.compile(times('three', 3), opts(`${id}-3`))) as CpuKernel;
      const five = (await backend.compile(times('five', 5), opts(`${id}-5`))) as CpuKernel;
      await flushCache();

      const key = entryKey(`${id}-3`, true);
      const hit = cacheLookup(key)!; // verified
      expect(hit).toBeDefined();

      // The other kernel's code under this kernel's entry symbol, swapped in after the check.
      const nm = NativeModule.parse(five.texts!.opt.split(five.plan.entry).join(three.plan.entry), 'swap');
      const object = nm.emit(hostTarget(), 'obj');
      nm.dispose();
      const soPath = join(dir, 'cpu', `${key}.so`);
      renameSync(linkSharedLibrary(object), soPath);
      // What dlopen of the path would run now (the test's own check that the swap works):
      expect(await run(koffi.load(soPath).func(entrySignature(three.plan)), three.plan)).toBe(5);

      const lib = loadLibrary(hit.library, hit.plan, hit.sha256);
      expect(await run(lib.fn, hit.plan)).toBe(3);
      // Mapped from a sealed memfd (Linux), not from a file someone could replace.
      if (process.platform === 'linux') expect(readFileSync('/proc/self/maps', 'utf8')).toMatch(/memfd:numbat-kernel/);
    } finally {
      if (prev === undefined) delete process.env.NUMBAT_CACHE_DIR; else process.env.NUMBAT_CACHE_DIR = prev;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
