// The IR builders for hand-written test kernels live with the shared LLVM lowering's tests.
export * from '../../llvm/test/helpers.js';
import { cuda, random } from '@numbat/core';

/**
 * A loop of uniforms that draws a second uniform when the first is below a half: its threads'
 * positions part within the loop (lane-budget.test.ts, draw-lookahead.test.ts). No guard: a state
 * for every launched thread.
 */
export function drawWhenLow(states: Uint32Array, out: Float32Array, trips: number) {
  const i = cuda.grid(1);
  let f = 0;
  for (let k = 0; k < trips; k++) {
    const u = random.uniformF32(states, i);
    if (u < 0.5) f += random.uniformF32(states, i);
  }
  out[i] = f;
}

/** `f` with NUMBAT_CPU_LANES set to `lanes` (unset: undefined), the variable restored after it. */
export async function withLanes<R>(lanes: string | undefined, f: () => Promise<R>): Promise<R> {
  const before = process.env.NUMBAT_CPU_LANES;
  if (lanes === undefined) delete process.env.NUMBAT_CPU_LANES;
  else process.env.NUMBAT_CPU_LANES = lanes;
  try {
    return await f();
  } finally {
    if (before === undefined) delete process.env.NUMBAT_CPU_LANES;
    else process.env.NUMBAT_CPU_LANES = before;
  }
}
