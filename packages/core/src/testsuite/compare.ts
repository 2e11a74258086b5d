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

export function cloneArgs<T extends unknown[]>(args: T): T {
  return args.map((a) => (ArrayBuffer.isView(a) ? (a as any).slice() : a)) as T;
}
