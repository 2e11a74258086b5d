// Command-line behaviour: --help everywhere (stdout, exit 0, nothing run), the
// pi demo's progress bar only on a TTY, NUMBAT_LOG, `numbat info`'s reasons
// for 'auto', and no Dawn warnings on stderr unless NUMBAT_LOG=debug.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { targetAvailability } from '@numbat/core';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'packages/core/dist/cli.js');
const webgpu = await targetAvailability('webgpu');

function node(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NUMBAT_TARGET: '', NUMBAT_LOG: '', ...env } });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

describe('numbat CLI --help', () => {
  for (const args of [['--help'], ['-h'], ['help'], []]) {
    it(`numbat ${args.join(' ') || '(no arguments)'} prints the usage to stdout and exits 0`, () => {
      const r = node([CLI, ...args]);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/usage: numbat <command>/);
      expect(r.stdout).toMatch(/NUMBAT_LOG/);
    });
  }

  for (const args of [['compile', '--help'], ['compile', '-h'], ['compile', '--target', 'ptx', '--help']]) {
    it(`numbat ${args.join(' ')} prints compile's usage and imports no module`, () => {
      const r = node([CLI, ...args]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/usage: numbat compile --target ptx/);
      expect(r.stderr).not.toMatch(/--help|Cannot find|ERR_/);
      expect(existsSync(join(ROOT, 'numbat-ptx'))).toBe(false);
    });
  }

  it('numbat info --help prints info usage; unknown commands and arguments are refused with exit 2', () => {
    const r = node([CLI, 'info', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/usage: numbat info \[--json\]/);
    const bad = node([CLI, 'infoo']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown command 'infoo'/);
    const badArg = node([CLI, 'info', '--jsn']);
    expect(badArg.status).toBe(2);
    expect(badArg.stderr).toMatch(/unknown argument --jsn/);
  });

  it('numbat-cuda compile --help prints its usage (no module named --help)', () => {
    const r = node([join(ROOT, 'packages/cuda/dist/cli.js'), 'compile', '--help']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/usage: numbat-cuda compile/);
  });
});

describe('examples --help', () => {
  const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.mjs'));
  for (const f of examples) {
    it(`${f} --help prints its usage to stdout, exits 0 and runs nothing`, () => {
      const r = node([join(ROOT, 'examples', f), '--help'], { NUMBAT_LOG: 'info' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`usage: node examples/${f.replace('.', '\\.')}`));
      expect(r.stdout).toMatch(/--target/);
      // Nothing chosen, nothing compiled: NUMBAT_LOG=info would have said so.
      expect(r.stderr).not.toMatch(/numbat\[info\]/);
      expect(r.stdout).not.toMatch(/ok {2}|FAIL|samples\/s|elements\/s/);
    });
  }
});

describe('pi demo progress', () => {
  const args = [join(ROOT, 'examples/pi.mjs'), '--target', 'sim', '--size', 'small', '--samples', '10'];
  it('into a pipe: one plain line per batch, no \\r frames', () => {
    const r = node(args);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/\r/);
    expect(r.stdout.match(/^ {2}\d+% done$/gm)).toEqual(['  25% done', '  50% done', '  75% done', '  100% done']);
  });

  const script = ['/usr/bin/script', '/bin/script'].find(existsSync);
  it.skipIf(!script)('on a TTY (under script(1)): the bar redrawn in place', () => {
    const r = spawnSync(script!, ['-qec', [process.execPath, ...args].join(' '), '/dev/null'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NUMBAT_TARGET: '' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\r {2}\[#{30}\] 100%/);
    expect(r.stdout).not.toMatch(/% done/);
  });
});

describe('NUMBAT_LOG', () => {
  const script = join(ROOT, 'test/fixtures/log-kernel.mjs');
  it('off by default: nothing on stderr', () => {
    const r = node([script, 'sim']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('info: the target choice and each compile with its stage times', () => {
    const r = node([script, 'auto'], { NUMBAT_LOG: 'info' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^numbat\[info\] target 'auto' -> (sim|cpu|webgpu|cuda) \(cuda: .*; webgpu: .*; cpu: .*; sim: .*\)$/m);
    expect(r.stderr).toMatch(/^numbat\[info\] compile kernel 'twice' \(f32\[\]\) for \w+: frontend [\d.]+ ms \(parse [\d.]+, lower [\d.]+, checks [\d.]+, legalise [\d.]+\).*total [\d.]+ ms$/m);
    expect(r.stderr).not.toMatch(/numbat\[debug\]/);
  });

  it('debug adds specialisation cache hits; NUMBAT_TARGET is logged as the choice', () => {
    const r = node([script, 'auto'], { NUMBAT_LOG: 'debug', NUMBAT_TARGET: 'sim' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/numbat\[info\] target 'auto' -> sim \(NUMBAT_TARGET=sim\)/);
    expect(r.stderr).toMatch(/numbat\[debug\] kernel 'twice' \(f32\[\]\): specialisation cache hit/);
  });

  it('an unknown level is reported once', () => {
    const r = node([script, 'sim'], { NUMBAT_LOG: 'verbose' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.trim()).toBe("numbat: NUMBAT_LOG='verbose' is not one of info, debug, off; logging stays off");
  });
});

describe('numbat info', () => {
  it("says why 'auto' took or skipped each available target", () => {
    const r = node([CLI, 'info', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout) as { auto: string; reasons: Record<string, string>; targets: Record<string, { ok: boolean }> };
    expect(Object.keys(info.reasons).sort()).toEqual(['cpu', 'cuda', 'sim', 'webgpu']);
    expect(info.reasons[info.auto]).toMatch(/^chosen/);
    for (const [t, why] of Object.entries(info.reasons)) {
      if (t !== info.auto) expect(why, t).toMatch(info.targets[t].ok ? /not chosen|prefers/ : /^unavailable: ./);
    }
    const text = node([CLI, 'info']);
    expect(text.stdout).toMatch(new RegExp(`\\n${info.auto}: available[^\\n]*\\n {2}auto: chosen`));
  }, 120_000);
});

describe.skipIf(!webgpu.ok)(`webgpu: Dawn's warnings${webgpu.ok ? '' : ` (skipped: ${webgpu.reason})`}`, () => {
  const script = join(ROOT, 'test/fixtures/log-kernel.mjs');
  it('a webgpu run writes nothing to stderr', () => {
    const r = node([script, 'webgpu']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^0,2,4,6/);
    expect(r.stderr).toBe('');
  });

  it('NUMBAT_LOG=debug shows what Dawn prints (on Mesa: the limit-clamping warnings)', () => {
    const r = node([script, 'webgpu'], { NUMBAT_LOG: 'debug' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/numbat\[info\] compile kernel 'twice'/);
    if (/llvmpipe/.test(webgpu.device ?? '')) expect(r.stderr).toMatch(/artificially reduced/);
  });
});
