// Names a kernel may use without declaring them: `cuda`, `Math`, the dtypes,
// and namespaces core registers by name (`random`).
// Transpilers rename imports (`__vi_import_0__.cuda`, `core_1.cuda`,
// `(0, core_1.cuda)`), so a member of an unknown namespace with one of these
// names resolves the same way.

import type { Val } from './values.js';
import { DTYPE_NAMES } from '../types.js';

export const BUILTIN_NAMES: ReadonlySet<string> = new Set(['cuda', 'Math', 'random', 'BigInt', 'Number', 'isNaN', 'isFinite', ...Object.keys(DTYPE_NAMES)]);

/** Host objects (namespaces of device functions) reachable by a builtin name. */
const namedBuiltins = new Map<string, unknown>();
export function registerNamedBuiltin(name: string, value: unknown): void {
  namedBuiltins.set(name, value);
}

/** The host objects that denote builtins when captured through globals. */
const hostBuiltins = new Map<unknown, Val>([[Math, { k: 'ns', path: 'Math' }]]);

export function registerHostBuiltin(value: unknown, val: Val): void {
  hostBuiltins.set(value, val);
}

export function resolveHostValue(name?: string, value?: unknown): Val {
  if (name !== undefined) {
    if (name === 'cuda' || name === 'Math' || name === 'BigInt' || name === 'Number' || name === 'isNaN' || name === 'isFinite') return { k: 'ns', path: name };
    const e = DTYPE_NAMES[name];
    if (e) return { k: 'dtype', elem: e };
    if (namedBuiltins.has(name)) return { k: 'host', value: namedBuiltins.get(name) };
  }
  return hostBuiltins.get(value) as Val;
}
