// Which 64-bit integer features a kernel uses, and the refusal when its target
// lacks them (Backend.caps.i64 / caps.atomics64): a CompileError naming the
// feature, the target and the line, never a silent change of meaning.

import type { Expr, KernelIR, Loc } from './nodes.js';
import type { BackendCaps } from '../backend.js';
import { CompileError } from '../errors.js';
import { is64 } from '../types.js';
import { forEachExpr, forEachStmt, stmtExprs } from './walk.js';

/** The first 64-bit value (and the first 64-bit atomic) of the kernel, with its line. */
export function uses64(ir: KernelIR): { value?: { what: string; loc?: Loc }; atomic?: { loc?: Loc } } {
  const r: ReturnType<typeof uses64> = {};
  const p = ir.params.find((x) => (x.type.kind === 'array' ? is64(x.type.elem) : is64(x.type.type)));
  if (p) r.value = { what: `parameter '${p.name}' (${p.type.kind === 'array' ? `${p.type.elem}[]` : p.type.type})` };
  const a = ir.arrays.find((x) => is64(x.elem));
  if (a && !r.value) r.value = { what: `array '${a.name}' (${a.elem})` };
  forEachStmt(ir.body, (s) => {
    for (const e of stmtExprs(s)) forEachExpr(e, (x: Expr) => {
      if (!r.value && is64(x.type)) r.value = { what: `an ${x.type} value`, loc: x.loc ?? s.loc };
      if (!r.atomic && x.kind === 'atomic' && is64(x.type)) r.atomic = { loc: x.loc ?? s.loc };
    });
  });
  return r;
}

export function check64(ir: KernelIR, caps: BackendCaps, target: string): void {
  if (caps.i64 && caps.atomics64) return;
  const u = uses64(ir);
  if (u.value && !caps.i64) {
    throw new CompileError('64-bit integers', `kernel '${ir.name}' uses 64-bit integers (i64/u64, BigInt): ${u.value.what}, and target '${target}' has no 64-bit integers; run it on cpu, cuda or sim`, ir.name, ir.source, u.value.loc);
  }
  if (u.atomic && !caps.atomics64) {
    throw new CompileError('64-bit atomics', `kernel '${ir.name}' uses a 64-bit integer atomic, which target '${target}' cannot do exactly; run it on cpu, cuda or sim`, ir.name, ir.source, u.atomic.loc);
  }
}
