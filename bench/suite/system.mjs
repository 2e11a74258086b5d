// What the results were measured on: machine, CPU, node, git commit, and the
// short slug used in result file names.
import { execFileSync } from 'node:child_process';
import os from 'node:os';

function git(args, cwd) {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

const slugOf = (s) => s.toLowerCase().replace(/\(r\)|\(tm\)|processor|cpu|@.*$/g, ' ').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

export function machineInfo(root) {
  const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
  const cores = os.cpus().length;
  const now = new Date();
  const commit = git(['rev-parse', '--short=12', 'HEAD'], root);
  const dirty = git(['status', '--porcelain', '--untracked-files=no'], root);
  return {
    hostname: os.hostname(),
    cpu,
    cores,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    commit: commit ? `${commit}${dirty ? ' (+ uncommitted changes)' : ''}` : 'unknown',
    date: now.toISOString().slice(0, 10),
    time: now.toISOString(),
    // The host name of a VM or container says little; the CPU and core count say what matters.
    slug: `${slugOf(cpu) || 'cpu'}-${cores}c`,
  };
}
