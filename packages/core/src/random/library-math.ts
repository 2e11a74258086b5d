// f64 log, sin and cos for core's random library only (states.ts normalF64):
// any result within 2 ulp is their meaning, so a target declaring
// 'math-f64-ulp' (cpu: libm, and its vector kernels in lane groups; cuda with
// libdevice, whose sin and cos are within 2 ulp) keeps its own function
// instead of core's f64 library (V8's bits, fdlibm.ts), whose general paths
// (huge arguments, special values) the normals never take but a lane group
// would have to carry. The frontend lowers them to Math's calls
// marked `ulp` (frontend/library-math.ts); not user syntax. Plain JavaScript
// meaning: Math's own.

export function ulpLog(x: number): number {
  return Math.log(x);
}

export function ulpSin(x: number): number {
  return Math.sin(x);
}

export function ulpCos(x: number): number {
  return Math.cos(x);
}
