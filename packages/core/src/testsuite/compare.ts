// Result comparison for differential tests: ints exactly (or within intAtol),
// floats within atol + rtol·|want|; NaN matches NaN; with signedZero, -0 only
// matches -0.

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
 * Random generator states (random/states.ts) compared word for word, except a slot where the
 * first normal of a Box-Muller pair kept its partner (block words 0 and 2: state words 6 and 8):
 * there an f32 normal, which like the normals themselves may differ in its last bits between
 * targets' log, sqrt, sin and cos, so it is compared as a float with `tol`.
 */
export function stateMismatches(got: ArrayLike<number>, want: ArrayLike<number>, stateWords: number, tol: Tolerance = {}): string[] {
  if (got.length !== want.length) return [`length ${got.length} != ${want.length}`];
  const n = Math.floor(want.length / stateWords);
  const rtol = tol.rtol ?? 1e-5, atol = tol.atol ?? 1e-6;
  const bad: string[] = [];
  for (let k = 0; k < want.length && bad.length < 8; k++) {
    const g = got[k], w = want[k];
    if (g === w) continue;
    const word = Math.floor(k / Math.max(n, 1));
    const [gf, wf] = [asF32(g), asF32(w)];
    if ((word === 6 || word === 8) && Number.isFinite(wf) && Math.abs(gf - wf) <= atol + rtol * Math.abs(wf)) continue;
    bad.push(`[${k}] (thread ${k % n}, word ${word}) got ${g}, want ${w}`);
  }
  return bad;
}

const F32 = new Float32Array(1), U32 = new Uint32Array(F32.buffer);
function asF32(w: number): number {
  U32[0] = w;
  return F32[0];
}

export function cloneArgs<T extends unknown[]>(args: T): T {
  return args.map((a) => (ArrayBuffer.isView(a) ? (a as any).slice() : a)) as T;
}
