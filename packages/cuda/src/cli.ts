#!/usr/bin/env node
// numbat-cuda compile [--arch sm_XX] [--out DIR] MODULE...
//
// Ahead-of-time compilation to PTX: imports each MODULE, whose `aot` export
// lists kernels with sample arguments (`[kernel, ...args]`), compiles each
// for the arch and writes the PTX cache entries to DIR (default
// ./numbat-ptx). On the GPU machine, NUMBAT_CUDA_PTX_DIR=DIR lets those
// kernels run without LLVM installed.

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

interface AotKernel { inspect(stage: string, ...args: unknown[]): Promise<string>; name: string }

const USAGE = 'usage: numbat-cuda compile [--target ptx] [--arch sm_XX] [--out DIR] MODULE...\n  MODULE exports `aot`: an array of [kernel, ...sampleArgs]';

function usage(msg?: string): never {
  if (msg) console.error(`numbat-cuda: ${msg}`);
  console.error(USAGE);
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  // --help anywhere: usage on stdout, before any module is imported.
  if (argv.some((a) => a === '--help' || a === '-h')) { console.log(USAGE); return; }
  if (argv[0] !== 'compile') usage(argv[0] ? `unknown command '${argv[0]}'` : undefined);
  let out = 'numbat-ptx';
  const modules: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') out = argv[++i] ?? usage('--out needs a directory');
    else if (a === '--arch') process.env.NUMBAT_CUDA_ARCH = argv[++i] ?? usage('--arch needs sm_XX');
    else if (a === '--target') { if (argv[++i] !== 'ptx') usage('only --target ptx is supported'); }
    else if (a.startsWith('-')) usage(`unknown option '${a}'`);
    else modules.push(a);
  }
  if (!modules.length) usage('no module given');
  process.env.NUMBAT_CUDA_AOT_OUT = resolve(out);
  const { compileRecords } = await import('./index.js');
  let n = 0;
  for (const m of modules) {
    const mod = (await import(pathToFileURL(resolve(m)).href)) as { aot?: unknown; default?: unknown };
    const list = (mod.aot ?? mod.default) as unknown[] | undefined;
    if (!Array.isArray(list)) usage(`${m} has no 'aot' export (an array of [kernel, ...sampleArgs])`);
    for (const entry of list) {
      const [kernel, ...args] = entry as [AotKernel, ...unknown[]];
      await kernel.inspect('ptx', ...args);
      const r = compileRecords().at(-1);
      console.log(`${kernel.name}: ${r?.arch ?? '?'} ${r ? `${r.timings.total.toFixed(1)} ms` : ''}`);
      n++;
    }
  }
  console.log(`numbat-cuda: ${n} kernel(s) compiled to ${process.env.NUMBAT_CUDA_AOT_OUT}`);
}

main(process.argv.slice(2)).catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
