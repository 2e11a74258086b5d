// `npm run playground`: bundles the playground (app.mjs, with esbuild for the
// browser: the `browser` export condition picks @numbat/core's and
// @numbat/webgpu's browser entries) into dist/app.js and serves this folder
// on http://127.0.0.1:8080 (PORT or --port N to change; 0 picks a free one).
// WebGPU needs a secure context: localhost is one.
//   node examples/web/serve.mjs [--port N] [--minify]
// The test suite imports bundlePage and serveStatic from here.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.png': 'image/png', '.map': 'application/json' };

/** Bundles `entry` for the browser into `outfile` (ESM); returns its size in bytes. */
export async function bundlePage(entry, outfile, { minify = false } = {}) {
  const r = await build({
    entryPoints: [entry], outfile, bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
    conditions: ['browser'], minify, logLevel: 'silent', metafile: true,
  });
  return Object.values(r.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
}

/** Serves the files under `root` (GET only, no directory listing); resolves to { url, close }. */
export function serveStatic(root, port = 0) {
  const base = resolve(root);
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(base, path.endsWith('/') ? `${path}index.html` : path));
    if (req.method !== 'GET' || (file !== base && !file.startsWith(base + sep))) { res.writeHead(404).end(); return; }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      const { port: p } = server.address();
      ok({ url: `http://127.0.0.1:${p}/`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write('usage: node examples/web/serve.mjs [--port N] [--minify]\nBundles the numbat playground and serves it on http://127.0.0.1:8080 (PORT or --port to change).\n');
    return;
  }
  const i = args.indexOf('--port');
  const port = Number(i >= 0 ? args[i + 1] : process.env.PORT ?? 8080);
  const bytes = await bundlePage(join(HERE, 'app.mjs'), join(HERE, 'dist/app.js'), { minify: args.includes('--minify') });
  const { url } = await serveStatic(HERE, port);
  process.stdout.write(`numbat playground: ${url} (dist/app.js ${(bytes / 1024).toFixed(0)} KiB)\nOpen it in a browser with WebGPU (Chrome, Edge; headless Chromium: --enable-unsafe-webgpu). Ctrl-C stops.\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
