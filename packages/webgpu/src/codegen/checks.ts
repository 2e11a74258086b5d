// What WGSL cannot express, refused up front with an error that names the
// construct: anything f64 (WGSL has no 64-bit float, and numbat never demotes
// data silently) and atomics on 8/16-bit arrays (WGSL atomics are 32-bit).

import { CompileError, forEachExpr, forEachStmt, stmtExprs, type ArrayRef, type Expr, type KernelIR, type Loc } from '@numbat/core';

const F64_ADVICE = 'WebGPU (WGSL) has no 64-bit floats; use Float32Array / f32 data and float: \'f32\' for this target (numbat never demotes f64 to f32 silently)';

export function checkSupported(ir: KernelIR, float: 'f32' | 'f64'): void {
  const fail = (construct: string, what: string, loc?: Loc): never => {
    throw new CompileError(construct, `${what}: ${F64_ADVICE}`, ir.name, ir.source, loc);
  };
  if (float === 'f64' || ir.float === 'f64') fail("float: 'f64'", `kernel '${ir.name}' is compiled with float: 'f64'`);
  ir.params.forEach((p, i) => {
    if (p.type.kind === 'array' && p.type.elem === 'f64') fail('Float64Array argument', `argument ${i + 1} ('${p.name}') is a Float64Array`);
    if (p.type.kind === 'scalar' && p.type.type === 'f64') fail('f64 argument', `argument ${i + 1} ('${p.name}') is an f64 number`);
  });
  for (const a of ir.arrays) {
    if (a.elem === 'f64') fail(`f64 ${a.space} array`, `${a.space === 'const' ? 'constant' : a.space} array '${a.name}' holds f64 values`);
  }
  for (const l of ir.locals) {
    if (l.type === 'f64') {
      fail('f64 local', `local '${l.name}' is an f64`, firstUseOfLocal(ir, l.id));
    }
  }
  const narrow = (r: ArrayRef): string | undefined => {
    const elem = r.space === 'global' ? (ir.params[r.param].type as { elem: string }).elem : ir.arrays[r.id].elem;
    return ['i8', 'u8', 'i16', 'u16'].includes(elem) ? elem : undefined;
  };
  const arrName = (r: ArrayRef): string => (r.space === 'global' ? ir.params[r.param].name : ir.arrays[r.id].name);
  const expr = (e: Expr, stmtLoc?: Loc): void => {
    forEachExpr(e, (x) => {
      const loc = x.loc ?? stmtLoc;
      if (x.type === 'f64') fail(x.kind === 'convert' ? 'conversion to f64' : 'f64 value', `an f64 ${x.kind === 'convert' ? 'conversion' : 'value'} appears in this expression`, loc);
      if (x.kind === 'binary' && x.opType === 'f64') fail('f64 arithmetic', 'f64 arithmetic appears in this expression', loc);
      if (x.kind === 'atomic') {
        const n = narrow(x.array);
        if (n) throw new CompileError(`atomic on ${n} array`, `cuda.atomic.${x.op} on '${arrName(x.array)}' (${n}): WebGPU atomics are 32-bit; use an Int32Array / Uint32Array for atomically updated data`, ir.name, ir.source, loc);
      }
    });
  };
  forEachStmt(ir.body, (s) => { for (const e of stmtExprs(s)) expr(e, s.loc); });
}

function firstUseOfLocal(ir: KernelIR, id: number): Loc | undefined {
  let found: Loc | undefined;
  forEachStmt(ir.body, (s) => {
    if (found) return;
    if (s.kind === 'assign' && s.local === id) found = s.loc ?? s.value.loc;
  });
  return found;
}
