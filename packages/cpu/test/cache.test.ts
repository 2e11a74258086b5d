// Disk cache: a second compile of the same kernel loads the stored library
// (in a fresh process, without loading llvm-bindings or libLLVM), and a
// corrupt entry is detected and rebuilt.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backend, flushCache, type CpuKernel } from '@numbat/cpu';
import type { CompileOptions } from '@numbat/core';
import { bin, c, gidx, kernel, l, load, assign, store } from './helpers.js';

const ir = kernel('triple', [{ kind: 'array', elem: 'i32' }, { kind: 'array', elem: 'i32' }], [
  assign(0, gidx()),
  store(1, l(0), bin('mul', load(0, l(0), 'i32'), c(3))),
], { locals: [{ id: 0, name: 'i', type: 'i32' }] });

const opts = (key: string): CompileOptions => ({ float: 'f64', boundscheck: true, fastmath: false, cache: true, cacheKey: key });

describe('cpu disk cache', () => {
  it('stores, reloads without LLVM in a fresh process, and rebuilds a corrupt entry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'numbat-cache-test-'));
    const prev = process.env.NUMBAT_CACHE_DIR;
    process.env.NUMBAT_CACHE_DIR = dir;
    try {
      const key = `test-${Date.now()}`;
      const first = (await backend.compile(ir, opts(key))) as CpuKernel;
      expect(first.origin).toBe('compiled');
      await flushCache(); // the library is linked and stored in the background
      const second = (await backend.compile(ir, opts(key))) as CpuKernel;
      expect(second.origin).toBe('cache');
      expect(await backend.inspect(second, 'opt')).toMatch(/numbat_run/);

      // A fresh process: cache hit, runs correctly, and neither LLVM was loaded.
      const script = `
        import { backend } from '@numbat/cpu';
        import { llvmBindingsLoaded } from '@numbat/llvm';
        import { readFileSync } from 'node:fs';
        const ir = JSON.parse(process.env.IR);
        const t0 = performance.now();
        const k = await backend.compile(ir, JSON.parse(process.env.OPTS));
        const ms = performance.now() - t0;
        const a = new Int32Array(64).map((_, i) => i), out = new Int32Array(64);
        await backend.launch(k, { grid: [2, 1, 1], block: [32, 1, 1], sharedMem: 0 }, [
          { kind: 'array', elem: 'i32', length: 64, host: a }, { kind: 'array', elem: 'i32', length: 64, host: out }]);
        const maps = readFileSync('/proc/self/maps', 'utf8');
        console.log(JSON.stringify({ origin: k.origin, ms, out: out[63], bindings: llvmBindingsLoaded(), libllvm: /libLLVM/.test(maps) }));
      `;
      const res = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: join(__dirname, '..'), env: { ...process.env, IR: JSON.stringify(ir), OPTS: JSON.stringify(opts(key)) }, encoding: 'utf8',
      }).trim().split('\n').pop()!);
      expect(res).toMatchObject({ origin: 'cache', out: 189, bindings: false, libllvm: false });

      // Corrupt the library (replaced, not truncated in place: this process has it mapped):
      // the checksum fails and the kernel is rebuilt.
      const so = join(dir, 'cpu', readdirSync(join(dir, 'cpu')).find((f) => f.endsWith('.so'))!);
      writeFileSync(so + '.bad', readFileSync(so).subarray(0, 100));
      renameSync(so + '.bad', so);
      const third = (await backend.compile(ir, opts(key))) as CpuKernel;
      expect(third.origin).toBe('compiled');
      await flushCache();
      expect(((await backend.compile(ir, opts(key))) as CpuKernel).origin).toBe('cache');
    } finally {
      if (prev === undefined) delete process.env.NUMBAT_CACHE_DIR; else process.env.NUMBAT_CACHE_DIR = prev;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keys entries by the switches that change the generated code (NUMBAT_CPU_PASSES, NUMBAT_CPU_LANES, ...)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'numbat-cache-test-'));
    const prev = process.env.NUMBAT_CACHE_DIR, prevPasses = process.env.NUMBAT_CPU_PASSES;
    process.env.NUMBAT_CACHE_DIR = dir;
    const compile = async () => ((await backend.compile(ir, opts(key))) as CpuKernel).origin;
    const key = `knobs-${Date.now()}`;
    try {
      delete process.env.NUMBAT_CPU_PASSES;
      expect(await compile()).toBe('compiled');
      await flushCache();
      process.env.NUMBAT_CPU_PASSES = 'default<O1>';
      expect(await compile()).toBe('compiled'); // another pipeline: not the stored object
      await flushCache();
      expect(await compile()).toBe('cache');
      delete process.env.NUMBAT_CPU_PASSES;
      expect(await compile()).toBe('cache'); // the ordinary entry is still there, and its key unchanged
    } finally {
      if (prev === undefined) delete process.env.NUMBAT_CACHE_DIR; else process.env.NUMBAT_CACHE_DIR = prev;
      if (prevPasses === undefined) delete process.env.NUMBAT_CPU_PASSES; else process.env.NUMBAT_CPU_PASSES = prevPasses;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
