import { cuda, u32 } from '@numbat/core';
import { ramp, type CorpusCase } from './types.js';

// Regressions found by the kernel fuzzer (test/fuzz, issue 11) in the frontend and
// the simulator. The references run the kernels' JavaScript meaning.

export const regressFuzzCore: CorpusCase[] = [
  {
    name: 'fuzz_u32_constant_unsigned_shift',
    covers: ['a constant `n >>> 0` is a u32 (not an abstract literal, which alone is i32): next to u32 operands, in ?: arms, in a u32 local'],
    kernel: function u32Const(oU: Uint32Array, b: Int32Array) {
      const i = cuda.grid(1);
      if (i >= oU.length / 4) return;
      const v = 2 >>> 0;
      oU[i * 4] = oU[i * 4] + v;
      let w = u32(0);
      w = i > 3 ? (5 >>> 0) : (-1 >>> 0);
      oU[i * 4 + 1] = w;
      const q = ((2147483647 >>> 0) / (1000000 >>> 0)) >>> 0;
      oU[i * 4 + 2] = q % u32(7) + (w !== (0 >>> 0) ? u32(1) : u32(0));
      b[i] = ((true ? (0 >>> 0) : (31 >>> 0)) !== u32(1)) ? 1 : 0;
    },
    grid: 1, block: 8,
    args: () => [ramp(32, (i) => 4294967290 + i, Uint32Array), new Int32Array(8)],
    reference: ([oU, b]: any) => {
      for (let i = 0; i < 8; i++) {
        oU[i * 4] = oU[i * 4] + 2;
        oU[i * 4 + 1] = i > 3 ? 5 : -1 >>> 0;
        oU[i * 4 + 2] = (2147 % 7) + 1;
        b[i] = 1;
      }
    },
    outputs: [0, 1],
  },
];
