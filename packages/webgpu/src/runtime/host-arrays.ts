// Host typed arrays that launches still in flight will write back. A launch
// uploads a host array and copies it back whole, so a later launch on the same
// array must not upload its contents before the earlier launches have written
// back: it uses their GPU copy instead (which holds exactly what they will
// write back), so un-awaited launches compose as if awaited one by one. A
// launch on another view that overlaps such an array waits for its launches.

/// <reference types="@webgpu/types" />

import type { TypedArray } from '@numbat/core';
import type { BufferPool } from './pool.js';

export interface InFlight {
  buffer: GPUBuffer;
  /** Launches using this copy that have not finished. */
  refs: number;
  /** Settles (never rejects) when the latest of them has finished. */
  settled: Promise<void>;
}

export class InFlightHostArrays {
  private readonly arrays = new Map<TypedArray, InFlight>();

  constructor(private readonly pool: BufferPool) {}

  get(host: TypedArray): InFlight | undefined {
    return this.arrays.get(host);
  }

  /** Launches in flight on other views of `host`'s memory that overlap it. */
  overlapping(host: TypedArray): Promise<void>[] {
    const out: Promise<void>[] = [];
    const lo = host.byteOffset, hi = lo + host.byteLength;
    for (const [other, f] of this.arrays) {
      if (other !== host && other.buffer === host.buffer && other.byteOffset < hi && lo < other.byteOffset + other.byteLength) out.push(f.settled);
    }
    return out;
  }

  /** Registers `buffer` as the GPU copy of `host` that later launches use. */
  add(host: TypedArray, buffer: GPUBuffer): InFlight {
    const f: InFlight = { buffer, refs: 0, settled: Promise.resolve() };
    this.arrays.set(host, f);
    return f;
  }

  /** One more launch uses `f` (until it calls release). */
  use(f: InFlight): void {
    f.refs++;
  }

  /** `done` settles when the latest launch using `f` has finished. */
  track(f: InFlight, done: Promise<void>): void {
    f.settled = done.then(() => undefined, () => undefined);
  }

  /** A launch using `f` has finished: the last one returns the buffer to the pool. */
  release(host: TypedArray, f: InFlight): void {
    if (--f.refs > 0) return;
    if (this.arrays.get(host) === f) this.arrays.delete(host);
    this.pool.release(f.buffer);
  }
}
