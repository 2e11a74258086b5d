// Every atomic operation on every element type it takes, on global and shared arrays, as a
// statement and as a value, compiles to PTX that ptxas accepts. The kernel fuzzer found
// `cuda.atomic.sub` on f32/f64 aborting the process on cuda ("LLVM ERROR: Cannot select":
// LLVM 14's NVPTX has no `atomicrmw fsub`), which the corpus, with float atomic adds only,
// never reached. No GPU needed.

import { describe, it } from 'vitest';
import { cuda } from '@numbat/core';
import { assemblePtx, findPtxas } from './helpers.js';

const ptxas = findPtxas();
const INT_OPS = ['add', 'sub', 'and', 'or', 'xor', 'exch', 'min', 'max', 'nanmin', 'nanmax', 'cas'];
const FLOAT_OPS = ['add', 'sub', 'exch', 'min', 'max', 'nanmin', 'nanmax', 'cas'];
const ELEMS = {
  i32: [Int32Array, 3], u32: [Uint32Array, 3], i64: [BigInt64Array, 3n], u64: [BigUint64Array, 3n],
  f32: [Float32Array, 1.5], f64: [Float64Array, 1.5],
} as const;
const DTYPE = { i32: 'int32', u32: 'uint32', i64: 'int64', u64: 'uint64', f32: 'float32', f64: 'float64' };

/** A kernel applying `op` to `a` (or a shared copy of it) as a statement and as a value. */
function kernel(op: string, elem: keyof typeof ELEMS, shared: boolean): Function {
  const args = op === 'cas' ? 'v, w' : 'v';
  const arr = shared ? 's' : 'a';
  return new Function(`return function atomic_${op}_${elem}${shared ? '_shared' : ''}(a, out, v, w) {
    const i = cuda.grid(1);
    ${shared ? `const s = cuda.shared.array(32, '${DTYPE[elem]}'); s[cuda.threadIdx.x] = a[i]; cuda.syncthreads();` : ''}
    cuda.atomic.${op}(${arr}, i & 31, ${args});
    out[i] = cuda.atomic.${op}(${arr}, (i + 1) & 31, ${args});
  }`)();
}

describe.skipIf(!ptxas)(`ptxas accepts every atomic operation's PTX${ptxas ? '' : ' (skipped: ptxas not found; install the CUDA toolkit or set PTXAS)'}`, () => {
  for (const [elem, [T, v]] of Object.entries(ELEMS) as [keyof typeof ELEMS, (typeof ELEMS)[keyof typeof ELEMS]][]) {
    const ops = elem.startsWith('f') ? FLOAT_OPS : [...INT_OPS, ...(elem === 'u32' ? ['inc', 'dec'] : [])];
    for (const shared of [false, true]) {
      it(`${elem} ${shared ? 'shared' : 'global'}: ${ops.join(' ')}`, async () => {
        for (const op of ops) {
          const k = cuda.jit(kernel(op, elem, shared), { target: 'cuda' });
          const ptx = await k.inspect('ptx', new T(32), new T(32), v, v);
          assemblePtx(ptxas!, String(ptx), `atomic_${op}_${elem}`);
        }
      });
    }
  }
});
