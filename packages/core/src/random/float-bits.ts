// An f32's bits as a u32 word and back, for core's random library only: the
// first normal of a Box-Muller pair stores its partner in the state (a u32
// array), the second reads it back (states.ts normalF32). The frontend lowers
// both to the IR's `bitcast` (frontend/float-bits.ts); they are not user syntax
// (NaN payloads would differ between the simulator, where an f32 is a JS
// number, and the hardware targets; the library never stores a NaN).

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

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
