// Getting a kernel's source text and parsing it. `fn.toString()` gives the text;
// the user's file and line come from the stack of the `cuda.jit` call, and the
// line of the function inside that file from searching the file for the text.

import * as acorn from 'acorn';
import type { SourceInfo } from '../ir/nodes.js';
import { CompileError } from '../errors.js';

export type FnNode = acorn.FunctionDeclaration | acorn.FunctionExpression | acorn.ArrowFunctionExpression;

export interface ParsedFunction {
  node: FnNode;
  name: string;
  source: SourceInfo;
  /** Add to acorn's 1-based line to get the line in the user's file. */
  lineOffset: number;
  /** Characters we prepended on line 1 to make the text parse as an expression. */
  colPrefix: number;
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

export function parseFunction(fn: Function, kernelName: string, site: { file?: string; line?: number }): ParsedFunction {
  const text = fn.toString();
  if (text.includes('[native code]')) {
    throw new CompileError('native function', `cuda.jit needs a JavaScript function with source, got a native or bound function`, kernelName);
  }
  const firstLine = locateInFile(text, site);
  const source: SourceInfo = { file: site.file, firstLine, text };
  const wrapped = asExpressionSource(text);
  let program: acorn.Program;
  try {
    program = acorn.parse(wrapped.code, { ecmaVersion: 'latest', sourceType: 'module', locations: true });
  } catch (e) {
    const err = e as { loc?: { line: number; column: number }; message: string };
    const loc = err.loc ? { line: err.loc.line + firstLine - 1, column: err.loc.column + 1 - (err.loc.line === 1 ? wrapped.prefix : 0) } : undefined;
    throw new CompileError('syntax', `cannot parse kernel source: ${err.message.replace(/ \(\d+:\d+\)$/, '')}`, kernelName, source, loc);
  }
  const node = findFunction(program);
  if (!node) throw new CompileError('function', 'cuda.jit expects a function', kernelName, source);
  const name = (node.type !== 'ArrowFunctionExpression' && node.id?.name) || fn.name || kernelName;
  return { node, name, source, lineOffset: firstLine - 1, colPrefix: wrapped.prefix };
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

/** Line in the caller's file where the function text starts; falls back to the call line. */
function locateInFile(text: string, site: { file?: string; line?: number }): number {
  if (!site.file) return 1;
  try {
    // Browser-safe: node:fs only where Node provides it (no static Node import in core).
    const fs = (globalThis as { process?: { getBuiltinModule?: (m: string) => unknown } }).process?.getBuiltinModule?.('fs') as typeof import('node:fs') | undefined;
    if (!fs) return site.line ?? 1;
    const content = fs.readFileSync(site.file, 'utf8');
    let idx = content.indexOf(text);
    if (idx < 0) {
      // Transpiled code prints differently from the file; anchor on the first line.
      const head = text.split('\n')[0].trim();
      if (head.length > 8) idx = content.indexOf(head);
    }
    if (idx >= 0) return content.slice(0, idx).split('\n').length;
  } catch {
    // not a readable file (eval, REPL): fall through
  }
  return site.line ?? 1;
}
