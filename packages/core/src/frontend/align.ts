// Mapping positions in a transpiled function's text back to the user's file.
// Transpilers (esbuild in vitest/tsx, tsc) strip types and reprint code, so the
// text from fn.toString() is not a substring of the file. Both are tokenised and
// aligned in order (skipping the file's extra tokens, such as type annotations);
// each position in the printed text then maps to the aligned token in the file.

export interface Token { text: string; pos: number }

const TOKEN = /[A-Za-z_$][\w$]*|0[xX][\da-fA-F]+|\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`|[^\s\w]/g;

export function tokenize(s: string): Token[] {
  const out: Token[] = [];
  // Drop comments first (keeping positions) so they never align.
  const clean = s.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (m) => ' '.repeat(m.length));
  for (const m of clean.matchAll(TOKEN)) out.push({ text: norm(m[0]), pos: m.index! });
  return out;
}

/**
 * Drops what a transpiler added around imported names, so it cannot pull the
 * alignment off course: `ns.` where `ns` is a name the file never contains
 * (`__vite_ssr_import_1__.cuda`, `core_1.f32`), and the `(0, ` … `)` wrapper of
 * `(0, ns.f)` / `(0,ns.f32)`. Positions of the remaining tokens are unchanged.
 */
export function dropTranspilerPrefixes(printed: Token[], file: Token[]): Token[] {
  const inFile = new Set(file.map((t) => t.text));
  const isForeignNs = (i: number) => i + 1 < printed.length && /^[A-Za-z_$]/.test(printed[i].text) && !inFile.has(printed[i].text) && printed[i + 1].text === '.';
  const drop = new Set<number>();
  for (let i = 0; i < printed.length; i++) {
    if (!isForeignNs(i)) continue;
    drop.add(i).add(i + 1);
    const t = printed;
    if (i >= 3 && t[i - 1].text === ',' && t[i - 2].text === '0' && t[i - 3].text === '(' && t[i + 3]?.text === ')') {
      drop.add(i - 3).add(i - 2).add(i - 1).add(i + 3);
    }
  }
  return printed.filter((_, i) => !drop.has(i));
}

/** Literals print differently (quotes, hex); compare them by value. */
function norm(t: string): string {
  if (/^['"]/.test(t)) return `"${t.slice(1, -1)}"`;
  if (/^(0[xX]|\d|\.\d)/.test(t)) { const v = Number(t.replace(/_/g, '')); return Number.isNaN(v) ? t : String(v); }
  return t;
}

/** For each printed token, the index of the file token it aligns with (or -1). */
export function align(printed: Token[], file: Token[], fileStart: number, window = 60): number[] {
  const map: number[] = [];
  let j = fileStart;
  for (const t of printed) {
    let found = -1;
    for (let k = j; k < Math.min(file.length, j + window); k++) if (file[k].text === t.text) { found = k; break; }
    map.push(found);
    if (found >= 0) j = found + 1;
  }
  return map;
}

/**
 * Best place in the file where the printed function starts. Each candidate is
 * scored by aligning the whole printed text: names and literals count more than
 * punctuation, and file tokens skipped over (type annotations, or another
 * function's code) count against it.
 */
export function findStart(printed: Token[], file: Token[], nearLine: number | undefined, lineOf: (pos: number) => number): number | undefined {
  if (printed.length === 0) return undefined;
  let best: number | undefined, bestScore = -Infinity, bestDist = Infinity;
  // Rare tokens (a string, an unusual name) identify a function far better than `(` or `a`.
  const freq = new Map<string, number>();
  for (const t of file) freq.set(t.text, (freq.get(t.text) ?? 0) + 1);
  // A token absent from the file (a transpiler's `__vite_ssr_import_1__`) can never align: it weighs nothing.
  const weight = (t: string) => { const f = freq.get(t); return f ? 1 + 20 / f : 0; };
  const total = printed.reduce((a, t) => a + weight(t.text), 0);
  // A named function is only ever at its own name: a look-alike of another name in the
  // caller's file (same shape, same parameters) must not be taken for it. Transpilers
  // rename a shadowed function by appending a number (`firstNeg` prints as `firstNeg2`).
  const name = functionName(printed)?.replace(/\d+$/, '');
  for (let i = 0; i < file.length; i++) {
    if (file[i].text !== printed[0].text) continue;
    if (name !== undefined && functionName(file.slice(i, i + 4))?.replace(/\d+$/, '') !== name) continue;
    const m = align(printed, file, i, 12);
    let score = 0, prev = i - 1;
    m.forEach((x, k) => { if (x >= 0) { score += weight(printed[k].text) - 0.3 * (x - prev - 1); prev = x; } });
    const dist = nearLine === undefined ? 0 : Math.abs(lineOf(file[i].pos) - nearLine);
    if (score > bestScore || (score === bestScore && dist < bestDist)) { best = i; bestScore = score; bestDist = dist; }
  }
  return bestScore >= total * 0.3 ? best : undefined;
}

/** The name after a leading `function` (or `async function`, `function*`), if the tokens start so. */
function functionName(tokens: Token[]): string | undefined {
  let k = 0;
  if (tokens[k]?.text === 'async') k++;
  if (tokens[k]?.text !== 'function') return undefined;
  k++;
  if (tokens[k]?.text === '*') k++;
  const t = tokens[k]?.text;
  return t !== undefined && /^[A-Za-z_$][\w$]*$/.test(t) ? t : undefined;
}
