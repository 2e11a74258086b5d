// Arrays resident on a target's device. Creation is synchronous (as numba's
// cuda.to_device); the allocation and upload finish in the background and every
// use awaits them. Every operation on a device array (a launch that uses it, a
// copy, free) takes its place in issue order at the call (`ordered`): it starts
// once everything issued earlier on the array has settled, whatever each took
// to get ready (a launch may still be compiling while a later copy is issued).

import type { Backend, Target } from './backend.js';
import { resolveTarget, usableBackend } from './targets.js';
import { checkOptions, describeValue } from './options.js';
import { DTYPE_NAMES, elemTypeOfTypedArray, isDType, TYPED_ARRAY_OF, type DType, type DType64, type ElemType, type TypedArray } from './types.js';

export class DeviceArray {
  readonly length: number = 0;
  /** Resolves once the buffer exists (and holds its initial data). */
  readonly ready: Promise<{ backend: Backend; buffer: unknown; target: Target }>;
  private freed = false;
  /** The settled `ready` value, for the synchronous launch path; cleared when free() has run. */
  resolved?: { backend: Backend; buffer: unknown; target: Target };
  /** @internal Settles (never rejects) when the last operation issued on this array has; undefined when none is running. */
  lastOp?: Promise<void>;
  constructor(readonly dtype: ElemType, readonly shape: number[], target: Target | 'auto' | undefined, init?: TypedArray | ExternalMemory) {
    this.length = shape.reduce((a, b) => a * b, 1);
    const length = this.length;
    this.ready = (async () => {
      const t = await resolveTarget(target);
      const backend = await usableBackend(t);
      if (init instanceof ExternalMemory) {
        if (!backend.adopt) throw new Error(`numbat: cuda.external: target '${t}' cannot use an application's own buffer (webgpu can: a GPUBuffer)`);
        this.resolved = { backend, buffer: await backend.adopt(init.native, dtype, length), target: t };
        return this.resolved;
      }
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
    return inOrder([this], async () => {
      const { backend, buffer } = await this.ready;
      const out = (into ?? new TYPED_ARRAY_OF[this.dtype](this.length)) as T;
      await backend.download(buffer, out);
      return out;
    });
  }
  /** Replaces the device data with `data` (of the same dtype and length). */
  async copyFromHost(data: TypedArray): Promise<void> {
    this.checkUsable('copyFromHost');
    this.checkHostArray('copyFromHost', 'source', data);
    return inOrder([this], async () => {
      const { backend, buffer } = await this.ready;
      await backend.upload(buffer, data);
    });
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
  /**
   * Releases device memory once the operations issued before on it are done
   * (otherwise it lives as long as the process); no operation can be issued after.
   */
  async free(): Promise<void> {
    if (this.freed) return;
    this.freed = true;
    return inOrder([this], async () => {
      const { backend, buffer } = await this.ready;
      this.resolved = undefined;
      backend.free(buffer);
    });
  }
}

/** Issues `op` on `arrays` now; it runs once everything issued earlier on them has settled. */
function inOrder<T>(arrays: readonly DeviceArray[], op: () => Promise<T>): Promise<T> {
  return ordered(arrays, (after) => (after ? after.then(op) : op()));
}

/**
 * @internal Issues an operation on `arrays` now: it takes its place in each
 * array's order at this call. `start` is called at once, with `after`
 * undefined when nothing issued earlier on these arrays is still running (so a
 * launch can go straight to the backend), else with a promise the operation
 * must wait for before it touches the arrays. The result settles with the
 * operation, after the arrays have noted that it is over (so code awaiting it
 * issues its next operation on idle arrays).
 */
export function ordered<T>(arrays: readonly DeviceArray[], start: (after: Promise<unknown> | undefined) => Promise<T>): Promise<T> {
  let after: Promise<unknown> | undefined;
  for (const a of arrays) if (a.lastOp) after = after ? Promise.all([after, a.lastOp]) : a.lastOp;
  let op: Promise<T>;
  try { op = start(after); } catch (e) { op = Promise.reject(e); }
  if (arrays.length === 0) return op;
  let settle!: () => void;
  const last = new Promise<void>((r) => { settle = r; });
  for (const a of arrays) a.lastOp = last;
  const end = (): void => {
    settle();
    for (const a of arrays) if (a.lastOp === last) a.lastOp = undefined;
  };
  // A fresh promise for the caller: the operation's own rejection stays unhandled if the caller ignores it.
  return new Promise<T>((resolve, reject) => op.then((v) => { end(); resolve(v); }, (e) => { end(); reject(e); }));
}

/** @internal An application's own device memory (a GPUBuffer), for cuda.external. */
export class ExternalMemory {
  constructor(readonly native: unknown) {}
}

/**
 * A device array over memory the application already owns (webgpu: a
 * GPUBuffer of the GPUDevice given to useDevice), used without copies: kernels
 * read and write it in place. `length` elements of `dtype`; free() leaves the
 * buffer to the application.
 */
export function external(native: unknown, dtype: DType | string, length: number, opts: { target?: Target | 'auto' } = {}): DeviceArray {
  checkOptions('cuda.external options', opts, ['target']);
  opts ??= {};
  const elem = isDType(dtype) ? dtype.__dtype : DTYPE_NAMES[dtype as string];
  if (!elem) throw new TypeError(`cuda.external: unknown dtype ${String(dtype)}`);
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`cuda.external: invalid length ${String(length)}`);
  if (native === null || typeof native !== 'object') throw new TypeError(`cuda.external expects a buffer object (a GPUBuffer on webgpu), got ${describeValue(native)}`);
  return new DeviceArray(elem, [length], opts.target, new ExternalMemory(native));
}

export function toDevice(data: TypedArray, opts: { target?: Target | 'auto' } = {}): DeviceArray {
  checkOptions('cuda.toDevice options', opts, ['target']);
  opts ??= {};
  const elem = elemTypeOfTypedArray(data);
  if (!elem) throw new TypeError('cuda.toDevice expects a typed array (Float32Array, Float64Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array, Uint8Array, BigInt64Array, BigUint64Array)');
  return new DeviceArray(elem, [data.length], opts.target, data);
}

export function deviceArray(shape: number | number[], dtype: DType | DType64 | string, opts: { target?: Target | 'auto' } = {}): DeviceArray {
  checkOptions('cuda.deviceArray options', opts, ['target']);
  opts ??= {};
  const elem = isDType(dtype) ? dtype.__dtype : DTYPE_NAMES[dtype as string];
  if (!elem) throw new TypeError(`cuda.deviceArray: unknown dtype ${String(dtype)}`);
  const dims = typeof shape === 'number' ? [shape] : shape;
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new RangeError(`cuda.deviceArray: invalid shape [${dims.join(', ')}]`);
  return new DeviceArray(elem, dims, opts.target);
}
