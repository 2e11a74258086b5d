// console.log in kernels (numba's print): each call appends a record to a
// bounded buffer the kernel gets as hidden array parameters (a counter, ints,
// floats: every target runs them as ordinary arrays and atomics); after the
// launch the host formats the records in block order, then thread order within
// a block, then the order each thread logged them, handing the values to the
// host's console.log so numbers print exactly as JavaScript prints them.

import type { KernelIR, LogSite } from './ir/nodes.js';
import type { LaunchArg } from './backend.js';
import type { ElemType } from './types.js';

/** Records one launch keeps; more are counted and reported as dropped. */
export const LOG_RECORDS = 4096;
/** Values one console.log call may log. */
export const LOG_MAX_VALUES = 8;
/** i32 words per record: site, threadIdx x y z, blockIdx x y z, then the integer values. */
export const LOG_INT_STRIDE = 16;
export const LOG_INT_VALUES = 7;

export interface LogBuffers { counter: Int32Array; ints: Int32Array; floats: Float32Array | Float64Array }

// Buffers of finished launches, reused (fresh ones cost page faults on every
// launch): only the counter needs resetting, the host reads records below it.
const pool: LogBuffers[] = [];

/** Buffers for one launch of a kernel that logs, as the launch arguments of its hidden parameters. */
export function logBuffers(ir: KernelIR): { buffers: LogBuffers; args: LaunchArg[] } {
  const floatElem = (ir.params[ir.log!.params[2]].type as { elem: ElemType }).elem;
  const k = pool.findIndex((b) => (b.floats instanceof Float64Array) === (floatElem === 'f64'));
  const buffers: LogBuffers = k >= 0 ? pool.splice(k, 1)[0] : {
    counter: new Int32Array(1),
    ints: new Int32Array(LOG_RECORDS * LOG_INT_STRIDE),
    floats: floatElem === 'f64' ? new Float64Array(LOG_RECORDS * LOG_MAX_VALUES) : new Float32Array(LOG_RECORDS * LOG_MAX_VALUES),
  };
  buffers.counter[0] = 0;
  const arg = (elem: ElemType, host: Int32Array | Float32Array | Float64Array): LaunchArg => ({ kind: 'array', elem, length: host.length, host });
  return { buffers, args: [arg('i32', buffers.counter), arg('i32', buffers.ints), arg(floatElem, buffers.floats)] };
}

/** The launch's log lines (each a list of console.log arguments), in block, thread, then program order; and how many records were dropped. */
export function formatLog(ir: KernelIR, b: LogBuffers, grid: number[], block: number[]): { lines: unknown[][]; dropped: number } {
  const total = b.counter[0];
  const n = Math.min(total, LOG_RECORDS);
  const order: { key: number; tkey: number; r: number }[] = [];
  for (let r = 0; r < n; r++) {
    const w = b.ints.subarray(r * LOG_INT_STRIDE);
    const tkey = (w[3] * block[1] + w[2]) * block[0] + w[1];
    const key = (w[6] * grid[1] + w[5]) * grid[0] + w[4];
    order.push({ key, tkey, r });
  }
  order.sort((x, y) => x.key - y.key || x.tkey - y.tkey || x.r - y.r);
  const lines = order.map(({ r }) => {
    const w = b.ints.subarray(r * LOG_INT_STRIDE);
    const site: LogSite = ir.log!.sites[w[0]];
    const value = (v: number, type: string): number | boolean => {
      if (type === 'f32' || type === 'f64') return b.floats[r * LOG_MAX_VALUES + v];
      const x = w[LOG_INT_VALUES + v];
      return type === 'bool' ? x !== 0 : type === 'u32' ? x >>> 0 : x;
    };
    return site.parts.map((p) => ('s' in p ? p.s : 't' in p ? p.t.map((q) => ('s' in q ? q.s : String(value(q.v, q.type)))).join('') : value(p.v, p.type)));
  });
  return { lines, dropped: total - n };
}

/** Prints a launch's log on the host console (after the launch has finished). */
export function printLog(ir: KernelIR, b: LogBuffers, grid: number[], block: number[]): void {
  const { lines, dropped } = formatLog(ir, b, grid, block);
  if (pool.length < 4) pool.push(b);
  for (const l of lines) console.log(...l);
  if (dropped > 0) console.warn(`numbat: kernel '${ir.name}': ${dropped} console.log record(s) dropped: a launch keeps the first ${LOG_RECORDS}`);
}
