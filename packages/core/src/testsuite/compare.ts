// Result comparison for differential tests: ints exactly (or within intAtol),
// floats within atol + rtol·|want|; NaN matches NaN; with signedZero, -0 only
// matches -0.

// The random library's own plain-JS meaning of a state word as a float (a kept Box-Muller partner).
import { bitsF32, bitsF64 } from '../random/float-bits.js';

export interface Tolerance { rtol?: number; atol?: number; intAtol?: number; signedZero?: boolean }

export function mismatches(got: ArrayLike<number | bigint>, want: ArrayLike<number | bigint>, isFloat: boolean, f32: boolean, tol: Tolerance = {}): string[] {
  const rtol = tol.rtol ?? (f32 ? 1e-5 : 1e-12);
  const atol = tol.atol ?? (f32 ? 1e-6 : 1e-14);
  const bad: string[] = [];
  if (got.length !== want.length) return [`length ${got.length} != ${want.length}`];
  for (let i = 0; i < want.length; i++) {
    const g = got[i] as number, w = want[i] as number;
    // BigInts (i64/u64 arrays) match exactly.
    const ok = typeof g === 'bigint' || typeof w === 'bigint' ? g === w : isFloat
      // ±Infinity must match exactly (a relative tolerance of Infinity accepts anything).
      ? (Number.isNaN(w) ? Number.isNaN(g) : w === 0 && tol.signedZero ? Object.is(g, w) : g === w || (Number.isFinite(w) && Math.abs(g - w) <= atol + rtol * Math.abs(w)))
      : Math.abs(g - w) <= (tol.intAtol ?? 0);
    if (!ok && bad.length < 8) bad.push(`[${i}] got ${Object.is(g, -0) ? '-0' : g}, want ${Object.is(w, -0) ? '-0' : w}`);
  }
  return bad;
}

/**
 * Random generator states (random/states.ts) compared word for word, except where the first normal
 * of a Box-Muller pair kept its partner: an f32 normal in state word 6 or 8 (block word 0 or 2),
 * an f64 normal in words 6 and 7 (high word first). Like the normals themselves, these may differ
 * in their last bits between targets' log, sqrt, sin and cos, so they are compared as floats with
 * `tol`.
 */
export function stateMismatches(got: ArrayLike<number>, want: ArrayLike<number>, stateWords: number, tol: Tolerance = {}): string[] {
  if (got.length !== want.length) return [`length ${got.length} != ${want.length}`];
  const n = Math.floor(want.length / stateWords);
  const rtol = tol.rtol ?? 1e-5, atol = tol.atol ?? 1e-6;
  const close = (g: number, w: number): boolean => Number.isFinite(w) && Math.abs(g - w) <= atol + rtol * Math.abs(w);
  const bad: string[] = [];
  for (let i = 0; i < n && bad.length < 8; i++) {
    const at = (a: ArrayLike<number>, w: number): number => a[w * n + i];
    const f64Kept = close(bitsF64(at(got, 6), at(got, 7)), bitsF64(at(want, 6), at(want, 7)));
    for (let w = 0; w < stateWords; w++) {
      const g = at(got, w), v = at(want, w);
      if (g === v) continue;
      if ((w === 6 || w === 8) && close(bitsF32(g), bitsF32(v))) continue;
      if ((w === 6 || w === 7) && f64Kept) continue;
      bad.push(`[${w * n + i}] (thread ${i}, word ${w}) got ${g}, want ${v}`);
    }
  }
  for (let k = n * stateWords; k < want.length && bad.length < 8; k++) if (got[k] !== want[k]) bad.push(`[${k}] got ${got[k]}, want ${want[k]}`);
  return bad;
}

export function cloneArgs<T extends unknown[]>(args: T): T {
  return args.map((a) => (ArrayBuffer.isView(a) ? (a as any).slice() : a)) as T;
}
