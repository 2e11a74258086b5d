// Stopping a kernel that never ends (issue 12 item 11): launches with a signal
// or timeout run a stoppable variant whose loops poll the launch's stop flag;
// ordinary launches run code without polls. The behaviour is checked in a
// child process (probes/stop-spin.mjs), which must exit by itself.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Expr, Stmt } from '@numbat/core';
import { cuda, f32 } from '@numbat/core';
import { compileToObject } from '../dist/codegen/compile.js';
import { hostTarget } from '../dist/codegen/target.js';
import { assign, bin, c, gidx, kernel, l, load, sp, store } from './helpers.js';

const POLL = /call i32 @numbat_stop_requested/g;
const polls = (text: string): number => text.match(POLL)?.length ?? 0;

describe('cpu: stopping kernels that never end', () => {
  it('stopped launches free their threads: later launches run and the process exits by itself', () => {
    const file = fileURLToPath(new URL('./probes/stop-spin.mjs', import.meta.url));
    // Without the polls the child never exits (its spinning launches keep the event loop alive).
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 100_000 });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').filter((x) => x.startsWith('{')).pop()!);
    for (const k of ['spin', 'stride', 'masked', 'barrier']) {
      const key = k === 'spin' ? 'scalar' : k === 'stride' ? 'lanes' : k;
      expect(out[key]).toBe(`LaunchError: kernel '${k}': the launch was stopped: its timeout passed`);
    }
    expect(out.signal).toBe("LaunchError: kernel 'spin': the launch was stopped: its signal aborted (enough)");
    for (const k of ['afterScalar', 'afterLanes', 'afterMasked', 'afterBarrier', 'afterSignal', 'finished']) expect(out[k], k).toBe(true);
  }, 110_000);

  it('the stoppable variant computes what the simulator does (loops with break/continue, barriers, lane groups)', async () => {
    const body = function polled(a: Float32Array, out: Float32Array) {
      const sh = cuda.shared.array(64, f32);
      const t = cuda.threadIdx.x;
      let acc = 0;
      for (let r = 0; r < 10; r++) {
        if (r === 2) continue;
        if (r === 7) break;
        let s = 0;
        for (let i = cuda.grid(1); i < a.length; i += cuda.gridsize(1)) {
          if (a[i] < 0) continue;
          s += a[i] * r;
        }
        let j = t;
        while (j > 3) { if (j === 40) break; j -= 3; }
        sh[t] = s + j;
        cuda.syncthreads();
        acc += sh[63 - t];
        cuda.syncthreads();
      }
      out[cuda.grid(1)] = acc;
    };
    const a = Float32Array.from({ length: 1000 }, (_, i) => (i % 7) - 1);
    const run = async (target: 'cpu' | 'sim', opts: { timeout?: number }) => {
      const out = new Float32Array(64 * 80);
      await cuda.jit(body, { target }).configure(80, 64, opts)(a, out);
      return Array.from(out);
    };
    const want = await run('sim', {});
    expect(await run('cpu', { timeout: 60_000 })).toEqual(want); // the stoppable variant
    expect(await run('cpu', {})).toEqual(want);
  });

  it('ordinary launches run code without polls', async () => {
    const k = cuda.jit(function gridSum(a: Float32Array, out: Float32Array) {
      let s = 0;
      for (let i = cuda.grid(1); i < a.length; i += cuda.gridsize(1)) s += a[i];
      out[cuda.grid(1)] = s;
    }, { target: 'cpu' });
    const text = await k.inspect('llvm', new Float32Array(8), new Float32Array(8));
    expect(text).toMatch(/define i32 @numbat_run_gridSum/);
    expect(polls(text)).toBe(0);
  });

  it('the stoppable variant polls at every kind of loop back-edge', () => {
    const len: Expr = { kind: 'length', array: { space: 'global', param: 1 }, type: 'i32' };
    // let i = grid(1); while (i < o.length) { o[i] += 1; i += step[0]; }
    const strided: Stmt[] = [
      assign(0, gidx()),
      { kind: 'loop', cond: bin('lt', l(0), len), body: [store(1, l(0), bin('add', load(1, l(0), 'i32'), c(1)))], update: [assign(0, bin('add', l(0), load(0, c(0), 'i32')))] },
    ];
    // while (flag[0] === 0) { o[t] = 1; syncthreads(); }
    const aroundBarrier: Stmt[] = [
      { kind: 'loop', cond: bin('eq', load(0, c(0), 'i32'), c(0)), body: [store(1, sp('threadIdx'), c(1)), { kind: 'barrier' }], update: [] },
    ];
    const params = [{ kind: 'array', elem: 'i32' }, { kind: 'array', elem: 'i32' }] as const;
    const cases = [
      ['per thread', kernel('strided', [...params], strided, { locals: [{ id: 0, name: 'i', type: 'i32' }] }), 1],
      ['lane groups', kernel('strided', [...params], strided, { locals: [{ id: 0, name: 'i', type: 'i32' }] }), 8],
      ['block level', kernel('uniform', [...params], aroundBarrier, { hasBarrier: true }), 8],
    ] as const;
    for (const [what, ir, laneWidth] of cases) {
      const plain = compileToObject(ir, { boundscheck: true, laneWidth }, hostTarget());
      const stoppable = compileToObject(ir, { boundscheck: true, laneWidth, poll: true }, hostTarget());
      expect(polls(plain.llvm), what).toBe(0);
      expect(polls(stoppable.llvm), what).toBeGreaterThan(0);
      // the poll survives optimisation: a relaxed load the loop cannot hoist
      expect(stoppable.opt.match(/load atomic i32, i32\* [^,]+ monotonic/g)?.length ?? 0, what).toBeGreaterThan(plain.opt.match(/load atomic i32, i32\* [^,]+ monotonic/g)?.length ?? 0);
    }
  });
});
