// Warp functions used wrongly: the simulator reports a mask that names a lane
// which cannot take part (absent, exited, elsewhere, or not the caller); targets
// that emulate warps if-convert thread-dependent control around warp functions
// (and refuse a barrier that would need it); unsupported operand types are refused.

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

describe('warp functions where warps are emulated (cpu): thread-dependent control', () => {
  it('a warp function under a thread-dependent if runs, the other lanes keep their values', async () => {
    const k = cuda.jit(function divergent(a: Int32Array) {
      const i = cuda.grid(1);
      if (i < 16) a[i] = cuda.shfl_xor_sync(0x0000ffff, i, 1);
    }, { target: 'cpu' });
    const a = new Int32Array(32).fill(-1);
    await k.configure(1, 32)(a);
    expect(Array.from(a)).toEqual(Array.from({ length: 32 }, (_, i) => (i < 16 ? i ^ 1 : -1)));
  });

  it('after a return that only some threads take, activemask() names the lanes still running', async () => {
    const k = cuda.jit(function afterReturn(a: Int32Array, m: Uint32Array) {
      const i = cuda.grid(1);
      if (i >= a.length) return;
      m[i] = cuda.ballot_sync(cuda.activemask(), a[i] > 0);
    }, { target: 'cpu' });
    const a = Int32Array.from({ length: 20 }, (_, i) => i % 3);
    const m = new Uint32Array(32);
    await k.configure(1, 32)(a, m);
    let want = 0;
    a.forEach((x, i) => { if (x > 0) want |= 1 << i; });
    expect(Array.from(m.slice(0, 20))).toEqual(new Array(20).fill(want >>> 0));
    expect(Array.from(m.slice(20))).toEqual(new Array(12).fill(0));
  });

  it('a mask that names lanes which do not take part: the simulator refuses it, emulation leaves those lanes out', async () => {
    const kernel = function notThere(a: Int32Array) {
      const i = cuda.grid(1);
      if (i < 16) a[i] = cuda.shfl_xor_sync(0xffffffff, i, 16) * 100 + cuda.ballot_sync(0xffffffff, true);
    };
    const onSim = cuda.jit(kernel, { target: 'sim' });
    await expect(onSim.configure(1, 32)(new Int32Array(32))).rejects.toThrow(LaunchError);
    const a = new Int32Array(32);
    await cuda.jit(kernel, { target: 'cpu' }).configure(1, 32)(a);
    expect(Array.from(a.slice(0, 16))).toEqual(Array.from({ length: 16 }, (_, i) => i * 100 + 0xffff));
  });

  it('kernels whose warp functions every thread reaches get no predication', async () => {
    const k = cuda.jit(function uniform(a: Int32Array) {
      const i = cuda.grid(1);
      if (i >= a.length) a[0] = 0;
      a[i] = cuda.shfl_down_sync(0xffffffff, a[i], 1);
    }, { target: 'cpu' });
    const ir = await k.inspect('ir', new Int32Array(32));
    expect(ir).toMatch(/warp_exchange_i32/);
    expect(ir).not.toMatch(/warp_active|warp_running|warp_if|warp_exited/);
  });

  it('the predicated kernel shows in inspect(\'ir\'): the if as a flag, the loop as a block-wide vote', async () => {
    const k = cuda.jit(function shown(a: Int32Array, n: Int32Array) {
      const i = cuda.grid(1);
      for (let j = 0; j < n[i]; j++) if (cuda.laneid < 8) a[i] += cuda.shfl_down_sync(0x000000ff, a[i], 1);
    }, { target: 'cpu' });
    const ir = await k.inspect('ir', new Int32Array(32), new Int32Array(32));
    expect(ir).toMatch(/warp_if\.\d+: bool/);
    expect(ir).toMatch(/warp_running\.\d+: bool/);
    expect(ir).toMatch(/shared warp_loop_any#\d+: i32\[1\] atomic/);
    expect(ir).toMatch(/warp_exchange_active/);
  });

  it('a barrier inside a thread-dependent if that must be if-converted is refused, naming it and the target', async () => {
    const k = cuda.jit(function barrierInIf(a: Int32Array, n: number) {
      const i = cuda.grid(1);
      if (i >= n) return;
      if (n > 4) {
        cuda.syncthreads();
        a[i] = cuda.shfl_xor_sync(cuda.activemask(), a[i], 1);
      }
    }, { target: 'cpu' });
    const err = await k.configure(1, 32)(new Int32Array(32), 32).catch((e) => e);
    expect(err).toBeInstanceOf(CompileError);
    expect(err.message).toMatch(/cuda\.syncthreads\(\) is inside an if that target 'cpu' runs for every thread/);
  });
});

describe('warp function operands', () => {
  it('match_any_sync refuses floats, shuffles refuse booleans, arity is checked', async () => {
    const m = cuda.jit(function matchF(a: Float32Array, o: Uint32Array) { o[0] = cuda.match_any_sync(0xffffffff, a[0]); }, { target: 'sim' });
    await expect(m.configure(1, 32)(new Float32Array(1), new Uint32Array(1))).rejects.toThrow(/cuda\.match_any_sync compares i32, u32, i64 or u64 values .* this value is f32/);
    const s = cuda.jit(function shflB(o: Int32Array) { o[0] = cuda.shfl_sync(0xffffffff, o[0] > 0, 0) ? 1 : 0; }, { target: 'sim' });
    await expect(s.configure(1, 32)(new Int32Array(1))).rejects.toThrow(/cuda\.shfl_sync shuffles an i32, u32, i64, u64, f32 or f64 value; this value is bool/);
    const n = cuda.jit(function arity(o: Int32Array) { o[0] = cuda.shfl_sync(0xffffffff, 1); }, { target: 'sim' });
    await expect(n.configure(1, 32)(new Int32Array(1))).rejects.toThrow(/cuda\.shfl_sync\(mask, value, srcLane\) takes 3 argument/);
  });
});
