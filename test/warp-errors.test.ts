// Warp functions used wrongly: the simulator reports a mask that names a lane
// which cannot take part (absent, exited, elsewhere, or not the caller); targets
// that emulate warps refuse thread-dependent control with a CompileError naming
// the function, the target and the line; unsupported operand types are refused.

import { describe, expect, it } from 'vitest';
import { cuda, CompileError, LaunchError } from '@numbat/core';

describe('warp functions on the simulator: masks', () => {
  it('a full mask in a partial last warp names the absent lanes', async () => {
    const k = cuda.jit(function absent(a: Int32Array) {
      const i = cuda.grid(1);
      a[i] = cuda.shfl_down_sync(0xffffffff, i, 1);
    }, { target: 'sim' });
    const err = await k.configure(1, 40)(new Int32Array(40)).catch((e) => e);
    expect(err).toBeInstanceOf(LaunchError);
    expect(err.message).toMatch(/thread \(32, 0, 0\) calls cuda\.shfl_down_sync\(\) on line \d+ with mask 0xffffffff, which names lane 8, which this block does not have \(40 threads/);
  });

  it('a mask that names an exited lane', async () => {
    const k = cuda.jit(function exited(a: Int32Array) {
      const i = cuda.grid(1);
      if (i === 3) return;
      a[i] = cuda.ballot_sync(0xffffffff, true);
    }, { target: 'sim' });
    await expect(k.configure(1, 32)(new Int32Array(32))).rejects.toThrow(/cuda\.ballot_sync\(\) .* names lane 3, thread \(3, 0, 0\), which has exited/);
  });

  it('a mask that names a lane waiting at another warp function', async () => {
    const k = cuda.jit(function elsewhere(a: Int32Array) {
      const i = cuda.grid(1);
      if (i < 16) a[i] = cuda.shfl_xor_sync(0xffffffff, i, 1);
      else a[i] = cuda.shfl_xor_sync(0xffffffff, i, 2);
    }, { target: 'sim' });
    await expect(k.configure(1, 32)(new Int32Array(32))).rejects.toThrow(/names lane 16, thread \(16, 0, 0\), which waits at cuda\.shfl_xor_sync on line \d+ instead/);
  });

  it('a mask without the calling lane', async () => {
    const k = cuda.jit(function notMe(a: Int32Array) {
      const i = cuda.grid(1);
      a[i] = cuda.shfl_sync(0x0000ffff, i, 0);
    }, { target: 'sim' });
    await expect(k.configure(1, 32)(new Int32Array(32))).rejects.toThrow(/mask 0x0000ffff, which does not name the calling lane 16 itself/);
  });

  it('divergent arms with their own masks run (CUDA independent scheduling)', async () => {
    const k = cuda.jit(function halves(a: Int32Array) {
      const i = cuda.grid(1);
      if (i < 16) a[i] = cuda.shfl_xor_sync(0x0000ffff, i, 1);
      else a[i] = cuda.shfl_down_sync(0xffff0000, i, 1);
    }, { target: 'sim' });
    const a = new Int32Array(32);
    await k.configure(1, 32)(a);
    expect(Array.from(a)).toEqual(Array.from({ length: 32 }, (_, i) => (i < 16 ? i ^ 1 : i < 31 ? i + 1 : i)));
  });
});

describe('warp functions where warps are emulated (cpu)', () => {
  it('refuses a warp function under a thread-dependent if, naming it, the target and the line', async () => {
    const k = cuda.jit(function divergent(a: Int32Array) {
      const i = cuda.grid(1);
      if (i < 16) a[i] = cuda.shfl_xor_sync(0x0000ffff, i, 1);
    }, { target: 'cpu' });
    const err = await k.configure(1, 32)(new Int32Array(32)).catch((e) => e);
    expect(err).toBeInstanceOf(CompileError);
    expect(err.message).toMatch(/cuda\.shfl_xor_sync\(\) is inside an if whose condition depends on the thread .*Target 'cpu' has no native warps/s);
    expect(err.message).toMatch(/if \(i < 16\) a\[i\] = cuda\.shfl_xor_sync/);
  });

  it('refuses a warp function after a return that only some threads take', async () => {
    const k = cuda.jit(function afterReturn(a: Int32Array) {
      const i = cuda.grid(1);
      if (i >= a.length) return;
      a[i] = cuda.ballot_sync(cuda.activemask(), a[i] > 0);
    }, { target: 'cpu' });
    await expect(k.configure(1, 32)(new Int32Array(20))).rejects.toThrow(/cuda\.activemask\(\) is after a return under an if whose condition depends on the thread/);
  });
});

describe('warp function operands', () => {
  it('match_any_sync refuses floats, shuffles refuse booleans, arity is checked', async () => {
    const m = cuda.jit(function matchF(a: Float32Array, o: Uint32Array) { o[0] = cuda.match_any_sync(0xffffffff, a[0]); }, { target: 'sim' });
    await expect(m.configure(1, 32)(new Float32Array(1), new Uint32Array(1))).rejects.toThrow(/cuda\.match_any_sync compares i32 or u32 values .* this value is f32/);
    const s = cuda.jit(function shflB(o: Int32Array) { o[0] = cuda.shfl_sync(0xffffffff, o[0] > 0, 0) ? 1 : 0; }, { target: 'sim' });
    await expect(s.configure(1, 32)(new Int32Array(1))).rejects.toThrow(/cuda\.shfl_sync shuffles an i32, u32, f32 or f64 value; this value is bool/);
    const n = cuda.jit(function arity(o: Int32Array) { o[0] = cuda.shfl_sync(0xffffffff, 1); }, { target: 'sim' });
    await expect(n.configure(1, 32)(new Int32Array(1))).rejects.toThrow(/cuda\.shfl_sync\(mask, value, srcLane\) takes 3 argument/);
  });
});
