// The typed IR: structured control flow (if / loop regions, no CFG) over mutable
// typed locals. Structure is what WGSL needs and what the CPU backend's barrier
// transform (work-item loops) needs; LLVM backends turn locals into allocas and
// let mem2reg build SSA. Device functions are inlined before a backend sees a
// kernel, so backends only ever lower one function.

import type { AtomicOp, BinaryOp, FenceScope, SpecialReg, UnaryOp, WarpOp } from './ops.js';
import type { ElemType, ParamType, ScalarType, Space } from '../types.js';
import type { MathFn } from '../intrinsics.js';

/** Position in the user's kernel source (1-based line in the user's file, 1-based column). */
export interface Loc { line: number; column: number }

/** How an expression's value varies across the threads of one block. */
export type Uniformity = 'uniform' | 'varying';

interface ExprBase { type: ScalarType; loc?: Loc }

/** A numeric or boolean literal, already in the node's type (NaN / Infinity allowed for floats; a bigint for i64/u64). */
export interface ConstExpr extends ExprBase { kind: 'const'; value: number | boolean | bigint }
/** A scalar kernel parameter (arrays are referenced through ArrayRef). */
export interface ParamExpr extends ExprBase { kind: 'param'; index: number }
export interface LocalExpr extends ExprBase { kind: 'local'; id: number }
/** threadIdx.x etc. Always i32. */
export interface SpecialExpr extends ExprBase { kind: 'special'; reg: SpecialReg; dim: 0 | 1 | 2 }
export interface UnaryExpr extends ExprBase { kind: 'unary'; op: UnaryOp; x: Expr }
/** `opType` is the type of both operands; `type` the result (bool for comparisons). */
export interface BinaryExpr extends ExprBase { kind: 'binary'; op: BinaryOp; opType: ScalarType; a: Expr; b: Expr }
/** Short-circuit && / || on bool operands, result bool. */
export interface LogicalExpr extends ExprBase { kind: 'logical'; op: 'and' | 'or'; a: Expr; b: Expr }
/** Ternary `c ? a : b`; only the chosen arm is evaluated. */
export interface CondExpr extends ExprBase { kind: 'cond'; c: Expr; a: Expr; b: Expr }
/**
 * Eager `c ? a : b`: both arms are evaluated (they never have effects), so it is
 * branch-free. Only legalisation (legalize/) makes it; the frontend's `?:` is `cond`.
 */
export interface SelectExpr extends ExprBase { kind: 'select'; c: Expr; a: Expr; b: Expr }
/**
 * Numeric conversion with JavaScript's meaning: float→i32 is ToInt32 (truncate,
 * then wrap mod 2^32; NaN/±Inf → 0), float→u32 is ToUint32, i32↔u32 reinterprets
 * the bits, int→float rounds to nearest, f64→f32 is Math.fround, x→bool is `x != 0`
 * (NaN → false), bool→number is 0/1.
 */
export interface ConvertExpr extends ExprBase { kind: 'convert'; x: Expr }
/**
 * Reinterprets the bits of `x` as `type`, of the same width: f64 <-> i64/u64,
 * f32 <-> i32/u32 (ir/semantics.ts bitcastJs). Not user syntax: legalisation builds
 * it (the f64 library reads and writes a double's words with it), and so does the
 * random library (a Box-Muller partner kept in a state word: frontend/float-bits.ts).
 */
export interface BitcastExpr extends ExprBase { kind: 'bitcast'; x: Expr }
/**
 * Read `array[index]`; the result type is loadType(elem). `index` is i32 or u32.
 * `inBounds`: proven inside the array (ir/hoist-bounds.ts, or the random library's one check per
 * draw: frontend/thread-check.ts), so a backend may omit its check.
 */
export interface LoadExpr extends ExprBase { kind: 'load'; array: ArrayRef; index: Expr; inBounds?: true }
/** Element count of an array, i32. */
export interface LengthExpr extends ExprBase { kind: 'length'; array: ArrayRef }
/**
 * A Math.* intrinsic (see intrinsics.ts for each one's type rule and meaning). `ulp`: any result
 * within 2 ulp of the exact one is this call's meaning, not only V8's bits (core's random library's
 * f64 normals; not user syntax): a target declaring 'math-f64-ulp' keeps its own f64 function.
 */
export interface MathExpr extends ExprBase { kind: 'math'; fn: MathFn; args: Expr[]; ulp?: true }
/**
 * An atomic read-modify-write on array[index]; returns the old element. `value`
 * is in the element's load type; for 'cas', `expected` is compared and `value`
 * written when equal.
 */
export interface AtomicExpr extends ExprBase {
  kind: 'atomic'; op: AtomicOp; array: ArrayRef; index: Expr; value: Expr; expected?: Expr;
}

export type Expr =
  | ConstExpr | ParamExpr | LocalExpr | SpecialExpr | UnaryExpr | BinaryExpr | LogicalExpr
  | CondExpr | SelectExpr | ConvertExpr | BitcastExpr | LoadExpr | LengthExpr | MathExpr | AtomicExpr;

/** A reference to an array: a global parameter, or a shared/local/const array of the kernel. */
export type ArrayRef =
  | { space: 'global'; param: number }
  | { space: 'shared' | 'local' | 'const'; id: number };

