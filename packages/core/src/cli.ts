#!/usr/bin/env node
// numbat info             which targets work here, the one 'auto' picks (and why), devices and limits
// numbat compile ...      ahead-of-time PTX (forwards to numbat-cuda compile)
// numbat [cmd] --help     usage on stdout, exit 0 (before anything is imported or run)
//
// Core stays backend-agnostic: targets are loaded through loadBackend() and
// asked for availability and details; the compile command runs @numbat/cuda's CLI.

import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// Through the package's own name (its entry registers the built-in 'sim' target): the
// backends import it by name too, so the process holds one copy of core (bundled or not).
import { explainAuto, loadBackend, registeredTargets, resolveTarget, targetAvailability } from '@numbat/core';

const USAGE = `usage: numbat <command> [options]

commands:
  info [--json]     which targets work here, which one 'auto' picks and why, devices and limits
  compile ...       compile kernels ahead of time to PTX (needs @numbat/cuda; see numbat compile --help)
  help              this text

options: -h, --help  (also after a command: numbat info --help)
environment: NUMBAT_TARGET=sim|cpu|webgpu|cuda overrides 'auto'; NUMBAT_LOG=info|debug logs the
  target choice, compile stages with times and cache hits to stderr`;

const INFO_USAGE = `usage: numbat info [--json]

Loads every target and asks whether it works on this machine; prints which one 'auto' picks,
why each available target was or was not chosen (an unavailable one says why it is not
available), and each available target's device, toolchain and limits.
  --json      the same as one JSON object { auto, reasons, targets }`;

const COMPILE_USAGE = `usage: numbat compile --target ptx [--arch sm_XX] [--out DIR] MODULE...

Compiles kernels ahead of time to PTX (forwarded to @numbat/cuda's numbat-cuda compile). Each
MODULE exports \`aot\`: an array of [kernel, ...sampleArgs]; the PTX cache entries go to DIR
(default ./numbat-ptx). On the GPU machine NUMBAT_CUDA_PTX_DIR=DIR runs them without LLVM.
  --arch sm_XX   the GPU architecture (default: the local GPU's, else sm_70)
  --out DIR      where the PTX entries go`;

const isHelp = (a: string | undefined): boolean => a === '--help' || a === '-h' || a === 'help';

async function info(json: boolean): Promise<void> {
  const report: Record<string, unknown> = {};
  const targets = registeredTargets();
  for (const t of targets) {
    const a = await targetAvailability(t);
    let details: Record<string, unknown> = {};
    if (a.ok) {
      const b = await loadBackend(t);
      details = (await b.details?.().catch((e: Error) => ({ error: e.message }))) ?? {};
    }
    report[t] = { ...a, ...details };
  }
  const forced = process.env.NUMBAT_TARGET;
  const auto = await resolveTarget('auto');
  const reasons = forced ? undefined : (await explainAuto()).reasons;
  if (json) {
    console.log(JSON.stringify({ auto, ...(forced ? { forcedBy: 'NUMBAT_TARGET' } : { reasons }), targets: report }, null, 2));
    return;
  }
  console.log(`numbat: 'auto' target here is '${auto}'${forced ? ` (NUMBAT_TARGET=${forced})` : ''}`);
  for (const t of targets) {
    const r = report[t] as { ok: boolean; reason?: string; device?: string; limits?: Record<string, number> } & Record<string, unknown>;
    console.log(`\n${t}: ${r.ok ? `available — ${r.device ?? ''}` : `unavailable — ${r.reason}`}`);
    if (reasons && r.ok) console.log(`  auto: ${reasons[t]}`);
    for (const [k, v] of Object.entries(r)) {
      if (['ok', 'reason', 'device', 'hardware', 'limits', 'features'].includes(k)) continue;
      console.log(`  ${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
    }
    if (r.features) console.log(`  features: ${(r.features as string[]).join(', ') || '(none)'}`);
    if (r.limits) {
      const keep = ['maxComputeWorkgroupSizeX', 'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupStorageSize', 'maxStorageBuffersPerShaderStage', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupsPerDimension'];
      for (const k of keep) if (k in r.limits) console.log(`  ${k}: ${r.limits[k]}`);
    }
  }
}

function compile(args: string[]): never {
  if (args.some(isHelp) || args.length === 0) {
    (args.length === 0 ? console.error : console.log)(COMPILE_USAGE);
    process.exit(args.length === 0 ? 2 : 0);
  }
  let cli: string;
  try {
    cli = join(dirname(fileURLToPath(import.meta.resolve('@numbat/cuda'))), 'cli.js');
  } catch {
    console.error('numbat compile: the @numbat/cuda package is not installed (npm install @numbat/cuda)');
    process.exit(1);
  }
  const r = spawnSync(process.execPath, [cli, 'compile', ...args], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const [cmd, ...rest] = process.argv.slice(2);
if (cmd === undefined || isHelp(cmd)) {
  console.log(USAGE);
} else if (cmd === 'info') {
  const unknown = rest.filter((a) => a !== '--json' && !isHelp(a));
  if (rest.some(isHelp)) console.log(INFO_USAGE);
  else if (unknown.length) {
    console.error(`numbat info: unknown argument${unknown.length > 1 ? 's' : ''} ${unknown.join(' ')}\n\n${INFO_USAGE}`);
    process.exitCode = 2;
  } else info(rest.includes('--json')).then(() => process.exit(0), (e: Error) => { console.error(e.message); process.exit(1); });
} else if (cmd === 'compile') {
  compile(rest);
} else {
  console.error(`numbat: unknown command '${cmd}'\n\n${USAGE}`);
  process.exitCode = 2;
}
