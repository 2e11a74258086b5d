// WGSL identifiers and literals for IR entities. Every name the emitter invents
// starts with `nb_`; user names are sanitised and suffixed so that they can
// collide neither with each other, nor with WGSL keywords, nor with ours.

import type { ScalarType } from '@numbat/core';

/** A user name made into a WGSL identifier fragment (ASCII, no leading `_`, never `nb_…`). */
export function sanitize(name: string): string {
  let s = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (s === '' || /^[0-9_]/.test(s)) s = 'v' + s;
  if (s.startsWith('nb_')) s = 'u' + s;
  return s;
}

// i64/u64 never reach WGSL (core refuses them: webgpu has no caps.i64); the entries keep the record total.
export const WGSL_TYPE: Record<ScalarType, string> = { bool: 'bool', i32: 'i32', u32: 'u32', f32: 'f32', f64: 'f64', i64: 'i64', u64: 'u64' };

/** Bits of an f32 (for NaN/Infinity, which WGSL cannot write as literals). */
export function f32Bits(v: number): number {
  // One NaN, quiet: a payload carried over from V8 or the data could read as signalling.
  if (Number.isNaN(v)) return 0x7fc00000;
  const b = new DataView(new ArrayBuffer(4));
  b.setFloat32(0, v);
  return b.getUint32(0);
}

/**
 * A WGSL literal for `value` of type `t`, or undefined when WGSL has no literal
 * for it (NaN, ±Infinity, subnormals, -0): the caller then builds the value at run time from
 * its bits. Negative literals are parenthesised so they can follow any operator.
 */
export function literal(t: ScalarType, value: number | boolean): string | undefined {
  if (t === 'bool') return value ? 'true' : 'false';
  const v = Number(value);
  switch (t) {
    case 'i32': {
      const x = v | 0;
      if (x === -2147483648) return '(-2147483647i - 1i)';
      return x < 0 ? `(${x}i)` : `${x}i`;
    }
    case 'u32': return `${v >>> 0}u`;
    case 'f32': {
      const f = Math.fround(v);
      if (!Number.isFinite(f)) return undefined;
      // Subnormals: Tint may flush a literal; build them from bits like NaN.
      if (f !== 0 && Math.abs(f) < 1.1754943508222875e-38) return undefined;
      // -0: Dawn's GLSL path loses the sign of a `-0.0f` literal (+0 on llvmpipe); build it from bits.
      if (Object.is(f, -0)) return undefined;
      let s = String(Math.abs(f));
      if (!/[.eE]/.test(s)) s += '.0';
      return f < 0 ? `(-${s}f)` : `${s}f`;
    }
    case 'f64': return undefined;
  }
}

export function zeroOf(t: ScalarType): string {
  return t === 'bool' ? 'false' : t === 'i32' ? '0i' : t === 'u32' ? '0u' : '0.0f';
}
