// Runtime safety of target 'cpu' (issue 12): what a launch owns, queued
// launches, array length limits, scalar -0, u32 indices in errors, stopping a
// launch, and memory given back by dropped kernels. Probes that could crash
// or hang run in a child process (probes/*.mjs), so a crash fails the test
// instead of killing vitest.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cuda, LaunchError } from '@numbat/core';

const probe = (name: string, ...args: string[]): { status: number | null; signal: string | null; out: any; stderr: string; stdout: string } => {
  const file = fileURLToPath(new URL(`./probes/${name}.mjs`, import.meta.url));
  const r = spawnSync(process.execPath, ['--expose-gc', file, ...args], { encoding: 'utf8', timeout: 120_000 });
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? '';
  let out: any;
  try { out = JSON.parse(line); } catch { out = undefined; }
  return { status: r.status, signal: r.signal, out, stderr: r.stderr, stdout: r.stdout };
};

describe('cpu runtime safety', () => {
  it('a launch owns its memory: a buffer transferred away or shrunk while it runs is no crash', () => {
    const r = probe('memory-ownership');
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.out.transferred).toMatch(/LaunchError: kernel 'spin': array 'a' was transferred away or resized while the launch ran/);
    expect(r.out.shrunk).toMatch(/LaunchError: kernel 'spin': array 'a' was transferred away or resized while the launch ran/);
    expect(r.out.written).toBe(true);
  }, 130_000);

  it('launch-owned copies keep aliasing: one array passed twice, subarrays of one buffer', async () => {
    const k = cuda.jit(function alias(a: Float32Array, b: Float32Array) {
      const i = cuda.grid(1);
      if (i < a.length) { a[i] = a[i] + 1; b[i] = b[i] * 2; }
    }, { target: 'cpu' });
    const n = 8192; // the multi-threaded path, which copies host arrays
    const x = new Float32Array(n).map((_, i) => i);
    await k.configure(n / 128, 128)(x, x);
    expect(x.every((v, i) => v === (i + 1) * 2)).toBe(true);
    const buf = new Float32Array(2 * n).fill(3);
    await k.configure(n / 128, 128)(buf.subarray(0, n), buf.subarray(n));
    expect(buf.slice(0, n).every((v) => v === 4) && buf.slice(n).every((v) => v === 6)).toBe(true);
    // device arrays and SharedArrayBuffer-backed arrays are used in place
    const shared = new Float32Array(new SharedArrayBuffer(4 * n)).fill(1);
    await k.configure(n / 128, 128)(shared, shared);
    expect(shared.every((v) => v === 4)).toBe(true);
  });

  it('1000 un-awaited launches queue: all succeed, each with its own shared memory', async () => {
    const k = cuda.jit(function stamp(out: Int32Array, salt: number) {
      const s = cuda.shared.array(128, 'i32');
      const t = cuda.threadIdx.x;
      s[t] = salt + t;
      cuda.syncthreads();
      out[cuda.grid(1)] = s[127 - t];
    }, { target: 'cpu' });
    const blocks = 32, n = blocks * 128; // 4096 threads: the multi-threaded path
    const outs = Array.from({ length: 1000 }, () => new Int32Array(n));
    const results = await Promise.allSettled(outs.map((o, i) => k.configure(blocks, 128)(o, i * 1000)));
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)).slice(0, 3)).toEqual([]);
    let wrong = 0;
    outs.forEach((o, i) => o.forEach((v, j) => { if (v !== i * 1000 + 127 - (j % 128)) wrong++; }));
    expect(wrong).toBe(0);
  }, 120_000);

  it('an array longer than 2^31-1 elements is refused by name', () => {
    const r = probe('huge-array');
    expect(r.status, r.stderr).toBe(0);
    expect(r.out.r).toMatch(/LaunchError: kernel 'len': array 'big' \(argument 1\) has 2147483664 elements; target 'cpu' indexes arrays of at most 2\^31-1/);
  }, 130_000);

  it('a scalar argument -0 stays -0 (1 / x is -Infinity) on cpu as on sim', async () => {
    for (const target of ['sim', 'cpu'] as const) {
      const k = cuda.jit(function negz(x: number, out: Float64Array) { out[0] = 1 / x; }, { target });
      const out = new Float64Array(1);
      await k.configure(1, 1)(-0, out);
      expect(out[0], target).toBe(-Infinity);
    }
  });

  it('an out-of-bounds u32 index is reported as the unsigned number', async () => {
    for (const target of ['sim', 'cpu'] as const) {
      const k = cuda.jit(function uix(a: Float32Array, out: Float32Array) {
        const i = (0xffffffff + cuda.threadIdx.x) >>> 0;
        out[0] = a[i];
      }, { target });
      const err = await k.configure(1, 1)(new Float32Array(4), new Float32Array(1)).catch((e) => e);
      expect(err, target).toBeInstanceOf(LaunchError);
      expect(err.message, target).toMatch(/index 4294967295 out of bounds for array 'a' of length 4/);
      expect(err.detail.index, target).toBe(4294967295);
    }
    // and in a lane group (lane-linear index)
    const lanes = cuda.jit(function uixl(a: Float32Array) {
      const i = (cuda.grid(1) + 0xfffffff0) >>> 0;
      a[i] = 1;
    }, { target: 'cpu' });
    await expect(lanes.configure(1, 64)(new Float32Array(4))).rejects.toThrow(/index 4294967280 out of bounds for array 'a'/);
  });

  it('a launch stops on its signal or timeout; hung kernels starve nothing and the process can exit', () => {
    const r = probe('stop-launch');
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.out.aborted).toBe("LaunchError: kernel 'work': the launch was stopped: its signal aborted (enough)");
    expect(r.out.after).toBe('3,3');
    expect(r.out.preAborted).toMatch(/LaunchError: kernel 'work': the launch was stopped/);
    expect(r.out.hung1).toBe("LaunchError: kernel 'spin': the launch was stopped: its timeout passed");
    expect(r.out.hung2).toBe("LaunchError: kernel 'spin': the launch was stopped: its timeout passed");
    expect(r.out.fs).toBe(true);
    expect(r.stdout).toMatch(/exit listener ran/);
  }, 130_000);

  it('dropped kernels give their JIT code back', () => {
    const r = probe('kernel-memory', '12');
    expect(r.status, r.stderr).toBe(0);
    expect(r.out).toEqual({ compiled: 12, live: 0 });
  }, 130_000);

  it('signal and timeout together: whichever fires first stops the launch', async () => {
    const k = cuda.jit(function both(a: Int32Array) { a[cuda.threadIdx.x] = cuda.blockIdx.x; }, { target: 'cpu' });
    const a = new Int32Array(64).fill(-1);
    const ctl = new AbortController();
    const err = await k.configure(1 << 30, 64, { signal: ctl.signal, timeout: 30 })(a).catch((e) => e);
    expect(err).toBeInstanceOf(LaunchError);
    expect(err.message).toBe("kernel 'both': the launch was stopped: its timeout passed");
    expect(a[0]).toBe(-1); // a stopped launch writes nothing back
    await k.configure(1, 64, { signal: ctl.signal, timeout: 60_000 })(a); // neither fires: runs
    expect(a[0]).toBe(0);
  });

  it('launch options are checked', () => {
    const k = cuda.jit(function opt(a: Float32Array) { a[0] = 1; }, { target: 'cpu' });
    expect(() => k.configure(1, 1, { timeout: -1 })).toThrow(/'timeout' of kernel 'opt' must be a number of milliseconds/);
    expect(() => k.configure(1, 1, { signal: {} as AbortSignal })).toThrow(/'signal' of kernel 'opt' must be an AbortSignal/);
  });
});
