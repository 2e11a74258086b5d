// `throw new Error('…')` in a kernel ends the launch with a LaunchError that
// carries the message, the thread and the line, on every target that runs here
// (cuda's PTX: packages/cuda/test/syntax-ptx.test.ts).

import { describe, expect, it } from 'vitest';
import { cuda, CompileError, LaunchError, targetAvailability } from '@numbat/core';

function checked(a: Float32Array, o: Float32Array) {
  const i = cuda.grid(1);
  if (i < a.length) {
    if (a[i] < 0) throw new Error('negative input');
    o[i] = Math.sqrt(a[i]);
  }
}
const LINE = 11; // the throw above, in this file

const validate = cuda.jit((x: number) => { if (x > 100) throw new RangeError(`too large`); return x * 2; }, { device: true });

for (const target of ['sim', 'cpu', 'webgpu'] as const) {
  const avail = await targetAvailability(target);
  describe.skipIf(!avail.ok)(`throw in kernels on ${target}`, () => {
    it('rejects with the message, thread, block and line', async () => {
      const a = new Float32Array(300).fill(4);
      a[137 + 64] = -1; // thread 73 of block 1 with blocks of 128
      const e = await cuda.jit(checked, { target }).configure(3, 128)(a, new Float32Array(300)).then(() => undefined, (x) => x);
      expect(e).toBeInstanceOf(LaunchError);
      expect(e.message).toMatch(new RegExp(`kernel 'checked': Error: negative input \\(thrown on line ${LINE}\\), thread \\(73, 0, 0\\) of block \\(1, 0, 0\\)`));
      expect(e.detail).toMatchObject({ thrown: 'Error: negative input', line: LINE, thread: [73, 0, 0], block: [1, 0, 0] });
    });

    it('a launch where no thread throws runs normally', async () => {
      const a = Float32Array.from({ length: 300 }, (_, i) => i), o = new Float32Array(300);
      await cuda.jit(checked, { target }).configure(3, 128)(a, o);
      expect(o[289]).toBe(Math.fround(Math.sqrt(289)));
    });

    it('a throw inside a device function', async () => {
      const k = cuda.jit(function dev(o: Int32Array, big: number) { const i = cuda.grid(1); if (i < o.length) o[i] = validate(i === 5 ? big : i); }, { target, globals: { validate } });
      const o = new Int32Array(8);
      await k.configure(1, 8)(o, 7);
      expect(Array.from(o)).toEqual([0, 2, 4, 6, 8, 14, 12, 14]);
      await expect(k.configure(1, 8)(o, 1000)).rejects.toThrow(/RangeError: too large \(thrown on line \d+\), thread \(5, 0, 0\)/);
    });
  });
}

describe('throw is refused where it cannot report', () => {
  it('with boundscheck: false', async () => {
    await expect(cuda.jit(checked, { target: 'cpu', boundscheck: false }).inspect('ir', new Float32Array(1), new Float32Array(1))).rejects.toThrow(CompileError);
  });
  it('a message that is not a constant string', async () => {
    const k = cuda.jit(function bad(a: Float32Array) { throw new Error(`bad ${a[0]}`); }, { target: 'sim' });
    await expect(k.inspect('ir', new Float32Array(1))).rejects.toThrow(/the message must be a constant string/);
  });
});
