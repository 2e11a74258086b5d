// Locals whose value on entry to a statement list is never read: every
// reference to the local lies inside one list (its scope), and the first
// statement of that list that refers to it assigns it without reading it.
// Each pass through the scope sets the local before reading it, so a thread
// that skips the scope (a branch not taken) never reads what it holds. The
// inliner's parameter copies and results, and loop counters, are such locals.

import type { Stmt } from './nodes.js';
import { forEachExpr, stmtExprs } from './walk.js';

/** Local id -> its scope (the statement list, by identity), for the locals that have one. */
export function localScopes(body: readonly Stmt[]): Map<number, readonly Stmt[]> {
  // The deepest list that holds every reference: walk down while one statement holds them all.
  const lists = new Map<number, (readonly Stmt[])[]>(); // each reference's path of enclosing lists
  const walk = (stmts: readonly Stmt[], path: (readonly Stmt[])[]): void => {
    const here = [...path, stmts];
    for (const s of stmts) {
      const note = (id: number): void => { const l = lists.get(id); lists.set(id, l ? commonPrefix(l, here) : here); };
      if (s.kind === 'assign') note(s.local);
      if (s.kind === 'warp') { if (s.local !== undefined) note(s.local); if (s.pred !== undefined) note(s.pred); }
      for (const x of stmtExprs(s)) forEachExpr(x, (y) => { if (y.kind === 'local') note(y.id); });
      if (s.kind === 'if') { walk(s.then, here); walk(s.else, here); }
      if (s.kind === 'loop') { walk(s.body, here); walk(s.update, here); }
    }
  };
  walk(body, []);
  const scopes = new Map<number, readonly Stmt[]>();
  for (const [id, path] of lists) {
    const scope = path[path.length - 1];
    const first = scope.find((s) => refers(s, id));
    if (first?.kind === 'assign' && first.local === id && !reads(first, id)) scopes.set(id, scope);
  }
  return scopes;
}

function commonPrefix(a: (readonly Stmt[])[], b: (readonly Stmt[])[]): (readonly Stmt[])[] {
  let k = 0;
  while (k < a.length && k < b.length && a[k] === b[k]) k++;
  return k === a.length ? a : a.slice(0, k);
}

function reads(s: Stmt, id: number): boolean {
  let hit = false;
  for (const x of stmtExprs(s)) forEachExpr(x, (y) => { if (y.kind === 'local' && y.id === id) hit = true; });
  return hit;
}

function refers(s: Stmt, id: number): boolean {
  if (s.kind === 'assign' && s.local === id) return true;
  if (s.kind === 'warp' && (s.local === id || s.pred === id)) return true;
  if (reads(s, id)) return true;
  if (s.kind === 'if') return s.then.some((x) => refers(x, id)) || s.else.some((x) => refers(x, id));
  if (s.kind === 'loop') return s.body.some((x) => refers(x, id)) || s.update.some((x) => refers(x, id));
  return false;
}
