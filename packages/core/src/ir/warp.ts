// The meaning of the warp collectives (ops.ts WARP_OPS), written once: the
// simulator runs it, and every other target's lowering must agree with it.
//
// A warp is 32 consecutive linear thread ids of a block (linear id = x + y·bx +
// z·bx·by); lane = linear id & 31. The lanes of a warp that are at the same
// warp operation (the same statement, after every lane of the warp has either
// arrived somewhere or exited) meet there and get their results together.
// Deterministic rules where CUDA leaves a result undefined:
// - a shuffle whose source lane is outside the warp (shfl_up below lane 0,
//   shfl_down above 31), beyond the block (the last, partial warp), or not at this
//   operation returns the caller's own value;
// - the lane argument of a shuffle counts by its low 5 bits (PTX's `b[4:0]`).
// Errors (the simulator raises them; other targets leave them undefined, like CUDA):
// a mask that names a lane beyond the block, an exited lane, or a lane that never
// comes to the same operation, or a mask without the caller's own lane.

import type { WarpOp } from './ops.js';

export const WARP_SIZE = 32;

/** What one lane brings to a warp operation. */
export interface WarpArrival { mask: number; value: number | bigint | boolean; lane: number }

export type WarpResult = number | bigint | boolean | [number, boolean];

/** The u32 mask of the lanes present in `at` (index = lane). */
export function arrivedMask(at: readonly (WarpArrival | undefined)[]): number {
  let m = 0;
  for (let k = 0; k < WARP_SIZE; k++) if (at[k]) m |= 1 << k;
  return m >>> 0;
}

/** The source lane of a shuffle for `lane`, or -1 when it is outside the warp. */
export function shuffleSource(op: WarpOp, lane: number, arg: number): number {
  const b = arg & 31;
  switch (op) {
    case 'shfl_idx': return b;
    case 'shfl_up': return lane - b;
    case 'shfl_down': return lane + b < WARP_SIZE ? lane + b : -1;
    case 'shfl_xor': return lane ^ b;
    default: return -1;
  }
}

/**
 * The result of each lane of one warp at one operation; `at[k]` is lane k's
 * arrival, undefined for lanes not there. Masks are already checked.
 */
export function warpResults(op: WarpOp, at: readonly (WarpArrival | undefined)[]): (WarpResult | undefined)[] {
  const present = arrivedMask(at);
  return at.map((me, lane) => {
    if (!me) return undefined;
    const mask = me.mask >>> 0;
    const lanesOf = (pick: (a: WarpArrival) => boolean): number => {
      let m = 0;
      for (let k = 0; k < WARP_SIZE; k++) { const a = at[k]; if (a && (mask >>> k) & 1 && pick(a)) m |= 1 << k; }
      return m >>> 0;
    };
    switch (op) {
      case 'shfl_idx': case 'shfl_up': case 'shfl_down': case 'shfl_xor': {
        const src = shuffleSource(op, lane, me.lane);
        return src >= 0 && at[src] ? at[src]!.value : me.value;
      }
      case 'ballot': return lanesOf((a) => a.value === true);
      case 'all': return lanesOf((a) => a.value === true) === (mask & present) >>> 0;
      case 'any': return lanesOf((a) => a.value === true) !== 0;
      case 'eq': { const b = lanesOf((a) => a.value === true); return b === 0 || b === (mask & present) >>> 0; }
      case 'match_any': return lanesOf((a) => a.value === me.value);
      case 'match_all': {
        const same = lanesOf((a) => a.value === me.value) === (mask & present) >>> 0;
        return [same ? mask : 0, same];
      }
      case 'sync': return 0;
      case 'activemask': return present;
    }
  });
}

/** numba's spelling of each op, for messages. */
export const WARP_SPELLING: Record<WarpOp, string> = {
  shfl_idx: 'cuda.shfl_sync', shfl_up: 'cuda.shfl_up_sync', shfl_down: 'cuda.shfl_down_sync', shfl_xor: 'cuda.shfl_xor_sync',
  all: 'cuda.all_sync', any: 'cuda.any_sync', eq: 'cuda.eq_sync', ballot: 'cuda.ballot_sync',
  match_any: 'cuda.match_any_sync', match_all: 'cuda.match_all_sync', sync: 'cuda.syncwarp', activemask: 'cuda.activemask',
};
