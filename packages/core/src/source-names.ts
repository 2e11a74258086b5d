// Core's own kernels (reduce.ts, random/) are compiled from their source text,
// whose free names a bundler may have renamed: esbuild turns `cuda` into
// `cuda2` when another module's binding would collide, rollup into `cuda$1`,
// webpack into `_api_js__WEBPACK_IMPORTED_MODULE_0__.cuda`. Their `globals`
// are therefore keyed by the names the code around them has *now*, read from
// a tiny arrow listing the bindings: `() => [cuda, BLOCK]` prints as
// `() => [cuda2, BLOCK]` after such a rename. (Names that are real module
// bindings, never free globals: a free name in core would make a bundler
// rename a user's binding of the same name instead.)

/**
 * The names the current (possibly bundled) source uses for the bindings listed
 * by `refs`, in order. For a member expression (`m.cuda`, `(0, m.cuda)`) the
 * member's name, which is how the frontend resolves a namespace member.
 */
export function sourceNames(refs: () => unknown[]): string[] {
  const text = refs.toString();
  const open = text.indexOf('[');
  const close = text.lastIndexOf(']');
  if (open < 0 || close < open) throw new Error(`numbat internal error: sourceNames expects () => [names], got ${text}`);
  return splitTopLevel(text.slice(open + 1, close)).map((item) => {
    const m = /([A-Za-z_$][\w$]*)\s*\)?\s*$/.exec(item);
    if (!m) throw new Error(`numbat internal error: sourceNames cannot read a name from '${item}' in ${text}`);
    return m[1];
  });
}

/**
 * `globals` for a kernel of this module: the i-th value of `byName` under the
 * current name of the i-th binding in `refs` (what fn.toString() shows) and under
 * its key in `byName`, the original name (what a bundler plugin's record of the
 * source shows; object keys survive minifiers). Original names win a collision:
 * a minified name may equal another binding's original one, never the reverse.
 */
export function globalsAs(refs: () => unknown[], byName: Record<string, unknown>): Record<string, unknown> {
  const names = sourceNames(refs);
  const values = Object.values(byName);
  if (names.length !== values.length) throw new Error(`numbat internal error: globalsAs got ${names.length} names and ${values.length} values`);
  return { ...Object.fromEntries(names.map((n, i) => [n, values[i]])), ...byName };
}

/** Splits at commas outside parentheses (`(0, m.cuda)` stays one item). */
function splitTopLevel(list: string): string[] {
  const items: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) { items.push(list.slice(start, i)); start = i + 1; }
  }
  if (list.slice(start).trim()) items.push(list.slice(start));
  return items.map((s) => s.trim()).filter(Boolean);
}
