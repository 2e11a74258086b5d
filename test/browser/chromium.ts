// A minimal headless Chromium driver for the browser tests: Debian's
// `chromium`, driven through the DevTools protocol over a pipe
// (--remote-debugging-pipe: NUL-separated JSON on fds 3 and 4), so no npm
// driver or WebSocket client is needed. Only what the tests use: open a page,
// evaluate an expression (awaiting its promise), take a screenshot.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** The Chromium binary (CHROMIUM overrides), or undefined when none is installed. */
export function findChromium(): string | undefined {
  for (const c of [process.env.CHROMIUM, 'chromium', 'chromium-browser', 'google-chrome']) {
    if (!c) continue;
    const r = spawnSync('sh', ['-c', `command -v "${c}"`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return undefined;
}

type Message = { id?: number; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: { message: string }; sessionId?: string };

export interface Page {
  /** Evaluates `expression` in the page (awaiting a promise) and returns its JSON value. */
  evaluate<T = unknown>(expression: string): Promise<T>;
  /** Waits until `expression` is truthy (polling), or throws after `timeoutMs`. */
  waitFor(expression: string, timeoutMs: number): Promise<void>;
  /** A PNG of the viewport. */
  screenshot(): Promise<Buffer>;
  /** Console messages and uncaught exceptions, in order. */
  readonly console: string[];
}

export class Chromium {
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Set<(m: Message) => void>();
  private readonly profile = mkdtempSync(join(tmpdir(), 'numbat-chromium-'));
  private readonly proc: ChildProcess;
  private exited = false;
  private readonly exit: Promise<void>;

  constructor(binary: string, extraArgs: string[] = []) {
    this.proc = spawn(binary, [
      '--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--remote-debugging-pipe',
      `--user-data-dir=${this.profile}`, '--no-first-run', '--no-default-browser-check', '--window-size=1200,900', ...extraArgs, 'about:blank',
    ], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
    let buf = Buffer.alloc(0);
    (this.proc.stdio[4] as Readable).on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (let i = buf.indexOf(0); i >= 0; i = buf.indexOf(0)) {
        const m = JSON.parse(buf.subarray(0, i).toString('utf8')) as Message;
        buf = buf.subarray(i + 1);
        const w = m.id !== undefined ? this.waiting.get(m.id) : undefined;
        if (w) {
          this.waiting.delete(m.id!);
          if (m.error) w.reject(new Error(`DevTools: ${m.error.message}`)); else w.resolve(m);
        } else for (const l of this.listeners) l(m);
      }
    });
    this.exit = new Promise((r) => this.proc.once('exit', () => r()));
    this.proc.on('exit', () => {
      this.exited = true;
      for (const w of this.waiting.values()) w.reject(new Error('chromium exited'));
      this.waiting.clear();
    });
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    if (this.exited) return Promise.reject(new Error('chromium exited'));
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: (m) => resolve(m.result ?? {}), reject });
      (this.proc.stdio[3] as Writable).write(JSON.stringify({ id, method, params, sessionId }) + '\0');
    });
  }

  async version(): Promise<string> {
    return String((await this.send('Browser.getVersion')).product);
  }

  /** Opens `url` in a new tab and waits for its load event. */
  async open(url: string): Promise<Page> {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true }) as { sessionId: string };
    const consoleLines: string[] = [];
    let loaded!: () => void;
    const load = new Promise<void>((r) => { loaded = r; });
    this.listeners.add((m) => {
      if (m.sessionId !== sessionId) return;
      if (m.method === 'Page.loadEventFired') loaded();
      if (m.method === 'Runtime.consoleAPICalled') {
        const p = m.params as { type: string; args: { value?: unknown; description?: string }[] };
        consoleLines.push(`${p.type}: ${p.args.map((a) => a.value ?? a.description).join(' ')}`);
      }
      if (m.method === 'Runtime.exceptionThrown') {
        const d = (m.params as { exceptionDetails: { text: string; exception?: { description?: string } } }).exceptionDetails;
        consoleLines.push(`exception: ${d.exception?.description ?? d.text}`);
      }
    });
    await this.send('Page.enable', {}, sessionId);
    await this.send('Runtime.enable', {}, sessionId);
    await this.send('Page.navigate', { url }, sessionId);
    await load;
    const evaluate = async <T>(expression: string): Promise<T> => {
      const r = await this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId) as { result: { value?: T }; exceptionDetails?: { text: string; exception?: { description?: string } } };
      if (r.exceptionDetails) throw new Error(`in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
      return r.result.value as T;
    };
    return {
      console: consoleLines,
      evaluate,
      async waitFor(expression, timeoutMs) {
        const end = Date.now() + timeoutMs;
        while (!(await evaluate<boolean>(`!!(${expression})`))) {
          if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}; console: ${consoleLines.join(' | ')}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      },
      screenshot: async () => Buffer.from(String((await this.send('Page.captureScreenshot', { format: 'png' }, sessionId)).data), 'base64'),
    };
  }

  async close(): Promise<void> {
    if (!this.exited) {
      await Promise.race([this.send('Browser.close').catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
      if (!this.exited) this.proc.kill('SIGKILL');
      await this.exit;
    }
    // Its helper processes may still be writing for a moment: a leftover temp profile is harmless.
    try { rmSync(this.profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }); } catch { /* left in tmp */ }
  }
}
