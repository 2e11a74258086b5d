// A compile without the disk cache does not print its 'llvm' and 'opt' texts:
// inspect makes them by running the stages after codegen again (libdevice
// linking included). They equal the texts a cache-storing compile prints.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cuda, random } from '@numbat/core';
import { compileRecords } from '@numbat/cuda';

function normals() {
  return function sumNormals(states: Uint32Array, out: Float32Array, n: number) {
    const i = cuda.grid(1);
    if (i >= out.length) return;
    let s = 0;
    for (let d = 0; d < n; d++) s += random.normalF32(states, i);
    out[i] = s;
  };
}

describe('cuda inspect texts made on demand', () => {
  it('equal the texts a cache-storing compile prints', async () => {
    const args = [random.createStates(64, 5), new Float32Array(64), 3];
    const k = cuda.jit(normals(), { target: 'cuda' });
    const ptx = await k.inspect('ptx', ...args);
    expect(ptx).toMatch(/\.visible \.entry numbat_sumNormals\(/);
    const [llvm, opt] = [await k.inspect('llvm', ...args), await k.inspect('opt', ...args)];
    expect(llvm).toMatch(/declare [^\n]*@__nv_logf\(/); // before libdevice is linked
    expect(opt).toMatch(/define void @numbat_sumNormals\(/);

    const dir = mkdtempSync(join(tmpdir(), 'numbat-cuda-texts-'));
    const prev = process.env.NUMBAT_CACHE_DIR;
    process.env.NUMBAT_CACHE_DIR = dir;
    try {
      const stored = cuda.jit(normals(), { target: 'cuda', cache: true });
      // NVPTX numbers call sequences across the compiles of a process (a comment only).
      const calls = (t: string) => t.replace(/callseq \d+/g, 'callseq N');
      expect(calls(await stored.inspect('ptx', ...args))).toBe(calls(ptx));
      expect(compileRecords().at(-1)!.origin).toBe('compiled');
      expect(await stored.inspect('llvm', ...args)).toBe(llvm);
      expect(await stored.inspect('opt', ...args)).toBe(opt);
    } finally {
      if (prev === undefined) delete process.env.NUMBAT_CACHE_DIR; else process.env.NUMBAT_CACHE_DIR = prev;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
