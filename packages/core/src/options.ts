// Checks of the option objects users pass (jit, launch, reduce, device arrays).
// A misspelt or misplaced key is an error naming it and the valid keys: an
// ignored option silently runs something else (e.g. `sum(x, { target })` on 'auto').

import { registeredTargets } from './backend.js';

/** Throws unless `value` is undefined or a plain object whose keys are all in `valid`. */
export function checkOptions(what: string, value: unknown, valid: readonly string[]): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`numbat: ${what} must be an object (or omitted), got ${describeValue(value)}`);
  }
  const unknown = Object.keys(value).filter((k) => !valid.includes(k));
  if (unknown.length > 0) {
    const names = unknown.map((k) => `'${k}'`).join(', ');
    throw new TypeError(`numbat: unknown key${unknown.length === 1 ? '' : 's'} ${names} in ${what}; valid keys: ${valid.join(', ')}`);
  }
}

/** A short description of a value for error messages ("null", "a string", "an array"). */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string '${v.length > 40 ? v.slice(0, 40) + '…' : v}'`;
  if (typeof v === 'object') return `an object (${(v as object).constructor?.name ?? 'no prototype'})`;
  return `a ${typeof v}`;
}

export const JIT_OPTION_KEYS = ['target', 'globals', 'signature', 'device', 'float', 'cache', 'boundscheck', 'fastmath', 'opt', 'source'] as const;

/** cuda.jit's function and options, checked before anything is parsed or compiled. */
export function checkJit(fn: unknown, options: unknown): void {
  if (typeof fn !== 'function') throw new TypeError(`numbat: cuda.jit expects a function, got ${describeValue(fn)}`);
  const name = fn.name || '<anonymous>';
  if (/^class\b/.test(Function.prototype.toString.call(fn))) {
    throw new TypeError(`numbat: cuda.jit expects a function, got the class '${name}'; write the kernel as a function (function k(a) { … } or (a) => { … })`);
  }
  checkOptions(`cuda.jit options of '${name}'`, options, JIT_OPTION_KEYS);
  const o = (options ?? {}) as Record<string, unknown>;
  const bad = (key: string, want: string) => new TypeError(`numbat: cuda.jit option '${key}' of '${name}' must be ${want}, got ${describeValue(o[key])}`);
  const targets = ['auto', ...registeredTargets()];
  if (o.target !== undefined && !targets.includes(o.target as string)) throw bad('target', `one of ${targets.map((t) => `'${t}'`).join(', ')} (a backend outside these is added with registerBackend)`);
  if (o.float !== undefined && o.float !== 'f32' && o.float !== 'f64') throw bad('float', `'f32' or 'f64' (kernels have no f16)`);
  if (o.signature !== undefined && !Array.isArray(o.signature)) throw bad('signature', `an array of parameter types such as ['f32[]', 'i32']`);
  if (o.globals !== undefined && (o.globals === null || typeof o.globals !== 'object' || Array.isArray(o.globals))) throw bad('globals', 'an object mapping names to values');
  for (const key of ['device', 'cache', 'boundscheck', 'fastmath', 'opt']) {
    if (o[key] !== undefined && typeof o[key] !== 'boolean') throw bad(key, 'true or false');
  }
  checkRecordedSource(`'${name}'`, o.source);
}

/** Throws a TypeError unless `value` is a RecordedSource (as the plugins write it). */
export function checkRecordedSource(owner: string, value: unknown): void {
  if (value === undefined) return;
  const bad = (want: string) => new TypeError(`numbat: the option 'source' of ${owner} must be ${want} (the record numbat's bundler plugin writes), got ${describeValue(value)}`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw bad('an object { text, file, line, bindings }');
  const r = value as Record<string, unknown>;
  if (typeof r.text !== 'string') throw bad('an object whose text is the function\'s source');
  if (r.file !== undefined && typeof r.file !== 'string') throw bad('an object whose file is a string');
  if (r.line !== undefined && !(Number.isInteger(r.line) && (r.line as number) >= 1)) throw bad('an object whose line is a positive integer');
  if (r.bindings !== undefined) {
    if (r.bindings === null || typeof r.bindings !== 'object') throw bad('an object whose bindings map names to thunks');
    for (const [k, v] of Object.entries(r.bindings)) if (typeof v !== 'function') throw bad(`an object whose binding '${k}' is a thunk () => value`);
  }
}
