// Constant folding: operations on constants are replaced by their value
// (computed with the IR's own semantics), and `if` on a constant condition keeps
// only the live branch. Runs after lowering, before the verifier.

import type { Expr, KernelIR, Stmt } from './nodes.js';
import { evalBinary, evalBitcast, evalConvert, evalMath, evalUnary } from './semantics.js';

export function foldConstants(ir: KernelIR): void {
  ir.body = foldStmts(ir.body);
}

function foldStmts(stmts: Stmt[]): Stmt[] {
  const out: Stmt[] = [];
  for (const s of stmts) {
    switch (s.kind) {
      case 'assign': s.value = fold(s.value); out.push(s); break;
      case 'store': s.index = fold(s.index); s.value = fold(s.value); out.push(s); break;
      case 'expr': s.expr = fold(s.expr); out.push(s); break;
      case 'if': {
        s.cond = fold(s.cond);
        if (s.cond.kind === 'const') { out.push(...foldStmts(s.cond.value ? s.then : s.else)); break; }
        s.then = foldStmts(s.then); s.else = foldStmts(s.else); out.push(s); break;
      }
      case 'loop': {
        if (s.cond) s.cond = fold(s.cond);
        if (s.cond?.kind === 'const' && !s.cond.value) break; // never runs
        if (s.cond?.kind === 'const') s.cond = undefined;
        s.body = foldStmts(s.body); s.update = foldStmts(s.update); out.push(s); break;
      }
      case 'warp':
        if (s.mask) s.mask = fold(s.mask);
        if (s.value) s.value = fold(s.value);
        if (s.lane) s.lane = fold(s.lane);
        out.push(s); break;
      default: out.push(s);
    }
  }
  return out;
}

export function fold(e: Expr): Expr {
  switch (e.kind) {
    case 'unary': {
      e.x = fold(e.x);
      return e.x.kind === 'const' ? { kind: 'const', type: e.type, value: evalUnary(e.op, e.type, e.x.value), loc: e.loc } : e;
    }
    case 'convert': {
      e.x = fold(e.x);
      return e.x.kind === 'const' ? { kind: 'const', type: e.type, value: evalConvert(e.x.type, e.type, e.x.value), loc: e.loc } : e;
    }
    case 'bitcast': {
      e.x = fold(e.x);
      return e.x.kind === 'const' ? { kind: 'const', type: e.type, value: evalBitcast(e.x.type, e.type, e.x.value), loc: e.loc } : e;
    }
    case 'binary': {
      e.a = fold(e.a); e.b = fold(e.b);
      if (e.a.kind === 'const' && e.b.kind === 'const') return { kind: 'const', type: e.type, value: evalBinary(e.op, e.opType, e.a.value, e.b.value), loc: e.loc };
      // x >>> 0 and x | 0 are conversions the frontend already made explicit.
      if ((e.op === 'ushr' || e.op === 'or' || e.op === 'shl' || e.op === 'shr') && e.b.kind === 'const' && e.b.value === 0) return e.a;
      return e;
    }
    case 'logical': {
      e.a = fold(e.a); e.b = fold(e.b);
      if (e.a.kind === 'const') return e.op === 'and' ? (e.a.value ? e.b : e.a) : e.a.value ? e.a : e.b;
      return e;
    }
    case 'cond': case 'select': {
      e.c = fold(e.c); e.a = fold(e.a); e.b = fold(e.b);
      if (e.c.kind === 'const') return e.c.value ? e.a : e.b;
      return e;
    }
    case 'math': {
      e.args = e.args.map(fold);
      if (e.args.every((a) => a.kind === 'const')) return { kind: 'const', type: e.type, value: evalMath(e.fn, e.type, e.args.map((a) => (a as { value: number | bigint }).value)), loc: e.loc };
      return e;
    }
    case 'load': e.index = fold(e.index); return e;
    case 'atomic': e.index = fold(e.index); e.value = fold(e.value); if (e.expected) e.expected = fold(e.expected); return e;
    default: return e;
  }
}