interface StmtBase { loc?: Loc }
/** `local = value` (declarations are assignments; every local starts at zero). */
export interface AssignStmt extends StmtBase { kind: 'assign'; local: number; value: Expr }
/** `array[index] = value`; value has loadType(elem) and is narrowed with wrapping. `inBounds` as on LoadExpr. */
export interface StoreStmt extends StmtBase { kind: 'store'; array: ArrayRef; index: Expr; value: Expr; inBounds?: true }
/** An expression evaluated for its effect (an atomic whose result is unused). */
export interface ExprStmt extends StmtBase { kind: 'expr'; expr: Expr }
/**
 * `rare`: the `then` arm is seldom taken and has no effects (legalisation's huge-argument path
 * of sin/cos/tan): a cpu lane group may hand its threads to the thread-by-thread code when a
 * lane takes it, rather than build a masked vector copy of it.
 * `groupWide`: both arms compute the same (the `then` arm is a faster form of the `else` arm
 * for the threads whose condition holds: random/draw-blocks.ts). A cpu lane group may take the
 * `then` arm only when the condition holds in all its active lanes, and the `else` arm otherwise.
 * `anyLane`: the `then` arm is right for every thread, whether its condition holds or not (it
 * only works ahead: random/draw-lookahead.ts), and the `else` arm is empty. A cpu lane group runs
 * the `then` arm in all its active lanes when the condition holds in any of them.
 */
export interface IfStmt extends StmtBase { kind: 'if'; cond: Expr; then: Stmt[]; else: Stmt[]; rare?: true; groupWide?: true; anyLane?: true }
/**
 * A loop: while (cond) { body; update }. `cond` (bool, or absent for an endless
 * loop) is tested before each iteration; `continue` jumps to `update`; `break`
 * leaves the loop. do-while has cond absent and `if (!c) break` ending `update`.
 */
export interface LoopStmt extends StmtBase { kind: 'loop'; cond?: Expr; body: Stmt[]; update: Stmt[] }
export interface BreakStmt extends StmtBase { kind: 'break' }
export interface ContinueStmt extends StmtBase { kind: 'continue' }
/** Early exit of the kernel (kernels return nothing). */
export interface ReturnStmt extends StmtBase { kind: 'return' }
/**
 * cuda.syncthreads(): a block-wide barrier that also orders shared and global memory.
 * `grid`: cuda.cg.this_grid().sync(), every thread of the grid meets (a block
 * barrier too); core refuses it on backends without caps.gridSync.
 */
export interface BarrierStmt extends StmtBase { kind: 'barrier'; grid?: true; /** what the user wrote, for messages (default cuda.syncthreads()) */ api?: string }
/**
 * cuda.threadfence_block() / threadfence() / threadfence_system(): orders this
 * thread's memory accesses as seen by the block / device / system; no waiting.
 * Core refuses it on backends without caps.fences.
 */
export interface FenceStmt extends StmtBase { kind: 'fence'; scope: FenceScope }

/**
 * A warp collective (ops.ts WARP_OPS, meaning in warp.ts): the lanes of a warp
 * meet here. `mask` is u32 (absent for activemask); `value` is the shuffled or
 * voted operand (a bool predicate for votes); `lane` the u32 source lane, delta or
 * xor mask of a shuffle. The result goes to `local` (none for sync); match_all
 * also writes its predicate to `pred`.
 */
export interface WarpStmt extends StmtBase {
  kind: 'warp'; op: WarpOp; mask?: Expr; value?: Expr; lane?: Expr; local?: number; pred?: number;
}

export type Stmt =
  | AssignStmt | StoreStmt | ExprStmt | IfStmt | LoopStmt | BreakStmt | ContinueStmt | ReturnStmt | BarrierStmt | FenceStmt | WarpStmt;

export interface Param { name: string; type: ParamType; /** false when the kernel never writes it */ written: boolean; atomic: boolean }
export interface Local { id: number; name: string; type: ScalarType }
/**
 * A kernel-scoped array. Shared arrays have one instance per block; local arrays one
 * per thread; const arrays hold `values`. `shape` is the user's (row-major) shape;
 * indices are already flattened. `size` 0 on a shared array means dynamic shared
 * memory, sized at launch by `sharedMem` bytes.
 */
export interface KernelArray {
  id: number; name: string; space: Exclude<Space, 'global'>; elem: ElemType;
  shape: number[]; size: number; values?: number[]; atomic: boolean;
}

export interface KernelIR {
  name: string;
  params: Param[];
  locals: Local[];
  arrays: KernelArray[];
  body: Stmt[];
  /** The default float of this compilation (f64, or f32 where the target lacks f64). */
  float: 'f32' | 'f64';
  /** true when the kernel contains a barrier anywhere. */
  hasBarrier: boolean;
  /** true when the kernel contains a warp collective (a WarpStmt) anywhere. */
  hasWarp?: boolean;
  /** Maps IR lines back to the user's source for errors raised after lowering. */
  source: SourceInfo;
  /** console.log calls: the hidden parameters (counter, ints, floats) the records go to, and each call's parts (console-log.ts). */
  log?: { params: [number, number, number]; sites: LogSite[] };
}

/** A console.log call: its arguments as text, or values by their index in the record. A template literal is one argument. */
export type LogPart = { s: string } | { v: number; type: ScalarType };
export interface LogSite { line: number; parts: (LogPart | { t: LogPart[] })[] }

export interface SourceInfo {
  file?: string;
  /** Line in `file` of the first line of the kernel's source text. */
  firstLine: number;
  text: string;
}
