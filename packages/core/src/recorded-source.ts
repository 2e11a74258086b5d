// Kernel sources recorded at build time by numbat's bundler plugins
// (`@numbat/core/build`): the function's original text and the module bindings
// its free names denote. A minifier renames both the function's text and the
// bindings; with a record the compiler reads the original names and gets each
// binding's value through a thunk the minifier renamed consistently.

import { BUILTIN_NAMES } from './frontend/names.js';

export interface RecordedSource {
  /** The function's original text (JavaScript; a TypeScript file's types stripped). */
  text: string;
  /** The original file (relative to the build's working directory) and the function's first line, for error frames. */
  file?: string;
  line?: number;
  /**
   * The module bindings the function's free names denote, as thunks: a binding may be
   * initialised after `cuda.jit` runs, so each is read when the kernel first compiles.
   */
  bindings?: Record<string, () => unknown>;
}

/**
 * The kernel's globals: its recorded bindings' values under their source names,
 * then `explicit` (options.globals) over them. Builtin names (`cuda`, `random`,
 * the dtypes) resolve by name as they do without a record; a binding whose
 * thunk throws (not yet initialised) is left out, so its name fails as unknown.
 */
export function withBindings(recorded: RecordedSource | undefined, explicit: Record<string, unknown>): Record<string, unknown> {
  if (!recorded?.bindings) return explicit;
  const out: Record<string, unknown> = {};
  for (const [name, thunk] of Object.entries(recorded.bindings)) {
    if (BUILTIN_NAMES.has(name)) continue;
    try {
      out[name] = thunk();
    } catch {
      // a binding in its temporal dead zone
    }
  }
  return Object.assign(out, explicit);
}
