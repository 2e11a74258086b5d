// Arrays resident on a target's device. Creation is synchronous (as numba's
// cuda.to_device); the allocation and upload finish in the background and every
// use awaits them.

import type { Backend, Target } from './backend.js';
import { resolveTarget, usableBackend } from './targets.js';
import { checkOptions, describeValue } from './options.js';
import { DTYPE_NAMES, elemTypeOfTypedArray, isDType, TYPED_ARRAY_OF, type DType, type ElemType, type TypedArray } from './types.js';

export class DeviceArray {
  readonly length: number = 0;
  /** Resolves once the buffer exists (and holds its initial data). */
  readonly ready: Promise<{ backend: Backend; buffer: unknown; target: Target }>;
  private freed = false;
  /** The settled `ready` value, for the synchronous launch path. */
  resolved?: { backend: Backend; buffer: unknown; target: Target };
  constructor(readonly dtype: ElemType, readonly shape: number[], target: Target | 'auto' | undefined, init?: TypedArray) {
    this.length = shape.reduce((a, b) => a * b, 1);
    const length = this.length;
    this.ready = (async () => {
      const t = await resolveTarget(target);
      const backend = await usableBackend(t);
      const buffer = await backend.alloc(dtype, length);
      if (init) await backend.upload(buffer, init);
      this.resolved = { backend, buffer, target: t };
      return this.resolved;
    })();
    this.ready.catch(() => {}); // surfaced when used, not as an unhandled rejection
  }
  /** Copies the device data into a new typed array (or `into`, of the same dtype and length). */
  async copyToHost<T extends TypedArray>(into?: T): Promise<T> {
    this.checkUsable('copyToHost');
    if (into !== undefined) this.checkHostArray('copyToHost', 'destination', into);
    const { backend, buffer } = await this.ready;
    this.checkUsable('copyToHost'); // freed while the allocation was settling
    const out = (into ?? new TYPED_ARRAY_OF[this.dtype](this.length)) as T;
    await backend.download(buffer, out);
    return out;
  }
  /** Replaces the device data with `data` (of the same dtype and length). */
  async copyFromHost(data: TypedArray): Promise<void> {
    this.checkUsable('copyFromHost');
    this.checkHostArray('copyFromHost', 'source', data);
    const { backend, buffer } = await this.ready;
    this.checkUsable('copyFromHost');
    await backend.upload(buffer, data);
  }
  /** "a device array of 4 f32" for messages. */
  describe(): string {
    return `a device array of ${this.length} ${this.dtype}${this.shape.length > 1 ? ` (shape [${this.shape.join(', ')}])` : ''}`;
  }
  private checkUsable(op: string): void {
    if (this.freed) throw new Error(`numbat: ${op} on ${this.describe()} that was freed; free() releases it for good`);
  }
  // Checked here once for every target: backends would reinterpret bits, copy part or ignore the copy.
  private checkHostArray(op: string, role: string, a: unknown): void {
    const elem = elemTypeOfTypedArray(a);
    if (!elem) throw new TypeError(`numbat: ${op}: the ${role} must be a typed array of ${this.dtype} (for ${this.describe()}), got ${describeValue(a)}`);
    const t = a as TypedArray;
    const got = `the ${role} (${t.constructor.name}, ${t.length} elements) does not match ${this.describe()}`;
    if (elem !== this.dtype) throw new TypeError(`numbat: ${op}: ${got}: its dtype is ${elem}, not ${this.dtype}; numbat never converts data silently`);
    if (t.length !== this.length) throw new RangeError(`numbat: ${op}: ${got}: it has ${t.length} elements, not ${this.length}; use subarray() to copy part of an array`);
  }
  /** true after free(): the array can no longer be used. */
  get isFreed(): boolean {
    return this.freed;
  }
  /** Releases device memory now (otherwise it lives as long as the process). */
  async free(): Promise<void> {
    if (this.freed) return;
    this.freed = true;
    this.resolved = undefined;
    const { backend, buffer } = await this.ready;
    backend.free(buffer);
  }
}

export function toDevice(data: TypedArray, opts: { target?: Target | 'auto' } = {}): DeviceArray {
  checkOptions('cuda.toDevice options', opts, ['target']);
  opts ??= {};
  const elem = elemTypeOfTypedArray(data);
  if (!elem) throw new TypeError('cuda.toDevice expects a typed array (Float32Array, Float64Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array, Uint8Array)');
  return new DeviceArray(elem, [data.length], opts.target, data);
}

export function deviceArray(shape: number | number[], dtype: DType | string, opts: { target?: Target | 'auto' } = {}): DeviceArray {
  checkOptions('cuda.deviceArray options', opts, ['target']);
  opts ??= {};
  const elem = isDType(dtype) ? dtype.__dtype : DTYPE_NAMES[dtype as string];
  if (!elem) throw new TypeError(`cuda.deviceArray: unknown dtype ${String(dtype)}`);
  const dims = typeof shape === 'number' ? [shape] : shape;
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new RangeError(`cuda.deviceArray: invalid shape [${dims.join(', ')}]`);
  return new DeviceArray(elem, dims, opts.target);
}
