#!/usr/bin/env node
// numbat info             which targets work here, the one 'auto' picks, devices and limits
// numbat compile ...      ahead-of-time PTX (forwards to numbat-cuda compile)
//
// Core stays backend-agnostic: targets are loaded through loadBackend() and
// asked for availability and details; the compile command runs @numbat/cuda's CLI.

import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// Through index.js, so that the built-in targets are registered.
import { loadBackend, registeredTargets, resolveTarget, targetAvailability } from './index.js';

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
  const auto = await resolveTarget('auto');
  if (json) {
    console.log(JSON.stringify({ auto, targets: report }, null, 2));
    return;
  }
  console.log(`numbat: 'auto' target here is '${auto}'${process.env.NUMBAT_TARGET ? ' (NUMBAT_TARGET)' : ''}`);
  for (const t of targets) {
    const r = report[t] as { ok: boolean; reason?: string; device?: string; limits?: Record<string, number> } & Record<string, unknown>;
    console.log(`\n${t}: ${r.ok ? `available — ${r.device ?? ''}` : `unavailable — ${r.reason}`}`);
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
  let cli: string;
  try {
    cli = join(dirname(fileURLToPath(import.meta.resolve('@numbat/cuda'))), 'cli.js');
  } catch {
    console.error('numbat compile: the @numbat/cuda package is not installed');
    process.exit(1);
  }
  const r = spawnSync(process.execPath, [cli, 'compile', ...args], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const [cmd, ...rest] = process.argv.slice(2);
if (cmd === 'info') {
  info(rest.includes('--json')).then(() => process.exit(0), (e: Error) => { console.error(e.message); process.exit(1); });
} else if (cmd === 'compile') {
  compile(rest);
} else {
  console.error('usage: numbat info [--json]\n       numbat compile --target ptx [--arch sm_XX] [--out DIR] MODULE...');
  process.exit(cmd ? 2 : 0);
}
