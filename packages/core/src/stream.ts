// Streams and events, numba style (`cuda.stream()`, `cuda.event()`,
// `cuda.eventElapsedTime`), on every target. A Stream binds to a target at
// its first launch: a backend with native streams (cuda) gets one created
// through `Backend.streams`, and launches are queued there asynchronously;
// elsewhere the stream is an ordered queue of launch promises, so launches on
// one stream still run one after another and `synchronize()` waits for them.
// Core only sees the optional `BackendStreams` interface, never a backend.

import type { Backend, Target } from './backend.js';

/** What a backend with native streams offers (optional part of Backend). */
export interface BackendStreams {
  createStream(): unknown;
  synchronizeStream(native: unknown): Promise<void>;
  destroyStream(native: unknown): void;
  createEvent(timing: boolean): unknown;
  /** Records on `native` stream, or the default stream when undefined. */
  recordEvent(event: unknown, native: unknown): void;
  synchronizeEvent(event: unknown): Promise<void>;
  queryEvent(event: unknown): boolean;
  /** Milliseconds between two recorded, completed events. */
  elapsedMs(start: unknown, end: unknown): number;
  destroyEvent(event: unknown): void;
}

let lastBackend: Backend | undefined;
/** Called by each launch: an event recorded without a stream goes to this backend's default stream. */
export function noteLaunchBackend(b: Backend): void {
  lastBackend = b;
}

/** A launch ready to run: resolved backend, compiled kernel and arguments. */
export interface PreparedLaunch {
  backend: Backend;
  run(nativeStream: unknown): Promise<void>;
}

export class Stream {
  private bound?: { target: Target; backend: Backend; native?: unknown };
  /** The end of the queue: settles when the last queued launch has been issued (native) or has finished (host). */
  private tail: Promise<void> = Promise.resolve();
  private firstError?: unknown;
  private earlyEvents: Event[] = [];
  private destroyed = false;

  /** The target this stream is bound to (after its first launch), if any. */
  get target(): Target | undefined {
    return this.bound?.target;
  }

  /**
   * @internal Queues a launch. Its place in the queue is taken now, at the call, even though compiling
   * it may take longer than compiling a later one: launches on a stream run in issue order.
   */
  enqueue(prepared: Promise<PreparedLaunch>): Promise<void> {
    prepared.catch(() => {}); // awaited below, maybe after it rejects: not an unhandled rejection
    if (this.destroyed) return Promise.reject(new Error('numbat: this stream was destroyed'));
    const result = this.tail.then(async () => {
      const p = await prepared;
      if (!this.bound) {
        this.bound = { target: p.backend.target, backend: p.backend, native: p.backend.streams?.createStream() };
        // Events recorded before the first launch mark the start of the native stream too.
        if (this.bound.native !== undefined) for (const ev of this.earlyEvents) ev.recordNative(p.backend, this.bound.native);
        this.earlyEvents = [];
      } else if (this.bound.backend !== p.backend) {
        throw new Error(`numbat: this stream belongs to target '${this.bound.target}'; a launch on '${p.backend.target}' needs a stream of its own`);
      }
      return p.run(this.bound.native);
    });
    this.tail = result.catch((e) => { this.firstError ??= e; });
    return result;
  }

  /** @internal Records `event` once the work queued so far is issued (native) or done (host). */
  recordOn(event: Event): void {
    this.live();
    const at = this.tail.then(() => {
      if (this.bound?.native !== undefined) event.recordNative(this.bound.backend, this.bound.native);
      else {
        event.recordHostNow();
        if (!this.bound) this.earlyEvents.push(event);
      }
    });
    this.tail = at;
    event.pendingRecord(at);
  }

  /** Waits for everything queued on the stream; rejects with the error of a launch that failed since the last synchronize. */
  async synchronize(): Promise<void> {
    this.live();
    await this.tail;
    if (this.bound?.native !== undefined) await this.bound.backend.streams!.synchronizeStream(this.bound.native).catch((e) => { this.firstError ??= e; });
    const e = this.firstError;
    this.firstError = undefined;
    if (e !== undefined) throw e;
  }

  /** Waits for queued work, then frees the native stream. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await this.tail;
    if (this.bound?.native !== undefined) this.bound.backend.streams!.destroyStream(this.bound.native);
  }

  private live(): void {
    if (this.destroyed) throw new Error('numbat: this stream was destroyed');
  }
}

export class Event {
  private native?: { backend: Backend; event: unknown };
  private hostTime?: number;
  private pending?: Promise<void>;
  private recorded = false;

  constructor(readonly timing = true) {}

  /** Records the event after the work queued so far on `stream` (default: the default stream). */
  record(stream?: Stream): this {
    if (stream) stream.recordOn(this);
    else if (lastBackend?.streams) this.recordNative(lastBackend, undefined);
    else this.recordHostNow();
    return this;
  }

  /** @internal */
  pendingRecord(at: Promise<void>): void {
    this.recorded = false;
    this.hostTime = undefined;
    const p = at.then(() => { if (this.pending === p) this.recorded = true; });
    this.pending = p;
  }

  /** @internal */
  recordNative(backend: Backend, nativeStream: unknown): void {
    if (this.native && this.native.backend !== backend) throw new Error(`numbat: this event was recorded on target '${this.native.backend.target}' before`);
    this.native ??= { backend, event: backend.streams!.createEvent(this.timing) };
    this.hostTime = undefined; // a native record replaces an early host one (see Stream.earlyEvents)
    backend.streams!.recordEvent(this.native.event, nativeStream);
    this.recorded = true;
  }

  /** @internal Host-side event (targets without native events): the time now. */
  recordHostNow(): void {
    this.hostTime = performance.now();
    this.recorded = true;
  }

  /** Waits until the work before the record point has finished. */
  async synchronize(): Promise<void> {
    if (!this.pending && !this.recorded) throw new Error('numbat: event.synchronize() before event.record()');
    if (this.pending) await this.pending;
    if (this.native && this.hostTime === undefined) await this.native.backend.streams!.synchronizeEvent(this.native.event);
  }

  /** true when the work before the record point has finished. */
  query(): boolean {
    if (!this.recorded) return false;
    return this.hostTime !== undefined || (this.native ? this.native.backend.streams!.queryEvent(this.native.event) : false);
  }

  /** Milliseconds from this event to `end`; both must be recorded and completed (synchronize first). */
  elapsedTime(end: Event): number {
    if (!this.timing || !end.timing) throw new Error('numbat: elapsedTime needs events created with timing enabled');
    if (!this.recorded || !end.recorded) throw new Error('numbat: elapsedTime needs both events recorded and completed (await event.synchronize() first)');
    if (this.hostTime !== undefined && end.hostTime !== undefined) return end.hostTime - this.hostTime;
    if (this.native && end.native && this.hostTime === undefined && end.hostTime === undefined) {
      if (this.native.backend !== end.native.backend) throw new Error('numbat: elapsedTime between events of different targets');
      return this.native.backend.streams!.elapsedMs(this.native.event, end.native.event);
    }
    throw new Error('numbat: elapsedTime between an event on a native stream and one on the host');
  }

  destroy(): void {
    if (this.native) this.native.backend.streams!.destroyEvent(this.native.event);
    this.native = undefined;
  }
}
