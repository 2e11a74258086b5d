// Multi-dimensional shared and local arrays are bounds-checked per subscript
// against its own extent (numba's debug mode), not only on the flat index
// (issue 12 item 7): `s[0][8]` on a [4, 8] array would otherwise read s[1][0].
// Every target reports it as a LaunchError naming kernel, array, index and thread.

import { describe, expect, it } from 'vitest';
import { cuda, f32, i32, LaunchError, targetAvailability, type Target } from '@numbat/core';

const TARGETS: Target[] = ['sim', 'cpu', 'webgpu'];
const avail = await Promise.all(TARGETS.map((t) => targetAvailability(t)));

function row8(o: Float32Array, j: number) {
  const s = cuda.shared.array([4, 8], f32);
  s[0][j] = 1;
  o[0] = s[1][0];
}
function negCol(o: Float32Array, j: number) {
  const s = cuda.shared.array([4, 8], f32);
  s[1][j] = 1;
  o[0] = s[0][7];
}
function cube(o: Float32Array, j: number) {
  const s = cuda.shared.array([2, 3, 4], i32);
  o[0] = s[0][j][0]; // [0][3][0] is flat 12, inside the array
}
function local2d(o: Float32Array, j: number) {
  const l = cuda.local.array([3, 3], f32);
  l[0][j] = 1;
  o[0] = l[1][0];
}
function atomic2d(o: Float32Array, j: number) {
  const s = cuda.shared.array([4, 8], i32);
  cuda.atomic.add(s, [j, 8], 1);
  o[0] = s[1][0];
}
function perThread(o: Float32Array) {
  const s = cuda.shared.array([4, 8], f32);
  const t = cuda.threadIdx.x;
  s[0][t] = t;
  cuda.syncthreads();
  o[t] = s[0][t];
}

TARGETS.forEach((target, ti) => {
  const a = avail[ti];
  describe.skipIf(!a.ok)(`${target}${a.ok ? '' : ` (skipped: ${a.reason})`}`, () => {
    const launch = (fn: (...args: any[]) => void, block: number, ...args: unknown[]) => cuda.jit(fn, { target }).configure(1, block)(...args);

    it('s[0][8] on a [4, 8] shared array: index past its extent', async () => {
      const err = await launch(row8, 1, new Float32Array(1), 8).catch((e) => e);
      expect(err).toBeInstanceOf(LaunchError);
      expect(err.message).toMatch(/kernel 'row8': index 32 out of bounds for array 's' of length 32 \(line \d+\), thread \(0, 0, 0\) of block \(0, 0, 0\)/);
    });

    it('s[1][-1] reports the negative subscript', async () => {
      const err = await launch(negCol, 1, new Float32Array(1), -1).catch((e) => e);
      expect(err).toBeInstanceOf(LaunchError);
      expect(err.message).toMatch(/kernel 'negCol': index -1 out of bounds for array 's'/);
    });

    it('3-D, local 2-D and a 2-D atomic', async () => {
      await expect(launch(cube, 1, new Float32Array(1), 3)).rejects.toThrow(/kernel 'cube': index 24 out of bounds for array 's' of length 24/);
      await expect(launch(local2d, 1, new Float32Array(1), 3)).rejects.toThrow(/kernel 'local2d': index 9 out of bounds for array 'l' of length 9/);
      await expect(launch(atomic2d, 1, new Float32Array(1), 0)).rejects.toThrow(/kernel 'atomic2d': index 32 out of bounds for array 's'/);
    });

    it('the thread whose subscript is out of range is named', async () => {
      const err = await launch(perThread, 9, new Float32Array(9)).catch((e) => e);
      expect(err).toBeInstanceOf(LaunchError);
      expect(err.message).toMatch(/index 32 out of bounds for array 's' of length 32 .*thread \(8, 0, 0\)/);
    });

    it('in-range subscripts still work', async () => {
      const o = new Float32Array(8);
      await launch(perThread, 8, o);
      expect(Array.from(o)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    });
  });
});

describe('boundscheck: false keeps multi-dimensional indexing free of checks', () => {
  it.skipIf(!avail[TARGETS.indexOf('cpu')].ok)('the IR of a cpu kernel has no per-subscript test', async () => {
    const k = cuda.jit(row8, { target: 'cpu', boundscheck: false });
    const checked = cuda.jit(row8, { target: 'cpu' });
    const off = await k.inspect('ir', new Float32Array(1), 8);
    const on = await checked.inspect('ir', new Float32Array(1), 8);
    expect(off).not.toMatch(/\?/);
    expect(on).toMatch(/\?/);
  });
});
