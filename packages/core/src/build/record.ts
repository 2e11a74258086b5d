// The build-time half of kernels that survive minifiers: finds the functions a
// module hands to `cuda.jit` (kernels, device functions) and to `reduce` /
// `cuda.reduce`, and rewrites each call to pass `source`: the function's
// original text (a TypeScript file's types stripped) and a thunk per module
// binding its free names denote. The minifier then renames the thunks' names
// together with the bindings, and the runtime (recorded-source.ts) compiles
// the original text. Parsing and scopes come from TypeScript's parser and
// binder (a one-file program without libraries), never from patterns.

import ts from 'typescript';
import { relative, sep } from 'node:path';

export interface RecordOptions {
  /** Recorded file names are relative to this directory (default: the working directory). */
  root?: string;
}

export interface RecordResult {
  /** The rewritten module (undefined: nothing to record, keep the input). */
  code?: string;
  /** How many calls got a record. */
  recorded: number;
  /** Calls left as they were, and why (a function defined in another module, …). */
  warnings: { message: string; line: number; column: number }[];
}

interface Edit { pos: number; end: number; text: string }

/** Records the kernels of one module; `file` is its path (its extension picks JavaScript or TypeScript). */
export function recordKernels(code: string, file: string, options: RecordOptions = {}): RecordResult {
  const result: RecordResult = { recorded: 0, warnings: [] };
  // A fast path, not a parse: a module that never says jit or reduce has nothing to record.
  if (!code.includes('jit') && !code.includes('reduce')) return result;
  const kind = scriptKind(file);
  const isTs = kind === ts.ScriptKind.TS || kind === ts.ScriptKind.TSX;
  const virtualName = `/numbat-record/module${extensionOf(kind)}`;
  const sf = ts.createSourceFile(virtualName, code, ts.ScriptTarget.Latest, true, kind);
  const host: ts.CompilerHost = {
    getSourceFile: (name) => (name === virtualName ? sf : undefined),
    getDefaultLibFileName: () => '/numbat-record/lib.d.ts',
    writeFile: () => {},
    getCurrentDirectory: () => '/numbat-record',
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (name) => name === virtualName,
    readFile: () => undefined,
  };
  const program = ts.createProgram({ rootNames: [virtualName], options: { noLib: true, noResolve: true, allowJs: true, types: [] }, host });
  const checker = program.getTypeChecker();
  const names = numbatImports(sf);
  const fileName = relative(options.root ?? process.cwd(), file.replace(/[?#].*$/, '')).split(sep).join('/');
  const edits: Edit[] = [];

  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && isRecordedCall(node, names)) {
      const edit = recordCall(node, sf, checker, isTs, fileName, result);
      if (edit) { edits.push(edit); result.recorded++; }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  if (edits.length === 0) return result;
  let out = code;
  for (const e of edits.sort((a, b) => b.pos - a.pos)) out = out.slice(0, e.pos) + e.text + out.slice(e.end);
  result.code = out;
  return result;
}

function scriptKind(file: string): ts.ScriptKind {
  const path = file.replace(/[?#].*$/, '');
  if (/\.(ts|mts|cts)$/.test(path)) return ts.ScriptKind.TS;
  if (/\.tsx$/.test(path)) return ts.ScriptKind.TSX;
  if (/\.jsx$/.test(path)) return ts.ScriptKind.JSX;
  return ts.ScriptKind.JS;
}

function extensionOf(kind: ts.ScriptKind): string {
  return kind === ts.ScriptKind.TS ? '.ts' : kind === ts.ScriptKind.TSX ? '.tsx' : kind === ts.ScriptKind.JSX ? '.jsx' : '.js';
}

/** The local names of numbat's `cuda` and `reduce` imports, and of namespace imports of core. */
interface NumbatNames { cuda: Set<string>; reduce: Set<string>; namespaces: Set<string> }

function numbatImports(sf: ts.SourceFile): NumbatNames {
  const names: NumbatNames = { cuda: new Set(['cuda']), reduce: new Set(), namespaces: new Set() };
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue;
    const from = st.moduleSpecifier.text;
    const bindings = st.importClause?.namedBindings;
    if (!bindings) continue;
    if (ts.isNamespaceImport(bindings)) { if (from === '@numbat/core') names.namespaces.add(bindings.name.text); continue; }
    for (const el of bindings.elements) {
      const imported = (el.propertyName ?? el.name).text;
      // `cuda` under another name from anywhere (numbat, or a module re-exporting it); reduce only from numbat.
      if (imported === 'cuda') names.cuda.add(el.name.text);
      if (imported === 'reduce' && from.startsWith('@numbat/')) names.reduce.add(el.name.text);
    }
  }
  return names;
}

/** `cuda.jit(…)`, `x.cuda.jit(…)`, `cuda.reduce(…)`, and `reduce(…)` / `ns.reduce(…)` imported from numbat. */
function isRecordedCall(call: ts.CallExpression, names: NumbatNames): boolean {
  const callee = skipParens(call.expression);
  if (ts.isIdentifier(callee)) return names.reduce.has(callee.text);
  if (!ts.isPropertyAccessExpression(callee)) return false;
  const member = callee.name.text;
  const obj = skipParens(callee.expression);
  const isCuda = (ts.isIdentifier(obj) && names.cuda.has(obj.text)) || (ts.isPropertyAccessExpression(obj) && obj.name.text === 'cuda');
  if (member === 'jit' || member === 'reduce') return isCuda || (member === 'reduce' && ts.isIdentifier(obj) && names.namespaces.has(obj.text));
  return false;
}

function skipParens(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
  return e;
}

type FnLike = ts.FunctionDeclaration | ts.FunctionExpression | ts.ArrowFunction;

function recordCall(call: ts.CallExpression, sf: ts.SourceFile, checker: ts.TypeChecker, isTs: boolean, fileName: string, result: RecordResult): Edit | undefined {
  const warn = (message: string) => {
    const { line, character } = sf.getLineAndCharacterOfPosition(call.getStart(sf));
    result.warnings.push({ message, line: line + 1, column: character + 1 });
  };
  const args = call.arguments;
  if (args.length < 1 || args.length > 2 || args.some(ts.isSpreadElement)) return undefined;
  const opts = args[1] ? skipParens(args[1]) : undefined;
  if (opts && isRecorded(opts)) return undefined;
  const fn = functionOf(args[0], checker);
  if (!fn) {
    // reduce(deviceFunction) needs no record (the device function has its own); anything else is worth a word.
    if (ts.isIdentifier(skipParens(args[0])) && isDeviceFunctionBinding(skipParens(args[0]) as ts.Identifier, checker)) return undefined;
    warn(`numbat: cannot record the source of the function passed here (not a function defined in this module); a minified build will not compile it`);
    return undefined;
  }
  // A declaration's text starts at `function` (not at `export`).
  const start = ts.isFunctionDeclaration(fn) ? fn.getChildren(sf).find((c) => c.kind === ts.SyntaxKind.FunctionKeyword)?.getStart(sf) ?? fn.getStart(sf) : fn.getStart(sf);
  const original = sf.text.slice(start, fn.end);
  const text = isTs ? stripTypes(original) : original;
  const line = sf.getLineAndCharacterOfPosition(start).line + 1;
  const bindingNames = freeBindings(fn, checker);
  const same = (s: ts.Symbol) => checker.getExportSymbolOfSymbol(s);
  const inScope = new Map(checker.getSymbolsInScope(call, ts.SymbolFlags.Value | ts.SymbolFlags.Alias).map((s) => [s.name, same(s)]));
  const bindings: string[] = [];
  for (const [name, symbol] of bindingNames) {
    // The thunk is written at the call: only where the name means the same binding there.
    if (inScope.get(name) !== same(symbol)) { warn(`numbat: '${name}' in the function passed here names another binding at this call; it is not recorded (pass it in globals)`); continue; }
    bindings.push(`${name}: () => ${name}`);
  }
  const record = `{ text: ${JSON.stringify(text)}, file: ${JSON.stringify(fileName)}, line: ${line}, bindings: { ${bindings.join(', ')} } }`;
  if (!args[1]) return { pos: args[0].end, end: args[0].end, text: `, { source: ${record} }` };
  if (opts && ts.isObjectLiteralExpression(opts)) {
    const open = opts.getStart(sf) + 1;
    return { pos: open, end: open, text: ` source: ${record},` };
  }
  // Any other options expression: add the record to an object, pass anything else on for the runtime to refuse.
  const o = args[1];
  return { pos: o.getStart(sf), end: o.end, text: `(function ${WRAPPER}(o) { return o === undefined ? { source: ${record} } : o !== null && typeof o === 'object' && !Array.isArray(o) ? { ...o, source: ${record} } : o; })(${o.getText(sf)})` };
}

const WRAPPER = 'numbatRecordedSource';

/** Options that carry a record already (the plugin ran twice, e.g. Vite's dev server and a test runner). */
function isRecorded(opts: ts.Expression): boolean {
  if (ts.isObjectLiteralExpression(opts)) return opts.properties.some((p) => p.name && ts.isIdentifier(p.name) && p.name.text === 'source');
  if (!ts.isCallExpression(opts)) return false;
  const callee = skipParens(opts.expression);
  return ts.isFunctionExpression(callee) && callee.name?.text === WRAPPER;
}

/** The function an argument denotes: a function literal, or a function this module declares by that name. */
function functionOf(arg: ts.Expression, checker: ts.TypeChecker): FnLike | undefined {
  const e = skipParens(arg);
  if (ts.isFunctionExpression(e) || ts.isArrowFunction(e)) return e;
  if (!ts.isIdentifier(e)) return undefined;
  const symbol = checker.getSymbolAtLocation(e);
  const decls = symbol?.declarations ?? [];
  if (decls.length !== 1) return undefined;
  const d = decls[0];
  if (ts.isFunctionDeclaration(d) && d.body) return d;
  if (ts.isVariableDeclaration(d) && d.initializer && ts.isVariableDeclarationList(d.parent) && (d.parent.flags & ts.NodeFlags.Const)) {
    const init = skipParens(d.initializer);
    if (ts.isFunctionExpression(init) || ts.isArrowFunction(init)) return init;
  }
  return undefined;
}

function isDeviceFunctionBinding(id: ts.Identifier, checker: ts.TypeChecker): boolean {
  const d = checker.getSymbolAtLocation(id)?.declarations?.[0];
  return !!d && ts.isVariableDeclaration(d) && !!d.initializer && ts.isCallExpression(skipParens(d.initializer));
}

/**
 * The free names of `fn` that denote bindings of this module (imports, declarations at
 * any enclosing level), with their symbols. Globals such as Math have no declaration
 * here and are not recorded (minifiers keep them); names in type positions are skipped.
 */
function freeBindings(fn: FnLike, checker: ts.TypeChecker): Map<string, ts.Symbol> {
  const found = new Map<string, ts.Symbol>();
  const visit = (node: ts.Node): void => {
    if (ts.isTypeNode(node)) return;
    if (ts.isIdentifier(node) && isValueReference(node)) {
      const symbol = ts.isShorthandPropertyAssignment(node.parent) ? checker.getShorthandAssignmentValueSymbol(node.parent) : checker.getSymbolAtLocation(node);
      const decls = symbol?.declarations ?? [];
      const outside = decls.length > 0 && decls.every((d) => d.getSourceFile() === fn.getSourceFile() && (d.end <= fn.getStart() || d.getStart() >= fn.end));
      if (symbol && outside && !decls.some(isTypeOnly)) found.set(node.text, symbol);
    }
    ts.forEachChild(node, visit);
  };
  // The function's own name (a declaration's) is a binding of its own, not a free name.
  if (fn.body) visit(fn.body);
  for (const p of fn.parameters) if (p.initializer) visit(p.initializer);
  return found;
}

function isValueReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if ((ts.isPropertyAccessExpression(p) || ts.isQualifiedName(p)) && (p as ts.PropertyAccessExpression).name === id) return false;
  if ((ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p)) && p.name === id) return false;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  if ((ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isFunctionDeclaration(p) || ts.isFunctionExpression(p) || ts.isBindingElement(p)) && p.name === id) return false;
  return true;
}

function isTypeOnly(d: ts.Declaration): boolean {
  if (ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d)) return true;
  if (ts.isImportSpecifier(d)) return d.isTypeOnly || d.parent.parent.isTypeOnly;
  if (ts.isImportClause(d) || ts.isNamespaceImport(d)) return (ts.isImportClause(d) ? d : d.parent).isTypeOnly;
  return false;
}

/** A TypeScript function's text as JavaScript: TypeScript's own emit of it, types removed. */
function stripTypes(text: string): string {
  const js = ts.transpileModule(`(${text});`, { compilerOptions: { target: ts.ScriptTarget.ESNext, module: ts.ModuleKind.ESNext, removeComments: false }, reportDiagnostics: false }).outputText;
  const out = ts.createSourceFile('/numbat-record/stripped.js', js, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const st = out.statements[0];
  if (st && ts.isExpressionStatement(st) && ts.isParenthesizedExpression(st.expression)) return st.expression.expression.getText(out);
  return text; // not expected: keep the original, the runtime's parser will say what it cannot read
}
