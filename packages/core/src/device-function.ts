// A device function (`cuda.jit(fn, { device: true })`): callable from kernels,
// returns a value, always inlined at the call site (so every backend only ever
// lowers one function, and barriers inside device functions stay analysable).

import type { ParsedFunction } from './frontend/source.js';
import { callerFile, parseFunction } from './frontend/source.js';

export class DeviceFunction {
  readonly __numbatDevice = true;
  private parsed?: ParsedFunction;
  private readonly site: { file?: string; line?: number };
  constructor(readonly fn: Function, readonly globals: Record<string, unknown>, readonly name: string) {
    this.site = callerFile();
  }
  /** Parsed lazily: a device function that is never called is never parsed. */
  parse(): ParsedFunction {
    this.parsed ??= parseFunction(this.fn, this.name, this.site);
    return this.parsed;
  }
}

export function isDeviceFunction(x: unknown): x is DeviceFunction {
  return x instanceof DeviceFunction;
}
