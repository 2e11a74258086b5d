// What the results were measured on: machine, CPU, node, git commit, and the
// short slug used in result file names.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

function git(args, cwd) {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

const slugOf = (s) => s.toLowerCase().replace(/\(r\)|\(tm\)|processor|cpu|@.*$/g, ' ').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/**
 * The widest vector instructions the CPU has (the cpu backend's lane groups and the C anchors
 * follow them: the same CPU model name covers hosts with and without AVX-512, whose Monte Carlo
 * results differ 1.5-3x).
 */
export function vectorIsa() {
  if (os.arch() === 'arm64') return 'neon';
  if (os.arch() !== 'x64') return os.arch();
  let flags = '';
  try { flags = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? ''; } catch { return 'x64'; }
  const has = (f) => new RegExp(`\\b${f}\\b`).test(flags);
  return has('avx512f') ? 'avx512' : has('avx2') ? 'avx2' : has('avx') ? 'avx' : 'sse';
}

export function machineInfo(root) {
  const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
  const cores = os.cpus().length;
  const isa = vectorIsa();
  const now = new Date();
  const commit = git(['rev-parse', '--short=12', 'HEAD'], root);
  const dirty = git(['status', '--porcelain', '--untracked-files=no'], root);
  return {
    hostname: os.hostname(),
    cpu,
    isa,
    cores,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    commit: commit ? `${commit}${dirty ? ' (+ uncommitted changes)' : ''}` : 'unknown',
    date: now.toISOString().slice(0, 10),
    time: now.toISOString(),
    // The host name of a VM or container says little; the CPU and core count say what matters.
    slug: `${slugOf(cpu) || 'cpu'}-${isa}-${cores}c`,
  };
}
