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

/** The launch's own view of `a`: `a` itself when its memory is stable, else a copy. */
export function own(a: TypedArray): OwnedArray {
  if (stableMemory(a)) return { view: a };
  const Ctor = a.constructor as new (b: ArrayBufferLike) => TypedArray;
  const copy = new Ctor(new SharedArrayBuffer(a.byteLength));
  copy.set(a as never);
  return { view: copy, user: a };
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
