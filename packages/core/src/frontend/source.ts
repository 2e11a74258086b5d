// Getting a kernel's source text and parsing it. `fn.toString()` gives the text
// (or the record a bundler plugin wrote: recorded-source.ts); the user's file and
// line come from the stack of the `cuda.jit` call (or the record), and the line
// of the function inside that file from searching the file for the text.

import * as acorn from 'acorn';
import type { Loc, SourceInfo } from '../ir/nodes.js';
import { align, dropTranspilerPrefixes, findStart, tokenize } from './align.js';
import { CompileError } from '../errors.js';
import type { RecordedSource } from '../recorded-source.js';

export type FnNode = acorn.FunctionDeclaration | acorn.FunctionExpression | acorn.ArrowFunctionExpression;

export interface ParsedFunction {
  node: FnNode;
  name: string;
  source: SourceInfo;
  /** Maps an offset in the parsed (printed, wrapped) text to a position in the user's file. */
  locAt(offset: number): Loc;
  /** The text came from fn.toString() (not a build-time record) and looks minified: its names may not be the author's. */
  minified: boolean;
}

export function parseFunction(fn: Function, kernelName: string, site: { file?: string; line?: number }, recorded?: RecordedSource): ParsedFunction {
  const text = recorded ? recorded.text : fn.toString();
  if (recorded?.file !== undefined) site = { file: recorded.file, line: recorded.line };
  if (text.includes('[native code]')) {
    throw new CompileError('native function', `cuda.jit needs a JavaScript function with source, got a native or bound function`, kernelName);
  }
  const wrapped = asExpressionSource(text);
  const minified = !recorded && looksMinified(text);
  // A minified bundle's tokens align with anything: frame the printed text itself.
  const placed = locate(text, minified ? { line: site.line } : site);
  const locAt = (offset: number): Loc => placed.map(Math.max(0, offset - wrapped.prefix));
  const source: SourceInfo = { file: placed.elsewhere ? undefined : site.file, firstLine: placed.firstLine, text: placed.text };
  let program: acorn.Program;
  try {
    program = acorn.parse(wrapped.code, { ecmaVersion: 'latest', sourceType: 'module', locations: true });
  } catch (e) {
    const err = e as { pos?: number; message: string };
    throw new CompileError('syntax', `cannot parse kernel source: ${err.message.replace(/ \(\d+:\d+\)$/, '')}`, kernelName, source, err.pos !== undefined ? locAt(err.pos) : undefined);
  }
  const node = findFunction(program);
  if (!node) throw new CompileError('function', 'cuda.jit expects a function', kernelName, source);
  const name = (node.type !== 'ArrowFunctionExpression' && node.id?.name) || fn.name || kernelName;
  return { node, name, source, locAt, minified };
}

/**
 * One line with no whitespace but after keywords: what minifiers print
 * (`function(t,e){const n=S.grid(1);...}`), never formatted code, which spaces
 * operators and commas. Only the wording of an unknown-name error depends on it.
 */
export function looksMinified(text: string): boolean {
  if (text.length < 24 || text.includes('\n')) return false;
  const bare = text.replace(/\b(const|let|var|return|function|new|typeof|of|in|else|case|throw|void|async|await|instanceof|do)\s+/g, '$1');
  return !/\s/.test(bare);
}

/**
 * Method shorthand (`{ k(x) {...} }.k`) prints as `k(x) {...}`, which is not an
 * expression; give it a `function` keyword. Everything else parses inside parens.
 */
function asExpressionSource(text: string): { code: string; prefix: number } {
  const isFn = /^(async\s+)?function\b/.test(text) || /^(async\s*)?(\([^)]*\)|[A-Za-z_$][\w$]*)\s*=>/.test(text);
  if (isFn) return { code: `(${text})`, prefix: 1 };
  return { code: `(function ${text})`, prefix: 10 };
}

function findFunction(program: acorn.Program): FnNode | undefined {
  const st = program.body[0];
  if (!st || st.type !== 'ExpressionStatement') return undefined;
  const e = st.expression;
  if (e.type === 'FunctionExpression' || e.type === 'ArrowFunctionExpression') return e;
  return undefined;
}

