// Constants of the lane math kernels (lane-math-ir.ts), derived here from
// decimal expansions rather than typed in as hex: splits of π/2 and ln 2 into
// parts with few significant bits (so that n × part is exact for the n the
// kernels use) and the Taylor coefficients of the polynomials.

/** 70 significant digits (checked against mpmath at 70 digits). */
const PI_2 = '1.570796326794896619231321691639751442098584699687552910487472296153908';
const LN2 = '0.6931471805599453094172321214581765680755001343602552541206800094933936';

const LANE_MATH_FIXED_BITS = 256n; // fixed point: value × 2^256

function fixed(decimal: string): bigint {
  const [int, frac] = decimal.split('.');
  return (BigInt(int + frac) << LANE_MATH_FIXED_BITS) / 10n ** BigInt(frac.length);
}

const bitLength = (v: bigint): number => v.toString(2).length;
/** A fixed-point value as a double (Number(bigint) rounds to nearest). */
const toDouble = (v: bigint): number => (v < 0n ? -toDouble(-v) : Number(v) * 2 ** -Number(LANE_MATH_FIXED_BITS));

/**
 * `decimal` as parts[0] + parts[1] + …: every part but the last holds the
 * next `bits` significant bits (truncated), the last is the remainder rounded
 * to a double.
 */
export function splitConstant(decimal: string, bits: number, parts: number): number[] {
  let rest = fixed(decimal);
  const out: number[] = [];
  for (let p = 0; p < parts - 1; p++) {
    const drop = BigInt(Math.max(0, bitLength(rest < 0n ? -rest : rest) - bits));
    const hi = rest < 0n ? -((-rest >> drop) << drop) : (rest >> drop) << drop;
    out.push(toDouble(hi));
    rest -= hi;
  }
  out.push(toDouble(rest));
  return out;
}

/** π/2 in four parts of 33, 33, 33 and 53 bits: n × part exact for |n| < 2^20. */
export const PIO2_PARTS = splitConstant(PI_2, 33, 4);
/** ln 2 in two parts, the first of 32 bits: k × part exact for |k| < 2^21. */
export const LN2_PARTS = splitConstant(LN2, 32, 2);

/** For the f32 sin-and-cos kernel computed in f32 (lane-math-f32.ts): π/2 in three f32 parts of 24, 24 and 24 bits (the first is f32(π/2) rounded down, a multiple of 2^-23). */
export const PIO2_F32 = splitConstant(PI_2, 24, 3).map(Math.fround);

function factorial(n: number): number {
  let f = 1;
  for (let k = 2; k <= n; k++) f *= k; // exact up to 18!; beyond, rounded once per step (terms far below the last bit)
  return f;
}

/** (e^r − 1 − r) / r² = Σ r^k / (k + 2)!, k = 0 … terms − 1. */
export const expCoeffs = (terms: number): number[] => Array.from({ length: terms }, (_, k) => 1 / factorial(k + 2));
/** (sin r − r) / r³ = Σ (−1)^(k+1) z^k / (2k + 3)!, z = r². */
export const sinCoeffs = (terms: number): number[] => Array.from({ length: terms }, (_, k) => (k % 2 ? 1 : -1) / factorial(2 * k + 3));
/** (cos r − 1 + r²/2) / r⁴ = Σ (−1)^k z^k / (2k + 4)!. */
export const cosCoeffs = (terms: number): number[] => Array.from({ length: terms }, (_, k) => (k % 2 ? -1 : 1) / factorial(2 * k + 4));
/** R(z) / z with 2 atanh(s) = 2s + s R(z), z = s²: Σ 2 z^k / (2k + 3). */
export const atanhCoeffs = (terms: number): number[] => Array.from({ length: terms }, (_, k) => 2 / (2 * k + 3));
