// What a launch owns. A launch that runs on worker threads (>= 4096 threads,
// or with a signal/timeout) must not depend on the user's ArrayBuffers while
// it runs: JavaScript keeps running meanwhile, and a plain ArrayBuffer can be
// transferred away (structuredClone / postMessage with `transfer`) and its
// memory freed with the new owner, a resizable one shrunk (its pages
// decommitted): native code would then touch freed memory. So such a launch
// works on launch-owned copies (SharedArrayBuffers: neither detachable nor
// shrinkable), copied in when it starts and, for parameters the kernel
// writes, copied back when it ends.
// Zero-copy: arrays backed by a SharedArrayBuffer (growable ones only grow, in
// place) and device arrays (cpu device memory is SharedArrayBuffer-backed).
// Synchronous launches (no JavaScript runs during them) use arrays in place.

import type { TypedArray } from '@numbat/core';

export interface OwnedArray {
  /** What the kernel gets: the user's array, or the launch's copy. */
  view: TypedArray;
  /** The user's array when `view` is a copy. */
  user?: TypedArray;
}

/** Whether native code may hold a pointer into this array while JavaScript runs. */
export function stableMemory(a: TypedArray): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && a.buffer instanceof SharedArrayBuffer;
}

// Copies go into pooled buffers: the first touch of fresh memory costs a page
// fault per 4 KB (measured here: 1.2 s to fill a fresh 256 MB buffer, 34 ms to
// refill it), so repeated launches on the same sizes reuse their buffers. A
// buffer returns to the pool only when its launch's native calls have returned.
const POOL_BYTES = 512 * 1024 * 1024;
const pool = new Map<number, SharedArrayBuffer[]>();
let pooled = 0;

function takeBuffer(bytes: number): SharedArrayBuffer {
  const free = pool.get(bytes);
  const b = free?.pop();
  if (b) {
    pooled -= bytes;
    return b;
  }
  return new SharedArrayBuffer(bytes);
}

/** The launch is over (its native calls have returned): its copies may serve later launches. */
export function releaseOwned(owned: readonly (OwnedArray | undefined)[]): void {
  const seen = new Set<ArrayBufferLike>();
  for (const o of owned) {
    if (!o?.user || seen.has(o.view.buffer)) continue;
    seen.add(o.view.buffer);
    const b = o.view.buffer as SharedArrayBuffer, bytes = b.byteLength;
    if (bytes === 0 || pooled + bytes > POOL_BYTES) continue;
    let free = pool.get(bytes);
    if (!free) pool.set(bytes, (free = []));
    free.push(b);
    pooled += bytes;
  }
}

/**
 * The launch's own views of its arrays (undefined entries: scalars). Arrays
 * over one ArrayBuffer share one copy of the range they span, so arguments
 * that alias (`k(x, x)`, two subarrays of one buffer) still alias in the kernel.
 */
export function ownAll(arrays: readonly (TypedArray | undefined)[]): (OwnedArray | undefined)[] {
  const spans = new Map<ArrayBufferLike, { from: number; to: number; copy?: SharedArrayBuffer }>();
  for (const a of arrays) {
    if (!a || stableMemory(a) || a.byteLength === 0) continue;
    const s = spans.get(a.buffer);
    // 8-aligned start: every view's offset in the copy stays a multiple of its element size.
    const from = Math.floor(a.byteOffset / 8) * 8, to = a.byteOffset + a.byteLength;
    if (!s) spans.set(a.buffer, { from, to });
    else { s.from = Math.min(s.from, from); s.to = Math.max(s.to, to); }
  }
  for (const [buffer, s] of spans) {
    s.copy = takeBuffer(s.to - s.from);
    new Uint8Array(s.copy).set(new Uint8Array(buffer, s.from, s.to - s.from));
  }
  return arrays.map((a) => {
    if (!a) return undefined;
    const s = a.byteLength === 0 ? undefined : spans.get(a.buffer);
    // Empty (possibly detached) arrays: a fresh empty array of the type, never the user's buffer.
    if (!s) return stableMemory(a) ? { view: a } : { view: new (a.constructor as new (n: number) => TypedArray)(0) };
    const Ctor = a.constructor as new (b: ArrayBufferLike, offset: number, length: number) => TypedArray;
    return { view: new Ctor(s.copy!, a.byteOffset - s.from, a.length), user: a };
  });
}

/**
 * Writes a copy back into the user's array. false when the user's array no
 * longer has the copy's size (its buffer was transferred away or resized
 * while the launch ran): nothing is written then.
 */
export function writeBack(o: OwnedArray): boolean {
  if (!o.user) return true;
  if (o.user.byteLength !== o.view.byteLength) return false;
  o.user.set(o.view as never);
  return true;
}
