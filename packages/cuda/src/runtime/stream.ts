// Streams and events (numba's cuda.stream() / cuda.event()). A launch on a
// stream the caller created is asynchronous when it only touches device
// arrays; its errors (out-of-bounds, barrier misuse) surface at
// stream.synchronize(), or at the next launch on that stream. A launch
// without a stream (the legacy default stream) synchronises when it checks
// bounds or copies host arrays back, so its promise carries its own errors.

import type { CudaPlan } from '../codegen/abi.js';
import { CU_EVENT_DISABLE_TIMING } from '../driver/driver.js';
import type { Handle } from '../driver/libcuda.js';
import { gpu, type Gpu } from './device.js';
import { ErrorRecord } from './error-record.js';
import { launchErrorFrom } from './launch-error.js';

/** What the runtime remembers per kernel tag, to explain a record written by that kernel. */
export interface TagInfo { plan: CudaPlan; lastBlock: [number, number, number] }
const tags: TagInfo[] = [];

export function registerTag(plan: CudaPlan): number {
  tags.push({ plan, lastBlock: [1, 1, 1] });
  return tags.length - 1;
}

export function tagInfo(tag: number): TagInfo | undefined {
  return tags[tag];
}

/** Throws the LaunchError held in `rec`, if any (call when the stream is idle). */
export function throwRecorded(rec: ErrorRecord): void {
  const words = rec.read();
  if (!words) return;
  rec.reset();
  const info = tagInfo(words[2 /* ERR.TAG */]);
  throw launchErrorFrom(words, info?.plan, info?.lastBlock ?? [1, 1, 1]);
}

let defaultRecord: ErrorRecord | undefined;
/** The record of the legacy default stream. */
export function defaultStreamRecord(g: Gpu): ErrorRecord {
  defaultRecord ??= new ErrorRecord(g);
  return defaultRecord;
}

export class Stream {
  readonly handle: Handle;
  readonly record: ErrorRecord;
  private destroyed = false;
  /** Launches on this stream may be in flight (their errors not yet checked). */
  pending = false;

  constructor(private readonly g: Gpu = gpu()) {
    g.context();
    this.handle = g.driver.streamCreate(0);
    this.record = new ErrorRecord(g);
  }

  /** Waits for all work queued on the stream; rejects with a kernel's LaunchError if one failed. */
  async synchronize(): Promise<void> {
    this.synchronizeNow();
  }

  synchronizeNow(): void {
    this.live();
    this.g.driver.streamSynchronize(this.handle);
    this.pending = false;
    throwRecorded(this.record);
  }

  /** true when all queued work has finished. */
  query(): boolean {
    this.live();
    return this.g.driver.streamQuery(this.handle);
  }

  /** Waits for the stream's work, then releases it and its error record. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.g.driver.streamSynchronize(this.handle);
    this.g.driver.streamDestroy(this.handle);
    this.record.free();
  }

  private live(): void {
    if (this.destroyed) throw new Error('numbat cuda: this stream was destroyed');
  }
}

export class Event {
  readonly handle: Handle;
  private destroyed = false;

  constructor(timing = true, private readonly g: Gpu = gpu()) {
    g.context();
    this.handle = g.driver.eventCreate(timing ? 0 : CU_EVENT_DISABLE_TIMING);
  }

  /** Records the event on a stream (default: the legacy default stream). */
  record(stream?: Stream): this {
    this.g.driver.eventRecord(this.handle, stream?.handle ?? null);
    return this;
  }

  async synchronize(): Promise<void> {
    this.g.driver.eventSynchronize(this.handle);
  }

  synchronizeNow(): void {
    this.g.driver.eventSynchronize(this.handle);
  }

  query(): boolean {
    return this.g.driver.eventQuery(this.handle);
  }

  /** Milliseconds from this event to `end` (both recorded and completed). */
  elapsedTime(end: Event): number {
    return this.g.driver.eventElapsed(this.handle, end.handle);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.g.driver.eventDestroy(this.handle);
  }
}

/** numba's cuda.stream(). */
export function stream(): Stream {
  return new Stream();
}

/** numba's cuda.event(timing = true). */
export function event(timing = true): Event {
  return new Event(timing);
}
