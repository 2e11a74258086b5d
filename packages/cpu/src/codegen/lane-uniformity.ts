// Which expressions have the same value in every lane of a lane group (W
// threads with consecutive threadIdx.x and the same threadIdx.y/z, run in
// lockstep by lanes.ts): core's uniformity analysis with lane rules. Core's
// block uniformity is stricter: threadIdx.y/z vary across a block but not
// across a lane group, and a return under varying control only retires lanes
// (the loop's trip count stays the group's). Lanes are masked, not branched:
// a local that every pass through its scope sets first (an inlined function's
// parameter copies, a loop counter) stays uniform under a varying \`if\`, and a
// loop there with a uniform trip count stays a plain loop (scopedLocals).

import { analyzeUniformity, BLOCK_UNIFORMITY, uniformIf, type KernelIR, type Stmt, type UniformityInfo, type UniformityRules } from '@numbat/core';

export type LaneUniformity = UniformityInfo;

export const LANE_UNIFORMITY: UniformityRules = {
  special: (e) => !(e.reg === 'threadIdx' && e.dim === 0),
  load: BLOCK_UNIFORMITY.load,
  returnVaries: false,
  scopedLocals: true,
  groupWideIfs: true,
};

/** `bodyScopes`: localScopes(ir.body), when the caller has it. */
export function analyzeLaneUniformity(ir: KernelIR, bodyScopes?: ReadonlyMap<number, readonly Stmt[]>): LaneUniformity {
  return analyzeUniformity(ir, LANE_UNIFORMITY, bodyScopes);
}

/** Whether a lane group runs this `if` as uniform control: a lane-uniform condition, or a group-wide test (IfStmt.groupWide, IfStmt.anyLane). */
export function laneUniformIf(uni: Pick<LaneUniformity, 'isUniform'>, s: Stmt & { kind: 'if' }): boolean {
  return uniformIf(s, uni.isUniform, LANE_UNIFORMITY);
}
