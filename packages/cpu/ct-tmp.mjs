import { cuda } from '@numbat/core';
import { compileRecords } from '@numbat/cpu';
import { monteCarloPi, blockReduce } from '../../bench/cpu/kernels.mjs';
for (const [fn, args] of [[monteCarloPi, [new Uint32Array(16), new Uint32Array(16), 1]], [blockReduce, [new Float32Array(16), new Float32Array(16)]]]) {
  for (let r = 0; r < 3; r++) { await cuda.jit(fn, { target: 'cpu' }).inspect('llvm', ...args); }
  const rec = compileRecords().at(-1); console.log(fn.name, Object.entries(rec.timings).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', '));
}
