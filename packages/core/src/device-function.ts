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
  private readonly site: { file?: string; line?: number };
  constructor(readonly fn: Function, private readonly explicitGlobals: Record<string, unknown>, readonly name: string, readonly recorded?: RecordedSource) {
    this.site = callerFile();
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

export function isDeviceFunction(x: unknown): x is DeviceFunction {
  return x instanceof DeviceFunction;
}
