// Runs a node script of the suite in a child process and collects the JSON
// lines it prints (one per finished piece of work), so a crash, a hang or a
// native abort costs only the piece that was running. Never throws.
import { spawn } from 'node:child_process';

/**
 * Resolves to { lines, error }: `lines` are the parsed JSON lines in order;
 * `error` (absent when the child exited 0) says why it stopped: an exit code or
 * signal with the tail of its stderr, or a timeout when no line came for
 * `idleMs`.
 */
export function runChild(script, args, { env = {}, idleMs = 300_000, nodeArgs = [], onLine } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
      env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = [];
    let buffered = '', stderr = '', timedOut = false;
    let timer;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, idleMs);
    };
    arm();
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        try {
          const value = JSON.parse(line);
          lines.push(value);
          onLine?.(value);
          arm();
        } catch { /* not one of ours */ }
      }
    });
    child.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000); });
    child.on('error', (e) => { clearTimeout(timer); resolve({ lines, error: e.message }); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && !timedOut) return resolve({ lines });
      const tail = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !/^Warning: max/.test(l)).slice(-2).join(' | ');
      const why = timedOut ? `timed out (no result for ${Math.round(idleMs / 1000)} s)` : signal ? `killed by ${signal}` : `exited ${code}`;
      resolve({ lines, error: tail ? `${why}: ${tail}` : why });
    });
  });
}
