// Streams and events for core's cuda.stream()/cuda.event() on WebGPU. The
// device has one queue, so every stream's launches reach the GPU in the order
// they were issued; what a stream adds is asynchrony: a launch on a stream
// that copies no host array back returns once recorded, and its errors
// (bounds, barriers, cut loops, WebGPU failures) surface at
// stream.synchronize() or at the next launch on that stream. Events are host
// timestamps taken when the GPU has finished the work recorded before them.

import type { BackendStreams } from '@numbat/core';

export class WebGpuStream {
  private firstError?: { error: unknown };
  /** Settles (never rejects) when the latest launch on this stream has finished. */
  private last: Promise<void> = Promise.resolve();

  /** A launch on this stream was recorded; `done` settles when it has finished. */
  track(done: Promise<void>): void {
    this.last = done.then(() => undefined, (e) => { this.firstError ??= { error: e }; });
  }

  /** Throws (and forgets) the first error since the last call, if one is known. */
  throwError(): void {
    const e = this.firstError;
    this.firstError = undefined;
    if (e) throw e.error;
  }

  async synchronize(): Promise<void> {
    await this.last;
    this.throwError();
  }

  /** Settles when the work recorded on this stream so far has finished. */
  finished(): Promise<void> {
    return this.last;
  }
}

export class WebGpuEvent {
  private done?: Promise<void>;
  /** performance.now() when the work before the record point had finished. */
  at?: number;

  constructor(readonly timing: boolean) {}

  record(finished: Promise<void>): void {
    this.at = undefined;
    const p: Promise<void> = finished.then(() => { if (this.done === p) this.at = performance.now(); });
    this.done = p;
  }

  async synchronize(): Promise<void> {
    await this.done;
  }
}

/**
 * `finishedAll()` settles when all work issued so far on the device (the
 * default stream included) has finished.
 */
export function webgpuStreams(finishedAll: () => Promise<void>): BackendStreams {
  return {
    createStream: () => new WebGpuStream(),
    synchronizeStream: (s) => (s as WebGpuStream).synchronize(),
    destroyStream: () => {},
    createEvent: (timing) => new WebGpuEvent(timing),
    recordEvent: (ev, s) => (ev as WebGpuEvent).record(s ? (s as WebGpuStream).finished() : finishedAll()),
    synchronizeEvent: (ev) => (ev as WebGpuEvent).synchronize(),
    queryEvent: (ev) => (ev as WebGpuEvent).at !== undefined,
    elapsedMs: (a, b) => {
      const s = (a as WebGpuEvent).at, e = (b as WebGpuEvent).at;
      if (s === undefined || e === undefined) throw new Error('numbat webgpu: elapsedTime needs both events completed (await event.synchronize() first)');
      return e - s;
    },
    destroyEvent: () => {},
  };
}