interface Located {
  firstLine: number; text: string; map(printedOffset: number): Loc;
  /** The caller's file was read and the function is not in it (defined in another module): lines count from the function's first line, and no file is named. */
  elsewhere?: true;
}

function lineCol(content: string, pos: number): Loc {
  let line = 1, last = -1;
  for (let i = content.indexOf('\n'); i >= 0 && i < pos; i = content.indexOf('\n', i + 1)) { line++; last = i; }
  return { line, column: pos - last };
}

/** Where the function's text is in the caller's file, and how to map positions there. */
function locate(text: string, site: { file?: string; line?: number }): Located {
  const fallback: Located = { firstLine: site.line ?? 1, text, map: (off) => { const lc = lineCol(text, off); return { line: lc.line + (site.line ?? 1) - 1, column: lc.column }; } };
  const content = readSource(site.file);
  if (content === undefined) return fallback;
  const idx = content.indexOf(text);
  if (idx >= 0) {
    const first = lineCol(content, idx).line;
    const lines = content.split('\n');
    return { firstLine: first, text: lines.slice(first - 1, first - 1 + text.split('\n').length).join('\n'), map: (off) => lineCol(content, idx + off) };
  }
  // Transpiled: align tokens of the printed text with the file's.
  const file = tokenize(content);
  const printed = dropTranspilerPrefixes(tokenize(text), file);
  const start = findStart(printed, file, site.line, (p) => lineCol(content, p).line);
  // Not in the caller's file: the call site's line says nothing of where the function is (and must
  // not enter its IR's locations, which key the disk cache), so its lines count from its own first.
  if (start === undefined) return definedAtCall(content, text, site.line) ? fallback : { firstLine: 1, text, map: (off) => lineCol(text, off), elsewhere: true };
  const map = align(printed, file, start);
  let lastMapped = start;
  for (const m of map) if (m > lastMapped) lastMapped = m;
  const first = lineCol(content, file[start].pos).line;
  const lastLine = lineCol(content, file[lastMapped].pos).line;
  const lines = content.split('\n');
  return {
    firstLine: first,
    text: lines.slice(first - 1, lastLine).join('\n'),
    map: (off) => {
      // The printed token at or before `off`, then the nearest aligned one before it.
      let k = printed.length - 1;
      while (k > 0 && printed[k].pos > off) k--;
      while (k > 0 && map[k] < 0) k--;
      return lineCol(content, file[map[k] >= 0 ? map[k] : start].pos);
    },
  };
}

/** Whether the call site's line holds the function's head (`cuda.jit(function k(…` written inline), so its lines count from there. */
function definedAtCall(content: string, text: string, line: number | undefined): boolean {
  if (line === undefined) return false;
  // A named function by `function name(` (its parameters may have lost their types in a
  // transpiled printout); anything else by its head up to the end of its parameter list.
  const first = text.trimStart().split('\n')[0].replace(/\s+/g, '');
  const named = /^(async)?function\*?[\w$]+\(/.exec(first);
  const close = first.indexOf(')');
  const head = named ? named[0] : close >= 0 ? first.slice(0, close + 1) : first.slice(0, 24);
  const at = (content.split('\n')[line - 1] ?? '').replace(/\s+/g, '');
  return head.length > 2 && at.includes(head);
}

function readSource(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    // Browser-safe: node:fs only where Node provides it (no static Node import in core).
    const fs = (globalThis as { process?: { getBuiltinModule?: (m: string) => unknown } }).process?.getBuiltinModule?.('fs') as typeof import('node:fs') | undefined;
    return fs?.readFileSync(file, 'utf8');
  } catch {
    return undefined; // eval, REPL, or a bundled file that is not on disk
  }
}

/** The first stack frame outside numbat: where the user called cuda.jit. */
export function callerFile(): { file?: string; line?: number } {
  const stack = new Error().stack?.split('\n').slice(1) ?? [];
  for (const frame of stack) {
    const m = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?\s*$/.exec(frame);
    if (!m) continue;
    const file = m[1].startsWith('file://') ? decodeURIComponent(new URL(m[1]).pathname) : m[1];
    if (/[\\/]packages[\\/]core[\\/](dist|src)[\\/]/.test(file) || /@numbat[\\/]core[\\/]/.test(file) || file.startsWith('node:')) continue;
    return { file, line: Number(m[2]) };
  }
  return {};
}
