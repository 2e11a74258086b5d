// A device function (`cuda.jit(fn, { device: true })`): callable from kernels,
// returns a value, always inlined at the call site (so every backend only ever
// lowers one function, and barriers inside device functions stay analysable).

import type { ParsedFunction } from './frontend/source.js';
import { callerFile, parseFunction } from './frontend/source.js';
import { withBindings, type RecordedSource } from './recorded-source.js';

export class DeviceFunction {
  readonly __numbatDevice = true;
  private parsed?: ParsedFunction;
  private merged?: Record<string, unknown>;
  /** Where it was defined (the user's file, searched for the text at its first parse); none for numbat's own library. */
  private readonly site: { file?: string; line?: number };
  constructor(readonly fn: Function, private readonly explicitGlobals: Record<string, unknown>, readonly name: string, readonly recorded?: RecordedSource, site?: { file?: string; line?: number }) {
    this.site = site ?? callerFile();
  }
  /** options.globals over the recorded bindings' values (read on first use: a binding may be initialised later). */
  get globals(): Record<string, unknown> {
    this.merged ??= withBindings(this.recorded, this.explicitGlobals);
    return this.merged;
  }
  /** The text compiled: the build-time record's, else fn.toString(). */
  get sourceText(): string {
    return this.recorded?.text ?? this.fn.toString();
  }
  /** Parsed lazily: a device function that is never called is never parsed. */
  parse(): ParsedFunction {
    this.parsed ??= parseFunction(this.fn, this.name, this.site, this.recorded);
    return this.parsed;
  }
}

/**
 * A device function of numbat's own library (random): defined in core's code, so in no user's
 * file (the first stack frame outside core would be whichever module imported core, and the
 * text would be searched for there). Its lines count from its own first.
 */
export function libraryFunction<F extends Function>(fn: F, globals: Record<string, unknown> = {}): F & DeviceFunction {
  return new DeviceFunction(fn, globals, fn.name, undefined, {}) as unknown as F & DeviceFunction;
}

export function isDeviceFunction(x: unknown): x is DeviceFunction {
  return x instanceof DeviceFunction;
}
