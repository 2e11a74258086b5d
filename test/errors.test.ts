// Unsupported constructs are refused with a CompileError naming the construct,
// the line in this file and a code frame; never an internal TypeError.

import { describe, expect, it } from 'vitest';
import { cuda, f32, i8, random, CompileError } from '@numbat/core';

async function compileError(fn: (...a: any[]) => void, args: unknown[], opts: Record<string, unknown> = {}): Promise<CompileError> {
  const k = cuda.jit(fn, { target: 'sim', ...opts });
  try {
    await k.inspect('ir', ...args);
  } catch (e) {
    expect(e).toBeInstanceOf(CompileError);
    return e as CompileError;
  }
  throw new Error('expected a CompileError');
}

const x = new Float32Array(4);

describe('refused constructs name the construct and the line', () => {
  const cases: [string, (...a: any[]) => void, RegExp, unknown[]?][] = [
    ['string literal', function k(a: Float32Array) { const s = 'hi' as any; a[0] = s; }, /strings are not supported/],
    ['object literal', function k(a: Float32Array) { const o = { v: 1 } as any; a[0] = o; }, /objects are not supported/],
    ['closure', function k(a: Float32Array) { const f = () => 1; a[0] = f(); }, /closures/],
    ['try/catch', function k(a: Float32Array) { try { a[0] = 1; } catch { a[0] = 2; } }, /try\/catch/],
    ['class', function k(a: Float32Array) { class C {} a[0] = 1; void C; }, /classes/],
    ['this', function (this: any, a: Float32Array) { a[0] = this.v; }, /this/],
    ['write to scalar parameter', function k(a: Float32Array, n: number) { n = 3; a[0] = n; }, /scalar parameters are read-only/, [x, 2]],
    ['non-constant shared size', function k(a: Float32Array, n: number) { const s = cuda.shared.array(n, f32); a[0] = s[0]; }, /must be a constant integer/, [x, 2]],
    ['unknown intrinsic', function k(a: Float32Array) { (cuda as any).warpShuffle(1); a[0] = 1; }, /cuda\.warpShuffle/],
    ['narrow dtype conversion arity', function k(a: Float32Array) { a[0] = (i8 as any)(a[1], 2); }, /i8\(x\) takes one argument/],
    ['numba tuple index on a 1-D array', function k(a: Float32Array) { const i = 1, j = 2; a[(i, j)] = 1; }, /comma operator.*'a' has 1 dimension\(s\) and must be indexed with 1 subscript\(s\), e\.g\. a\[i\]/],
    ['for...in', function k(a: Float32Array) { for (const i in a) a[0] = 1; }, /for\.\.\.in is not supported/],
    ['for...of over a number', function k(a: Float32Array) { for (const x of 3 as any) a[0] = x; }, /for\.\.\.of iterates over arrays and cuda\.range/],
    ['cuda.range outside for...of', function k(a: Float32Array) { const r = (cuda as any).range(3); a[0] = r; }, /only for loops/],
    ['cuda.range with a zero step', function k(a: Float32Array) { for (const i of cuda.range(0, 4, 0)) a[i] = 1; }, /constant non-zero integer/],
    ['numba tuple index on a 1-D array (read)', function k(a: Float32Array) { a[0] = a[(1, 2)]; }, /comma operator/],
    ['Math.umulhi (cuda-only intrinsic)', function k(a: Float32Array) { a[0] = (Math as any).umulhi(1, 2); }, /Math\.umulhi is not supported/],
    ['host function of random', function k(a: Float32Array) { a[0] = random.createStates(1, 1)[0]; }, /plain JavaScript function/],
    ['unknown identifier', function k(a: Float32Array) { a[0] = (globalThis as any).foo; }, /globalThis/],
    ['float index', function k(a: Float32Array) { a[0.5 * cuda.threadIdx.x] = 1; }, /indices must be integers/],
    ['i32/u32 mix', function k(a: Uint32Array, b: Int32Array) { a[0] = (a[1] + b[0]) / 2; }, /mixes i32 and u32/, [new Uint32Array(2), new Int32Array(2)]],
    ['Math.random', function k(a: Float32Array) { a[0] = Math.random(); }, /Math\.random/],
    ['switch', function k(a: Float32Array) { switch (a.length) { case 1: a[0] = 1; } }, /switch/],
    ['kernel return value', function k(a: Float32Array) { a[0] = 1; return 3 as any; }, /cannot return a value/],
    ['&& on numbers as a value', function k(a: Float32Array) { a[0] = (a[1] && a[2]) as any; }, /only allow it on booleans/],
  ];
  for (const [construct, fn, msg, args] of cases) {
    it(construct, async () => {
      const e = await compileError(fn, args ?? [x]);
      expect(e.message).toMatch(msg);
      expect(e.file).toMatch(/errors\.test\.ts$/);
      expect(e.line).toBeGreaterThan(15);
      expect(e.frame).toContain('|');
      expect(e.stack).not.toMatch(/packages[\\/]core/);
    });
  }

  it('points at the exact line and column of the construct in a plain JS module', async () => {
    const { bad } = await import('./fixtures/bad-kernel.mjs');
    const e = await bad.inspect('ir', new Float32Array(4)).catch((err: Error) => err);
    expect(e).toBeInstanceOf(CompileError);
    expect(e.file).toMatch(/bad-kernel\.mjs$/);
    expect([e.line, e.column]).toEqual([7, 12]);
    expect(e.frame).toContain("> 7 |     a[i] = 'nope';");
    expect(e.message).toMatch(/strings are not supported in kernels\n  in kernel 'bad' at .*bad-kernel\.mjs:7:12/);
  });

  it('refuses a barrier under a thread-dependent condition', async () => {
    const e = await compileError(function k(a: Float32Array) {
      if (cuda.threadIdx.x < 16) cuda.syncthreads();
      a[0] = 1;
    }, [x]);
    expect(e.message).toMatch(/syncthreads\(\) is inside an if whose condition depends on the thread/);
  });

  it('refuses a barrier in a loop with a thread-dependent trip count', async () => {
    const e = await compileError(function k(a: Float32Array) {
      for (let j = 0; j < cuda.threadIdx.x; j++) cuda.syncthreads();
      a[0] = 1;
    }, [x]);
    expect(e.message).toMatch(/loop whose trip count depends on the thread/);
  });

  it('refuses recursion in device functions', async () => {
    const g: Record<string, unknown> = {};
    const f: any = cuda.jit(function down(n: number): number { return n <= 0 ? 0 : (g as any).self(n - 1); }, { device: true, globals: g });
    g.g = { self: f };
    const e = await compileError(function k(a: Float32Array) { a[0] = (g as any).self(3); }, [x], { globals: { g: { self: f } } });
    expect(e.message).toMatch(/recursion/);
  });

  it('refuses a plain JS function call', async () => {
    const helper = (v: number) => v * 2;
    const e = await compileError(function k(a: Float32Array) { a[0] = helper(2); }, [x], { globals: { helper } });
    expect(e.message).toMatch(/device: true/);
  });
});

