// How many threads a region's lane groups hold. The base width fills one SIMD
// register with 4-byte values (8 with AVX2). A region whose lane-varying loop
// streams consecutive 4-byte (or narrower) elements from global memory gets
// twice that: with W × 4 bytes = 32 bytes per access, a group reads half of
// each 64-byte cache line and the next group the other half — after the
// group's other accesses, which in a grid-stride loop all fall into the same
// L1 cache set (the stride is often a power of two) and can evict the line in
// between. A 16-lane group (AVX2) reads whole lines. Regions with f64 values keep the
// base width (twice as many registers per value already). Measured: the block
// reduction 12.7–13.2 → 10.2–11.1 ms; Monte Carlo pi (f64) 40 % slower at 16 lanes
// (before the lane vectors: since, its loop, with one f64 division per sample, ran
// 1.4× faster at 16 or 32 lanes, but see slowMath for why a division does not widen).
// A loop that computes Philox rounds (`umulhi`: the random draws' refill) gets
// twice the width too: ten rounds are one long chain of dependent multiplies,
// and a 16-lane group runs two independent chains side by side (uniformF32
// draws in a loop, CPU time: 1.10 → 1.73 G draws per second of one core).
// Where the target has AVX-512 such a loop runs four times the base width
// (32 lanes: two zmm chains per 4-byte value), where that is within the lane
// budget. Measured (CPU time per draw, one process per width, alternated):
// uniformF32 1.70–1.78 (16 lanes) → 2.21–2.33 G draws per CPU-second (32),
// normalF32 (its f32 log, sin, cos computed in f64: two zmm per 16 lanes)
// 421–431 → 534–545 M. Since the draw blocks (docs/random.md) 64 lanes (four
// chains) run these sums only 1–9 % faster than 32 (uniforms 2 015–2 091
// against 2 001–2 067 M per CPU-second, normals 717–841 against 651–797), the
// same at mixed positions, with twice the code and a third of it stack
// traffic (the ten state words alone fill 40 zmm):
// the random-walk example's first launch 176–211 ms at 64 lanes, 135–161 at
// 32 (six alternated processes), the normal sums' cold compile ~165 → ~120 ms.
// This needs umulhi's even/odd product form at any width (lane-math.ts: before
// it, 32 lanes ran the rounds 20 % slower than 16).
// A region with f64 values with a loop of lane-varying long-latency math
// (exp, log, sin, cos: the vector kernels, and core's f64 library: one
// dependent chain of 50–100 operations per trip) runs four times
// the base width where the target has AVX-512 (32 lanes: four independent
// zmm chains per f64 value, 32 registers to hold them): at 8 lanes each step
// is one zmm instruction waiting on the previous one. Measured on the
// option-pricing kernel (Zen 4, CPU time per path): 8 lanes 139–150, 16 lanes
// 150–162, 32 lanes 245–250 M paths per CPU-second, same bits. Such a region is
// held to the lane budget of 16 lanes (RegionWidth.budgetW): an up-and-out
// barrier call, its steps' loop left by a thread-dependent `break`, is over
// the budget at 32; it ran 89–101 ms at 8 lanes, 66–68 at 16, and at 32 (the
// 16-lane budget) 1.2× the 16-lane speed for ~20 ms more compile. Without
// AVX-512 (16 ymm registers) the width stays the base: on Zen 2 (AVX2) 16
// lanes gained ~15 % on option pricing, nothing on the normal draws, and cost
// 10–30 ms of its cold compile; Philox loops at 32 or 64 lanes ran slower there
// than at 16 (docs/backends/cpu.md).

import type { Expr, KernelIR, Stmt } from '@numbat/core';
import { ELEM_BYTES, forEachExpr, forEachStmt, stmtExprs } from '@numbat/core';
import type { LaneUniformity } from './lane-uniformity.js';
import { laneShape, linearLocals } from './lane-shape.js';
import { withinLaneBudget, type HandOver } from './lane-budget.js';
import { hostTarget } from './target.js';

/**
 * Math whose latency bounds a loop of it: the vector kernels (lane-math.ts), core's f64
 * library (fdlibm as IR: its word reads are `bitcast`s to u64) and `umulhi` (Philox rounds:
 * f64 draws summed in a loop, 8 → 32 lanes: `uniformF64` 0.48 → 1.0 G draws per CPU-second;
 * 64 lanes of f64 ran at a tenth of that). Not a lone division or sqrt:
 * a wider group costs compile time (more machine code per vector operation; fuzz kernels
 * with f64 divisions in loops compiled 3× slower at 32 lanes), worth it only for long chains.
 */
