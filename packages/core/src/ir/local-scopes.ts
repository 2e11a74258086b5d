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
  // The first reference's statement index in each list of its path: the walk visits a list's
  // statements in order, so its statement in the scope is the scope's first that refers to the local.
  const firstAt = new Map<number, number[]>();
  const at: number[] = [];
  const walk = (stmts: readonly Stmt[], path: (readonly Stmt[])[]): void => {
    const here = [...path, stmts];
    at.push(0);
    for (let k = 0; k < stmts.length; k++) {
      const s = stmts[k];
      at[at.length - 1] = k;
      const note = (id: number): void => {
        const l = lists.get(id);
        if (l) lists.set(id, commonPrefix(l, here));
        else { lists.set(id, here); firstAt.set(id, [...at]); }
      };
      if (s.kind === 'assign') note(s.local);
      if (s.kind === 'warp') { if (s.local !== undefined) note(s.local); if (s.pred !== undefined) note(s.pred); }
      for (const x of stmtExprs(s)) forEachExpr(x, (y) => { if (y.kind === 'local') note(y.id); });
      if (s.kind === 'if') { walk(s.then, here); walk(s.else, here); }
      if (s.kind === 'loop') { walk(s.body, here); walk(s.update, here); }
    }
    at.pop();
  };
  walk(body, []);
  const scopes = new Map<number, readonly Stmt[]>();
  for (const [id, path] of lists) {
    const scope = path[path.length - 1];
    const first = scope[firstAt.get(id)![path.length - 1]];
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
