// What a JS expression denotes while lowering: a typed scalar (possibly still an
// untyped literal), an array, a tuple from cuda.grid(2), a namespace such as
// `cuda.atomic`, a dtype, a device function or a plain host value from globals.

import type { ArrayRef, Expr } from '../ir/nodes.js';
import { evalConvert } from '../ir/semantics.js';
import type { ElemType, ScalarType } from '../types.js';
import type { DeviceFunction } from '../device-function.js';
import type { Frame, N } from './context.js';

export interface ScalarVal {
  k: 'scalar';
  e: Expr;
  /** Set while the value is an abstract literal: it takes the type of the other operand. */
  lit?: number | boolean;
  /** Set while the value is a BigInt literal (`1n`): typed i64 (u64 beyond i64), it adopts u64 from the other operand. */
  big?: bigint;
  /** Where a literal was written (or folded), to report it if it cannot be exact in the type it takes. */
  at?: { node: N; frame: Frame };
}
export interface ArrayVal {
  k: 'array'; ref: ArrayRef; elem: ElemType; name: string; shape?: number[];
  /** A view (`a.subarray(b, e)`): elements offset… of `ref`, i32 values read once; subscripts are checked against `length`. */
  view?: { offset: Expr; length: Expr };
}
export interface TupleVal { k: 'tuple'; items: ScalarVal[] }
export interface NsVal { k: 'ns'; path: string }
export interface DTypeVal { k: 'dtype'; elem: ElemType }
export interface DevFnVal { k: 'devfn'; fn: DeviceFunction }
export interface HostVal { k: 'host'; value: unknown }

export type Val = ScalarVal | ArrayVal | TupleVal | NsVal | DTypeVal | DevFnVal | HostVal;

/** The natural type of a literal standing alone: i32 if it fits, then u32, else the default float. */
export function literalType(v: number | boolean, float: 'f32' | 'f64'): ScalarType {
  if (typeof v === 'boolean') return 'bool';
  if (Number.isInteger(v) && !Object.is(v, -0)) {
    if (v >= -2147483648 && v <= 2147483647) return 'i32';
    if (v >= 0 && v <= 4294967295) return 'u32';
  }
  return float;
}

/** Does literal v keep its exact value in type t? */
export function literalFits(v: number | boolean, t: ScalarType): boolean {
  if (typeof v === 'boolean') return true;
  switch (t) {
    case 'bool': return v === 0 || v === 1;
    case 'i32': return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;
    case 'u32': return Number.isInteger(v) && v >= 0 && v <= 4294967295;
    case 'f32': case 'f64': return true;
    case 'i64': case 'u64': return false; // a number is never a BigInt (mixing them is refused)
  }
}

/** JS conversion of a literal to a register type (the meaning of ConvertExpr, from ir/semantics.ts). */
export function convertValue(v: number | boolean, t: ScalarType): number | boolean {
  return evalConvert(typeof v === 'boolean' ? 'bool' : 'f64', t, v) as number | boolean;
}
