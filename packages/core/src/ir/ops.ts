// The single list of IR operation kinds. Every backend switches over these
// (TypeScript's exhaustiveness checks make a missing case a build error).

/** Unary operators. 'neg' wraps for ints; 'not' is logical (result bool); 'bitnot' is `~` (i32). */
export const UNARY_OPS = ['neg', 'not', 'bitnot'] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

/**
 * Binary operators; both operands already have the node's operand type (`opType`).
 * - add/sub/mul: wrap mod 2^32 for i32/u32; IEEE for floats.
 * - div: floats only (JS `/` on ints is lowered to a float division by the frontend).
 * - rem: JS `%` (sign of the dividend); for ints x % 0 === 0 and INT_MIN % -1 === 0.
 * - truncdiv: integer division truncating toward zero (`(a / b) | 0`, `Math.trunc(a / b)`); x truncdiv 0 === 0.
 * - floordiv: integer division rounding toward -infinity (`Math.floor(a / b)`); x floordiv 0 === 0.
 * - and/or/xor/shl/shr: i32 operands and result (JS ToInt32 semantics; shift counts masked by 31).
 * - ushr: `>>>`; u32 left operand, u32 count (masked by 31), u32 result.
 * - eq..ge: comparison, result bool. NaN compares false except 'ne'.
 * - min/max: JS Math.min/max on the operand type (NaN if either is NaN for floats).
 * On i64/u64 (BigInt) operands (ir/semantics64.ts): add/sub/mul and, or, xor wrap to 64 bits;
 * idiv (BigInt `/`) truncates, rem has the dividend's sign, x idiv 0 = x rem 0 = 0; shl/shr are
 * BigInt's (count not masked: ≥ 64 shifts everything out, negative shifts the other way); no div, no ushr.
 */
export const BINARY_OPS = [
  'add', 'sub', 'mul', 'div', 'rem', 'truncdiv', 'floordiv',
  'and', 'or', 'xor', 'shl', 'shr', 'ushr',
  'eq', 'ne', 'lt', 'le', 'gt', 'ge',
  'min', 'max',
] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

export const COMPARE_OPS: ReadonlySet<BinaryOp> = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

/**
 * Atomic read-modify-write operations; each returns the old value. The new
 * value of each is written once, in ir/semantics.ts (atomicNewJs). inc/dec are
 * CUDA's wrap-around counters on u32; nanmin/nanmax are numba's NaN-ignoring
 * float min/max (plain min/max propagate NaN, as JS's Math.min/max do).
 */
export const ATOMIC_OPS = ['add', 'sub', 'max', 'min', 'and', 'or', 'xor', 'exch', 'cas', 'inc', 'dec', 'nanmin', 'nanmax'] as const;
export type AtomicOp = (typeof ATOMIC_OPS)[number];

/** CUDA's built-in index registers. */
export const SPECIAL_REGS = ['threadIdx', 'blockIdx', 'blockDim', 'gridDim'] as const;
export type SpecialReg = (typeof SPECIAL_REGS)[number];

/** Expression node kinds. */
export const EXPR_KINDS = [
  'const', 'param', 'local', 'special', 'unary', 'binary', 'logical', 'cond',
  'select', 'convert', 'bitcast', 'load', 'length', 'math', 'atomic',
] as const;
export type ExprKind = (typeof EXPR_KINDS)[number];

/** Statement node kinds. */
export const STMT_KINDS = ['assign', 'store', 'expr', 'if', 'loop', 'break', 'continue', 'return', 'barrier', 'fence', 'warp'] as const;

/** Memory-fence scopes: cuda.threadfence_block(), threadfence(), threadfence_system(). */
export const FENCE_SCOPES = ['block', 'device', 'system'] as const;
export type FenceScope = (typeof FENCE_SCOPES)[number];
export type StmtKind = (typeof STMT_KINDS)[number];

/**
 * Warp-level collectives (numba's cuda.*_sync, activemask); their meaning is
 * ir/warp.ts. A warp is 32 consecutive linear thread ids of a block.
 * - shfl_idx/up/down/xor: the value of the source lane (lane argument's low 5 bits);
 *   the caller's own value when the source is out of the warp or not at this operation.
 * - all/any/eq: bool votes over the mask's lanes; ballot: u32 of the mask's lanes whose predicate holds.
 * - match_any: u32 of the mask's lanes with the same value; match_all: mask if all are equal else 0, plus a bool.
 * - sync: syncwarp(mask); activemask: u32 of the lanes at this operation.
 */
export const WARP_OPS = ['shfl_idx', 'shfl_up', 'shfl_down', 'shfl_xor', 'all', 'any', 'eq', 'ballot', 'match_any', 'match_all', 'sync', 'activemask'] as const;
export type WarpOp = (typeof WARP_OPS)[number];
