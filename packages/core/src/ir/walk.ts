// Generic traversal helpers over the IR, shared by passes and backends.

import type { Expr, IfStmt, KernelIR, LocalExpr, LoopStmt, Stmt } from './nodes.js';

/**
 * Local `id` of `ir` (undefined where it has none). Ids are the locals' positions wherever core
 * makes them, so this is one lookup; a search where some IR numbers them otherwise. (Code
 * generators ask it per statement and per local: a search each time grows with the square of
 * the locals, which the cpu's draw blocks multiply.)
 */
export function localOf(ir: Pick<KernelIR, 'locals'>, id: number): KernelIR['locals'][number] | undefined {
  const at = ir.locals[id];
  return at?.id === id ? at : ir.locals.find((l) => l.id === id);
}

export function forEachStmt(stmts: Stmt[], f: (s: Stmt) => void): void {
  for (const s of stmts) {
    f(s);
    if (s.kind === 'if') { forEachStmt(s.then, f); forEachStmt(s.else, f); }
    else if (s.kind === 'loop') { forEachStmt(s.body, f); forEachStmt(s.update, f); }
  }
}

/** Whether `pred` holds for some statement of `stmts` or nested in them (stops at the first). */
export function someStmt(stmts: readonly Stmt[], pred: (s: Stmt) => boolean): boolean {
  return stmts.some((s) => pred(s)
    || (s.kind === 'if' && (someStmt(s.then, pred) || someStmt(s.else, pred)))
    || (s.kind === 'loop' && (someStmt(s.body, pred) || someStmt(s.update, pred))));
}

/** Whether `stmts` hold a `break` or `continue` (those of `kinds`) of the loop around them, not of a loop nested in them. */
export function exitsLoop(stmts: readonly Stmt[], kinds: readonly ('break' | 'continue')[] = ['break', 'continue']): boolean {
  return stmts.some((s) => ((s.kind === 'break' || s.kind === 'continue') && kinds.includes(s.kind))
    || (s.kind === 'if' && (exitsLoop(s.then, kinds) || exitsLoop(s.else, kinds))));
}

/** `if (c) break` with nothing else in it: a do…while's test, last in its loop's update. */
export function isExitTest(s: Stmt | undefined): s is IfStmt {
  return s?.kind === 'if' && !s.else.length && s.then.length === 1 && s.then[0].kind === 'break';
}

export function childExprs(e: Expr): Expr[] {
  switch (e.kind) {
    case 'const': case 'param': case 'local': case 'special': case 'length': return [];
    case 'unary': case 'convert': case 'bitcast': return [e.x];
    case 'binary': case 'logical': return [e.a, e.b];
    case 'cond': case 'select': return [e.c, e.a, e.b];
    case 'load': return [e.index];
    case 'math': return e.args;
    case 'atomic': return e.expected ? [e.index, e.expected, e.value] : [e.index, e.value];
  }
}

/** `e` with each operand replaced by f(operand): a new node (leaves are returned as they are). */
export function mapChildren(e: Expr, f: (x: Expr) => Expr): Expr {
  switch (e.kind) {
    case 'const': case 'param': case 'local': case 'special': case 'length': return e;
    case 'unary': case 'convert': case 'bitcast': return { ...e, x: f(e.x) };
    case 'binary': case 'logical': return { ...e, a: f(e.a), b: f(e.b) };
    case 'cond': case 'select': return { ...e, c: f(e.c), a: f(e.a), b: f(e.b) };
    case 'load': return { ...e, index: f(e.index) };
    case 'math': return { ...e, args: e.args.map(f) };
    case 'atomic': return { ...e, index: f(e.index), value: f(e.value), expected: e.expected && f(e.expected) };
  }
}

/** A fresh copy of `e` (no node shared with it), each local replaced by `f` of it (`f` returns a fresh node). */
export function mapLocals(e: Expr, f: (l: LocalExpr) => Expr): Expr {
  if (e.kind === 'local') return f(e);
  const out = mapChildren(e, (y) => mapLocals(y, f));
  return out === e ? { ...e } : out;
}

/**
 * `stmts` with each loop, at any depth, replaced by `onLoop(loop, inner)` (`inner`: this rewrite
 * of a statement list, for the loop's own lists); an `if` is rebuilt only where an arm changed,
 * and a list that did not change is returned as it was (by identity).
 */
export function mapLoops(stmts: Stmt[], onLoop: (loop: LoopStmt, inner: (list: Stmt[]) => Stmt[]) => Stmt): Stmt[] {
  const list = (l: Stmt[]): Stmt[] => {
    let any = false;
    const out = l.map((s): Stmt => {
      let r: Stmt = s;
      if (s.kind === 'if') {
        const then = list(s.then), els = list(s.else);
        if (then !== s.then || els !== s.else) r = { ...s, then, else: els };
      } else if (s.kind === 'loop') r = onLoop(s, list);
      if (r !== s) any = true;
      return r;
    });
    return any ? out : l;
  };
  return list(stmts);
}

/** `loop` with these lists, or `loop` itself when they are its own. */
export function withLoopLists(loop: LoopStmt, body: Stmt[], update: Stmt[]): LoopStmt {
  return body === loop.body && update === loop.update ? loop : { ...loop, body, update };
}

export function stmtExprs(s: Stmt): Expr[] {
  switch (s.kind) {
    case 'assign': return [s.value];
    case 'store': return [s.index, s.value];
    case 'expr': return [s.expr];
    case 'if': return [s.cond];
    case 'loop': return s.cond ? [s.cond] : [];
    case 'warp': return [s.mask, s.value, s.lane].filter((x): x is Expr => x !== undefined);
    default: return [];
  }
}

export function forEachExpr(e: Expr, f: (e: Expr) => void): void {
  f(e);
  for (const c of childExprs(e)) forEachExpr(c, f);
}
