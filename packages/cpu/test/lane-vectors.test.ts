// Lane groups as LLVM vectors (codegen/lane-vectors.ts): the generated IR
// holds the varying arithmetic, the gathers and the consecutive accesses as
// <W x T> operations, and the results are the simulator's (wrapping integer
// ops, umulhi, division by zero, ToInt32, gathers under a mask, narrow arrays).
import { describe, expect, it } from 'vitest';
import { cuda, f32 } from '@numbat/core';

function gatherMix(src: Uint32Array, idx: Int32Array, bytes: Int8Array, out: Uint32Array, fout: Float32Array, n: number) {
  const i = cuda.grid(1);
  if (i >= n) return;
  let x = src[i] >>> 0, k = 0x9E3779B9;
  for (let r = 0; r < 6; r++) {
    const hi = cuda.umulhi(x, 0xD2511F53) >>> 0;
    x = (hi ^ k ^ Math.imul(x, 0xCD9E8D57)) >>> 0;
    k = (k + 0xBB67AE85) >>> 0;
  }
  const j = idx[i];
  let v = 0;
  if (j % 3 !== 0) v = (src[j] | 0) + bytes[i]; // a gather under a varying mask
  const q = ((x | 0) / ((j % 5) - 2)) | 0; // includes x / 0
  out[i] = ((x | 0) + v + q) >>> 0;
  fout[i] = f32(f32(x >>> 8) * 5.9604644775390625e-8 * 3.5 - 1.25) | 0;
}

describe('cpu lane groups build LLVM vectors', () => {
  it('varying arithmetic, umulhi, gathers and narrow loads as vector code, with the simulator results', async () => {
    const n = 203;
    const make = () => {
      const src = new Uint32Array(256), idx = new Int32Array(256), bytes = new Int8Array(256);
      for (let k = 0; k < 256; k++) { src[k] = (k * 2654435761) >>> 0; idx[k] = (k * 37 + 11) % 256; bytes[k] = (k * 7) - 128; }
      return [src, idx, bytes, new Uint32Array(256), new Float32Array(256), n];
    };
    const cpu = cuda.jit(gatherMix, { target: 'cpu' }).configure(4, 64);
    const sim = cuda.jit(gatherMix, { target: 'sim' }).configure(4, 64);
    const got = make(), want = make();
    await cpu(...got);
    await sim(...want);
    expect(Array.from(got[3] as Uint32Array)).toEqual(Array.from(want[3] as Uint32Array));
    expect(Array.from(got[4] as Float32Array)).toEqual(Array.from(want[4] as Float32Array));
    const llvm = await cuda.jit(gatherMix, { target: 'cpu' }).inspect('llvm', ...make());
    const W = llvm.match(/<(\d+) x i32>/)?.[1];
    expect(W, 'a vector type in the lane code').toBeDefined();
    // umulhi once for all lanes: widened, or on x86 the even/odd product kernel (lane-math-ir.ts)
    expect(llvm).toMatch(new RegExp(`mul <${W} x i64>|call <${W} x i32> @numbat_vmath_umulhi_v${W}i32\\(`));
    expect(llvm).toMatch(/@llvm\.masked\.gather\./);
    expect(llvm).toMatch(/@llvm\.masked\.load\./);
  });
});
