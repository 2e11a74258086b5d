// Shared by the execution tests: the adapter (or why there is none) and a
// differential runner against the reference simulator.

import { cuda, targetAvailability, type JitOptions } from '@numbat/core';

export const avail = await targetAvailability('webgpu');
/** Suite title that says why it is skipped when no adapter can be had. */
export const onGpu = (what: string): string => (avail.ok ? `${what} (webgpu on ${avail.device})` : `${what} (skipped: ${avail.reason})`);

export type Arg = number | boolean | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;

/** Runs `fn` on webgpu and on the simulator (float f32) with copies of the same arguments. */
export async function both(fn: (...a: any[]) => void, grid: any, block: any, args: () => Arg[], options: JitOptions = {}, sharedMem = 0): Promise<{ gpu: Arg[]; sim: Arg[] }> {
  const gpu = args(), sim = args();
  await cuda.jit(fn, { ...options, target: 'webgpu' }).configure(grid, block, { sharedMem })(...gpu);
  await cuda.jit(fn, { ...options, target: 'sim', float: 'f32' }).configure(grid, block, { sharedMem })(...sim);
  return { gpu, sim };
}

/** Float comparison for f32 results: NaN with NaN, infinities and signed zeros exactly, else relative. */
export function f32Mismatches(got: ArrayLike<number>, want: ArrayLike<number>, rtol = 2e-6, labels?: (i: number) => string): string[] {
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    let ok: boolean;
    if (Number.isNaN(w)) ok = Number.isNaN(g);
    else if (!Number.isFinite(w) || w === 0) ok = Object.is(g, w);
    else ok = Math.abs(g - w) <= rtol * Math.abs(w) + 1e-37;
    if (!ok) bad.push(`${labels ? labels(i) : `[${i}]`}: got ${Object.is(g, -0) ? '-0' : g}, want ${Object.is(w, -0) ? '-0' : w}`);
  }
  return bad;
}

/** One f32 ulp at v (v rounded to f32 first); 2^-149 for a subnormal or zero v. */
export function f32Ulp(v: number): number {
  const a = Math.abs(Math.fround(v));
  if (a < 1.1754943508222875e-38) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}
