// Huge arguments for sin, cos and tan (|x| ≥ 2^19 π, where fdlibm reduces with the digits of
// 2/π): random over every exponent, dense just past 2^19 π, the doubles nearest multiples of π/2 up to 1e308 and their
// neighbours, the largest doubles, powers of two, and the hard cases of Payne–Hanek reduction:
// for each exponent, the doubles m 2^e (m < 2^53) whose m 2^e 2/π is nearest an integer,
// from the continued fraction of frac(2^e 2/π) (these make the leading digits cancel, so
// fdlibm's recompute runs). Deterministic.

import { rng } from './inputs.mjs';

const BITS = 2400n, ONE = 1n << BITS;
const atanInv = (m) => {
  let sum = 0n, term = ONE / m, k = 1n, sign = 1n;
  while (term !== 0n) { sum += sign * (term / k); term /= m * m; k += 2n; sign = -sign; }
  return sum;
};
const PI = 16n * atanInv(5n) - 4n * atanInv(239n); // π 2^BITS
const TWO_OVER_PI = (ONE * ONE * 2n) / PI; // 2/π 2^BITS

/** Denominators below 2^53 of the convergents of frac(2^e 2/π) (e ≥ 0). */
function convergentDenominators(e) {
  let num = (TWO_OVER_PI << BigInt(e)) % ONE, den = ONE; // the fraction num/den
  const out = [];
  let q0 = 0n, q1 = 1n; // q_{k-1}, q_k
  for (let steps = 0; steps < 80 && num !== 0n; steps++) {
    const a = den / num;
    [num, den] = [den % num, num];
    const q2 = a * q1 + q0;
    if (q2 >= 1n << 53n) break;
    out.push(q2);
    [q0, q1] = [q1, q2];
  }
  return out;
}

const nextUp = (x) => { const v = new DataView(new ArrayBuffer(8)); v.setFloat64(0, x); v.setBigUint64(0, v.getBigUint64(0) + 1n); return v.getFloat64(0); };
const nextDown = (x) => { const v = new DataView(new ArrayBuffer(8)); v.setFloat64(0, x); v.setBigUint64(0, v.getBigUint64(0) - 1n); return v.getFloat64(0); };
const LOW = 1647100; // just above 2^19 π (high word 0x413921fc)

export function hugeTrigInputs(n = 24000, seed = 7) {
  const r = rng(seed);
  const xs = [];
  const push = (x) => { if (Number.isFinite(x) && Math.abs(x) >= LOW) xs.push(r() < 0.5 ? x : -x); };
  // Payne–Hanek's hard cases: m 2^e nearest multiples of π/2, for exponents over the whole range
  for (let e = -30; e <= 970; e += 3) {
    for (const q of convergentDenominators(Math.max(e, 0)).slice(-4)) {
      const x = Number(q) * 2 ** (e < 0 ? 0 : e);
      push(x); push(nextUp(x)); push(nextDown(x));
    }
  }
  push(6381956970095103 * 2 ** 797); // the double nearest a multiple of π/2 (Muller)
  // the largest doubles, powers of two
  for (let x = Number.MAX_VALUE, i = 0; i < 200; i++, x = nextDown(x)) push(x);
  for (let e = 21; e <= 1023; e++) { push(2 ** e); push(nextUp(2 ** e)); push(nextDown(2 ** e)); }
  // the doubles nearest k π/2, k up to 1e308 / (π/2), and their neighbours
  const quarter = Math.floor((n - xs.length) / 3);
  for (let i = 0; i < quarter / 3; i++) {
    const k = Math.floor(2 ** (21 + r() * 1000)) || 2 ** 21;
    const x = k * (Math.PI / 2);
    push(x); push(nextUp(x)); push(nextDown(x));
  }
  // just past the medium range, up to 2^24 (where fdlibm's scale q0 is below -24 and the rest of
  // the integer part's digit takes two digits), multiples of π/2 there included
  for (let i = 0; i < 1000; i++) {
    push(LOW + r() * (2 ** 24 - LOW));
    const x = Math.round((LOW + r() * (2 ** 24 - LOW)) / (Math.PI / 2)) * (Math.PI / 2);
    push(x); push(nextUp(x));
  }
  // random over every exponent from 2^21 up
  while (xs.length < n) push((1 + r()) * 2 ** (21 + Math.floor(r() * 1003)));
  return xs.slice(0, n);
}