const LATENCY_FNS: ReadonlySet<string> = new Set(['exp', 'log', 'sin', 'cos', 'umulhi']);
const slowMath = (x: Expr, uni: LaneUniformity): boolean => {
  let slow = false;
  forEachExpr(x, (y) => {
    if (slow || uni.isUniform(y)) return;
    if ((y.kind === 'math' && LATENCY_FNS.has(y.fn)) || (y.kind === 'bitcast' && y.x.type === 'f64')) slow = true;
  });
  return slow;
};

/** The host has AVX-512 (compile.ts hands this file only the base width; cpu code is compiled for the host). */
const wideRegisters = (base: number): boolean => base === 8 && /\+avx512f\b/.test(hostTarget().features);

/**
 * A region's lanes per group, and the width whose lane budget (lane-budget.ts) its code is held
 * to: W, but twice the base width for latency-bound f64 code at four times it (the budget
 * scales with W, and that code's speed pays for twice the code: see regionLaneWidth).
 */
export interface RegionWidth { readonly W: number; readonly budgetW: number }

/** W lanes held to W lanes' budget. */
export const plainWidth = (W: number): RegionWidth => ({ W, budgetW: W });

/** `linear`: the kernel's lane-linear locals (lane-budget.ts laneLinearLocals). */
export function regionLaneWidth(stmts: readonly Stmt[], base: number, ir: KernelIR, uni: LaneUniformity, linear: ReadonlySet<number>, handOver: HandOver): RegionWidth {
  if (base <= 1) return plainWidth(base);
  let f64 = false;
  const f64Locals = new Set(ir.locals.filter((l) => l.type === 'f64').map((l) => l.id)); // (not a search of the locals per assignment)
  forEachStmt(stmts as Stmt[], (s) => {
    if (s.kind === 'assign' && f64Locals.has(s.local)) f64 = true;
    for (const x of stmtExprs(s)) forEachExpr(x, (y) => { if (y.type === 'f64') f64 = true; });
  });
  if (f64) {
    if (!wideRegisters(base)) return plainWidth(base);
    let slow = false;
    forEachStmt(stmts as Stmt[], (s) => {
      if (s.kind === 'loop') forEachStmt([...s.body, ...s.update], (t) => { for (const x of stmtExprs(t)) if (slowMath(x, uni)) slow = true; });
    });
    if (!slow) return plainWidth(base);
    // Held to the budget of twice the base width: a loop its lanes leave by a `break` (its body
    // in masked lane code) is over the budget at 32 lanes, and ran 1.2–1.3× faster at 32 than at 16.
    return withinLaneBudget(stmts, uni, base * 2, handOver) ? { W: base * 4, budgetW: base * 2 } : plainWidth(base);
  }
  let streams = false, philox = false;
  const umulhi = (x: Expr): void => forEachExpr(x, (y) => { if (y.kind === 'math' && y.fn === 'umulhi') philox = true; });
  const narrowLinearLoad = (x: Expr, linear: ReadonlySet<number>): void => forEachExpr(x, (y) => {
    if (y.kind !== 'load' || y.array.space !== 'global') return;
    const t = ir.params[y.array.param].type;
    if (t.kind === 'array' && ELEM_BYTES[t.elem] <= 4 && laneShape(y.index, uni.isUniform, linear) === 'lin') streams = true;
  });
  const visit = (list: readonly Stmt[], inLoop: boolean, linear: ReadonlySet<number>): void => {
    for (const s of list) {
      if (s.kind === 'loop') {
        forEachStmt([...s.body, ...s.update], (t) => { for (const x of stmtExprs(t)) umulhi(x); });
        const varying = uni.varyingLoops.has(s);
        // locals stepping in lockstep inside the loop (i += stride from a lane-linear start)
        const inner = varying ? new Set([...linear, ...linearLocals(ir, uni, [...s.body, ...s.update], linear)]) : linear;
        if (inLoop || varying) for (const x of s.cond ? [s.cond] : []) narrowLinearLoad(x, inner);
        visit(s.body, inLoop || varying, inner);
        visit(s.update, inLoop || varying, inner);
      } else if (s.kind === 'if') {
        if (inLoop) narrowLinearLoad(s.cond, linear);
        visit(s.then, inLoop, linear);
        visit(s.else, inLoop, linear);
      } else if (inLoop) for (const x of stmtExprs(s)) narrowLinearLoad(x, linear);
    }
  };
  visit(stmts, false, linear);
  if (philox && wideRegisters(base) && withinLaneBudget(stmts, uni, base * 4, handOver)) return plainWidth(base * 4);
  return plainWidth(streams || philox ? base * 2 : base);
}
