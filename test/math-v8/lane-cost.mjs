// The cpu lane cost (packages/cpu/src/codegen/lane-budget.ts, laneCost) of core's library form of
// each f64 Math function in `if (i < n) o[i] = Math.fn(a[i])`, against LANE_COST_BUDGET (2048):
// above it such a kernel runs thread by thread, no lane group. Needs the build (npx tsc -b).
//   node test/math-v8/lane-cost.mjs pow,asinh,acosh
import { libraryIR } from './library-sim.mjs';
import { laneCost } from '../../packages/cpu/dist/codegen/lane-budget.js';
import { analyzeLaneUniformity } from '../../packages/cpu/dist/codegen/lane-uniformity.js';
for (const fn of (process.argv[2] ?? 'pow,hypot,asinh,acosh').split(',')) {
  const arity = ['pow', 'atan2', 'hypot'].includes(fn) ? 2 : 1;
  const ir = libraryIR(fn, arity);
  const tid = ir.body[ir.body.length - 1].index;
  ir.body = [{ kind: 'if', cond: { kind: 'binary', op: 'lt', opType: 'i32', type: 'bool', a: tid, b: { kind: 'const', type: 'i32', value: 1 << 20 } }, then: ir.body, else: [] }];
  console.log(fn, laneCost(ir.body, analyzeLaneUniformity(ir)), 'locals', ir.locals.length);
}
