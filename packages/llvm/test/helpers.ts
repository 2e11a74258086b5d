// Hand-built KernelIR for unit tests of the lowering (independent of core's frontend).
import type { Expr, KernelIR, Stmt, ScalarType, ParamType, KernelArray } from '@numbat/core';

export const c = (value: number | boolean, type: ScalarType = 'i32'): Expr => ({ kind: 'const', value, type });
export const p = (index: number, type: ScalarType): Expr => ({ kind: 'param', index, type });
export const l = (id: number, type: ScalarType = 'i32'): Expr => ({ kind: 'local', id, type });
export const sp = (reg: 'threadIdx' | 'blockIdx' | 'blockDim' | 'gridDim', dim: 0 | 1 | 2 = 0): Expr => ({ kind: 'special', reg, dim, type: 'i32' });
export const bin = (op: any, a: Expr, b: Expr, opType: ScalarType = a.type): Expr => ({
  kind: 'binary', op, opType, a, b, type: ['eq', 'ne', 'lt', 'le', 'gt', 'ge'].includes(op) ? 'bool' : opType,
});
export const gidx = (): Expr => bin('add', bin('mul', sp('blockIdx'), sp('blockDim')), sp('threadIdx'));
export const load = (param: number, index: Expr, type: ScalarType): Expr => ({ kind: 'load', array: { space: 'global', param }, index, type });
export const store = (param: number, index: Expr, value: Expr): Stmt => ({ kind: 'store', array: { space: 'global', param }, index, value });
export const assign = (local: number, value: Expr): Stmt => ({ kind: 'assign', local, value });

export function kernel(name: string, params: ParamType[], body: Stmt[], extra: Partial<KernelIR> & { locals?: KernelIR['locals']; arrays?: KernelArray[] } = {}): KernelIR {
  return {
    name,
    params: params.map((t, i) => ({ name: `p${i}`, type: t, written: true, atomic: false })),
    locals: extra.locals ?? [],
    arrays: extra.arrays ?? [],
    body,
    float: 'f64',
    hasBarrier: extra.hasBarrier ?? false,
    source: { firstLine: 1, text: '' },
  };
}
