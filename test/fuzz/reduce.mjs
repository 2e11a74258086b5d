// Reducer: delta debugging on the program tree. Repeats, until nothing changes:
//   1. delete statements (chunks of a block first, then single statements; nested blocks too),
//   2. replace a statement that holds blocks (if/loop) by the statements of its first block,
//   3. replace an expression by a simple leaf of its type,
// keeping each change only while `stillFails(program)` holds.

import { printNode } from './gen.mjs';

const LEAF = { i32: '1', u32: 'u32(1)', bool: 'true', F: '0.5', f32: 'Math.fround(0.5)', i64: '1n', u64: 'BigInt.asUintN(64, 1n)' };

function clone(x) { return JSON.parse(JSON.stringify(x)); }

/** Every block in the program, outermost first. */
function blocks(p) {
  const out = [];
  const walk = (n) => {
    if (!n || typeof n === 'string') return;
    if (n.b) { out.push(n); n.stmts.forEach(walk); return; }
    n.parts.forEach(walk);
  };
  walk(p.body);
  p.devs.forEach((d) => walk(d.node));
  return out;
}

/** Every expression node (with its parent array and index), outermost first. */
function exprs(p) {
  const out = [];
  const walk = (n, parent, k) => {
    if (!n || typeof n === 'string') return;
    if (n.b) { n.stmts.forEach((s, j) => walk(s, n.stmts, j)); return; }
    // The value of a kept statement (a device function's last return) stays as generated:
    // a constant there is typed differently (see the 'dev-result' family).
    if (n.e && !(n.parentKeep)) out.push({ parent, k, n });
    n.parts.forEach((c, j) => { if (c && typeof c === 'object' && n.keep) c.parentKeep = true; walk(c, n.parts, j); });
  };
  walk(p.body, null, 0);
  p.devs.forEach((d) => walk(d.node, null, 0));
  return out;
}

export async function reduce(program, stillFails, { maxTries = 400, log = () => {} } = {}) {
  let best = clone(program);
  let tries = 0;
  const attempt = async (mutate) => {
    if (tries >= maxTries) return false;
    const cand = clone(best);
    if (!mutate(cand)) return false;
    tries++;
    if (await stillFails(cand)) { best = cand; return true; }
    return false;
  };
  let changed = true;
  while (changed && tries < maxTries) {
    changed = false;
    // 1. Statement deletion, halving chunk sizes.
    for (let bi = 0; bi < blocks(best).length; bi++) {
      let chunk = Math.max(1, blocks(best)[bi]?.stmts.length >> 1);
      while (chunk >= 1) {
        let j = 0;
        while (j < (blocks(best)[bi]?.stmts.length ?? 0)) {
          const ok = await attempt((c) => {
            const b = blocks(c)[bi];
            if (!b || j >= b.stmts.length || b.stmts.slice(j, j + chunk).some((s) => s.keep)) return false;
            b.stmts.splice(j, chunk);
            return true;
          });
          if (ok) changed = true; else j += chunk;
        }
        chunk >>= 1;
      }
    }
    // 2. Flatten a compound statement into its first block's statements.
    for (let bi = 0; bi < blocks(best).length; bi++) {
      for (let j = 0; j < (blocks(best)[bi]?.stmts.length ?? 0); j++) {
        const ok = await attempt((c) => {
          const b = blocks(c)[bi];
          const s = b?.stmts[j];
          if (!s || s.keep) return false;
          const inner = s.parts.find((x) => x && x.b);
          if (!inner || /^\{ let q\d+ = 0;/.test(printNode(s))) return false; // while/do keep their counter
          if (/^for \(/.test(printNode(s))) return false; // the counter would be undeclared
          b.stmts.splice(j, 1, ...inner.stmts);
          return true;
        });
        if (ok) changed = true;
      }
    }
    // 3. Expression simplification.
    for (let ei = 0; ei < exprs(best).length; ei++) {
      const ok = await attempt((c) => {
        const x = exprs(c)[ei];
        if (!x || !x.parent) return false;
        const leaf = LEAF[x.n.e];
        if (!leaf || printNode(x.n) === leaf) return false;
        x.parent[x.k] = { e: x.n.e, parts: [leaf] };
        return true;
      });
      if (ok) changed = true;
    }
    log(`reduce: ${tries} tries`);
  }
  return best;
}
