// A float's bits as u32 words and back, for core's random library only: the
// first normal of a Box-Muller pair stores its partner in the state (a u32
// array), the second reads it back (states.ts normalF32, normalF64). The
// frontend lowers these to the IR's `bitcast` (frontend/float-bits.ts); they
// are not user syntax (NaN payloads would differ between the simulator, where
// a float is a JS number, and the hardware targets; the library never stores a NaN).

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u32x2 = new Uint32Array(f64.buffer); // little-endian: [low word, high word]

/** Plain JavaScript meaning: the bits of fround(x). */
export function f32Bits(x: number): number {
  f32[0] = x;
  return u32[0];
}

/** Plain JavaScript meaning: the f32 whose bits are ToUint32(w). */
export function bitsF32(w: number): number {
  u32[0] = w;
  return f32[0];
}

/** Plain JavaScript meaning: the high 32 bits of the f64 x. */
export function f64Hi(x: number): number {
  f64[0] = x;
  return u32x2[1];
}

/** Plain JavaScript meaning: the low 32 bits of the f64 x. */
export function f64Lo(x: number): number {
  f64[0] = x;
  return u32x2[0];
}

/** Plain JavaScript meaning: the f64 whose bits are ToUint32(hi) · 2^32 + ToUint32(lo). */
export function bitsF64(hi: number, lo: number): number {
  u32x2[1] = hi;
  u32x2[0] = lo;
  return f64[0];
}
