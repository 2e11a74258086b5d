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
  const weight = (t: string) => 1 + 20 / (freq.get(t) ?? 1);
  const total = printed.reduce((a, t) => a + weight(t.text), 0);
  for (let i = 0; i < file.length; i++) {
    if (file[i].text !== printed[0].text) continue;
    const m = align(printed, file, i, 12);
    let score = 0, prev = i - 1;
    m.forEach((x, k) => { if (x >= 0) { score += weight(printed[k].text) - 0.3 * (x - prev - 1); prev = x; } });
    const dist = nearLine === undefined ? 0 : Math.abs(lineOf(file[i].pos) - nearLine);
    if (score > bestScore || (score === bestScore && dist < bestDist)) { best = i; bestScore = score; bestDist = dist; }
  }
  return bestScore >= total * 0.3 ? best : undefined;
}
