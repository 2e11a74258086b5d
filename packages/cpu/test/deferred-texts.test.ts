// A compile without the disk cache does not print its 'llvm' and 'opt' texts
// (thousands of lines for a kernel that draws random numbers): inspect makes
// them by running the stages after codegen again. They must be the texts of
// the code that runs: the same as a compile that prints them (cache: true)
// and naming the entry point the kernel was launched through.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cuda, random, targetAvailability } from '@numbat/core';
import { backend, compileRecords, flushCache, type CpuKernel } from '@numbat/cpu';

const cpu = await targetAvailability('cpu');

function draws() {
  return function sumDraws(states: Uint32Array, out: Float32Array, n: number) {
    const i = cuda.grid(1);
    if (i >= out.length) return;
    let s = 0;
    for (let d = 0; d < n; d++) s += random.uniformF32(states, i);
    out[i] = s;
  };
}

/** The unique entry name of each compile, made comparable. */
const sameNames = (t: string) => t.replace(/numbat_run_\w+/g, 'numbat_run_K');

describe.skipIf(!cpu.ok)('cpu inspect texts made on demand', () => {
  it('equal the texts a cache-storing compile prints, and name the entry that ran', async () => {
    const args = () => [random.createStates(64, 5), new Float32Array(64), 3];
    const k = cuda.jit(draws(), { target: 'cpu' });
    const a = args();
    await k.configure(2, 32)(...a);
    const timings = compileRecords().at(-1)!.timings;
    const [llvm, opt, asm] = [await k.inspect('llvm', ...a), await k.inspect('opt', ...a), await k.inspect('asm', ...a)];
    // The entry the launch went through is the one in the texts.
    const entry = /define i32 @(numbat_run_\w+)\(/.exec(opt)?.[1];
    expect(entry).toBeDefined();
    expect(llvm).toContain(`@${entry}(`);
    expect(asm).toContain(`${entry}:`);
    // Making the texts afterwards is not part of the compile that ran.
    expect(Object.keys(timings)).toEqual(['setup', 'load-llvm', 'codegen', 'parse-link-verify', 'optimize', 'emit', 'jit', 'total']);

    const dir = mkdtempSync(join(tmpdir(), 'numbat-texts-'));
    const prev = process.env.NUMBAT_CACHE_DIR;
    process.env.NUMBAT_CACHE_DIR = dir;
    try {
      const stored = cuda.jit(draws(), { target: 'cpu', cache: true });
      const b = args();
      await stored.configure(2, 32)(...b);
      await flushCache();
      expect(sameNames(await stored.inspect('llvm', ...b))).toBe(sameNames(llvm));
      expect(sameNames(await stored.inspect('opt', ...b))).toBe(sameNames(opt));
      expect(Array.from(b[1] as Float32Array)).toEqual(Array.from(a[1] as Float32Array)); // same streams, same sums
    } finally {
      if (prev === undefined) delete process.env.NUMBAT_CACHE_DIR; else process.env.NUMBAT_CACHE_DIR = prev;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('a compile without the cache leaves them unprinted until read', async () => {
    const k = (await backend.compile((await import('./helpers.js')).kernel('noop', [{ kind: 'array', elem: 'i32' }], []), {
      float: 'f64', boundscheck: true, fastmath: false, cache: false, cacheKey: 'noop',
    })) as CpuKernel;
    expect(k.origin).toBe('compiled');
    expect(Object.getOwnPropertyDescriptor(k.texts, 'opt')?.get).toBeTypeOf('function'); // not printed by the compile
  });
});
