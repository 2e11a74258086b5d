// The disk cache that backends with native code share (`cache: true`): one
// entry = a payload (cpu: a shared library, cuda: PTX), a JSON manifest (the
// backend's plan and a checksum) and the inspect texts (read only by
// `inspect`). Node only: exported as '@numbat/core/disk-cache', never from
// core's main entry (browsers have no file system).
//
// Trust model. The checksum is a SHA-256 over the format, the backend's
// version, the entry's key (the name it is looked up under), the plan and the
// payload, so an entry is used only when everything loaded from it is exactly
// what was stored for that key: a corrupt or truncated file, an edited plan, or
// another kernel's entry copied under this key all fail and are rebuilt. It
// protects against accidents, not against someone who can write the
// directory (they could recompute the checksum); hence a per-user directory,
// created private (0700), never the working directory. See docs/safety.md.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

const FORMAT = 'numbat-disk-cache-2';

/** An environment variable, with '' treated as unset (as the XDG spec does). */
function env(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
}

/**
 * numbat's cache root: $NUMBAT_CACHE_DIR, else the per-user cache directory
 * ($XDG_CACHE_HOME/numbat or ~/.cache/numbat; ~/Library/Caches/numbat on macOS;
 * %LOCALAPPDATA%\numbat\cache on Windows). An empty NUMBAT_CACHE_DIR counts as unset.
 */
export function cacheRoot(): string {
  const explicit = env('NUMBAT_CACHE_DIR');
  if (explicit) return resolve(explicit);
  const xdg = env('XDG_CACHE_HOME');
  if (xdg && isAbsolute(xdg)) return join(xdg, 'numbat');
  let home: string | undefined;
  try { home = homedir(); } catch { /* no home directory (a service account) */ }
  if (process.platform === 'win32' && env('LOCALAPPDATA')) return join(env('LOCALAPPDATA')!, 'numbat', 'cache');
  if (home) return process.platform === 'darwin' ? join(home, 'Library', 'Caches', 'numbat') : join(home, '.cache', 'numbat');
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return join(tmpdir(), `numbat-cache-${uid}`);
}

export interface CacheEntry<Plan> {
  /** The directory the entry was found in, and its key. */
  dir: string;
  key: string;
  /** The payload file (e.g. a shared library to dlopen) and its verified bytes. */
  path: string;
  payload: Buffer;
  plan: Plan;
  /** The entry's checksum: identifies its exact contents. */
  checksum: string;
}

interface Manifest<Plan> { format: string; version: string; key: string; plan: Plan; size: number; checksum: string }

export class DiskCache<Plan> {
  /**
   * @param name the subdirectory under the cache root (the target, e.g. 'cpu')
   * @param version the backend's codegen version: bump when generated code changes meaning
   * @param ext the payload file's extension ('so', 'ptx')
   */
  constructor(readonly name: string, readonly version: string, readonly ext: string) {}

  /** The writable directory of this cache. */
  dir(): string {
    return join(cacheRoot(), this.name);
  }

  /** An entry's key: a hash of everything the compiled code depends on. */
  key(parts: readonly string[]): string {
    return createHash('sha256').update([this.version, ...parts].join('\u0000')).digest('hex').slice(0, 32);
  }

  private checksum(key: string, plan: Plan, payload: Buffer): string {
    const h = createHash('sha256');
    h.update([FORMAT, this.version, key, JSON.stringify(plan), String(payload.length)].join('\u0000'));
    h.update('\u0000');
    h.update(payload);
    return h.digest('hex');
  }

  /** The entry for `key` in `dir`, or undefined when absent, stale, corrupt or stored under another key. */
  lookup(key: string, dir = this.dir()): CacheEntry<Plan> | undefined {
    try {
      const m = JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8')) as Manifest<Plan>;
      if (m.format !== FORMAT || m.version !== this.version || m.key !== key) return undefined;
      const path = join(dir, `${key}.${this.ext}`);
      const payload = readFileSync(path);
      // The key we looked up under, not the manifest's, goes into the checksum.
      const checksum = this.checksum(key, m.plan, payload);
      if (payload.length !== m.size || checksum !== m.checksum) return undefined;
      return { dir, key, path, payload, plan: m.plan, checksum };
    } catch {
      return undefined;
    }
  }

  /** Stores an entry (texts first, manifest last: an entry is complete once it has a manifest). */
  store(key: string, payload: Buffer, plan: Plan, texts: Record<string, string>, dir = this.dir()): CacheEntry<Plan> {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `${key}.${this.ext}`);
    writeAtomic(join(dir, `${key}.texts.json`), JSON.stringify(texts));
    writeAtomic(path, payload);
    const checksum = this.checksum(key, plan, payload);
    const m: Manifest<Plan> = { format: FORMAT, version: this.version, key, plan, size: payload.length, checksum };
    writeAtomic(join(dir, `${key}.json`), JSON.stringify(m));
    return { dir, key, path, payload, plan, checksum };
  }

  /** The inspect texts of an entry, if stored. */
  texts(key: string, dir = this.dir()): Record<string, string> | undefined {
    try {
      return JSON.parse(readFileSync(join(dir, `${key}.texts.json`), 'utf8')) as Record<string, string>;
    } catch {
      return undefined;
    }
  }
}

let counter = 0;
function writeAtomic(path: string, data: string | Buffer): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.${counter++}`;
  writeFileSync(tmp, data, { mode: 0o600 });
  renameSync(tmp, path); // a reader never sees a half-written file under the final name
}
