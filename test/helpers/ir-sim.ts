// IR-level helpers for tests of core's IR transforms: the IR a backend gets for some
// arguments, and a launch of any KernelIR in the simulator (the oracle).
import { cuda, simBackend, type KernelIR, type LaunchArg } from '@numbat/core';

/** The IR a backend gets for these arguments (no backend pass has run on it); `options.target` picks whose legalisation (default the simulator's). */
export async function legalIR(fn: (...args: any[]) => void, args: unknown[], options: Record<string, unknown> = {}): Promise<KernelIR> {
  const k = cuda.jit(fn, { target: 'sim', ...options }) as any;
  const spec = await k.specialise(k.signatureOf(args, await k.backend()));
  return spec.legal;
}

const dims3 = (x: number | number[]): [number, number, number] => {
  const a = typeof x === 'number' ? [x] : x;
  return [a[0] ?? 1, a[1] ?? 1, a[2] ?? 1];
};

/** Runs `ir` in the simulator on copies of `args`; the copies after the launch. */
export async function simulateIR(ir: KernelIR, args: unknown[], grid: number | number[], block: number | number[]): Promise<unknown[]> {
  const copies = args.map((a) => (ArrayBuffer.isView(a) ? (a as any).slice() : a));
  const launchArgs: LaunchArg[] = copies.map((a, i) => {
    const p = ir.params[i].type;
    return p.kind === 'array' ? { kind: 'array', elem: p.elem, length: (a as any).length, host: a as any } : { kind: 'scalar', type: p.type, value: a as number };
  });
  await simBackend.launch(await simBackend.compile(ir, {} as any), { grid: dims3(grid), block: dims3(block), sharedMem: 0 }, launchArgs);
  return copies;
}
