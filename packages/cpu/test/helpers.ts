// The IR builders for hand-written test kernels live with the shared LLVM lowering's tests.
export * from '../../llvm/test/helpers.js';

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
