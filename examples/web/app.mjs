// The playground (index.html; `npm run playground` bundles this file for the
// browser): the kernel in the textarea is compiled by numbat (its IR and WGSL
// shown), launched in batches on the chosen target, and the page plots the
// Monte Carlo estimate of pi converging and the histogram of normal draws
// filling. document.body.dataset.state goes 'running' -> 'done' (or 'error'),
// which the browser test waits for.
import { cuda, random, explainAuto, targetAvailability, CompileError } from '@numbat/core';
import '@numbat/webgpu'; // registers the webgpu backend (navigator.gpu)

const DEFAULT_KERNEL = `function monteCarlo(states, inside, hist, samples) {
  // One Philox stream per thread: samples points in the unit square,
  // and samples normal draws binned over [-4, 4).
  const i = cuda.grid(1);
  if (i >= inside.length) return;
  const width = 8 / hist.length;
  let count = 0;
  for (let s = 0; s < samples; s++) {
    const x = random.uniformF32(states, i);
    const y = random.uniformF32(states, i);
    if (x * x + y * y < 1) count += 1;
    const z = random.normalF32(states, i);
    const bin = Math.floor((z + 4) / width);
    if (bin >= 0 && bin < hist.length) cuda.atomic.add(hist, bin | 0, 1);
  }
  inside[i] = count;
}`;

const THREADS = 4096;
const SAMPLES = 16;
const BINS = 64;
const $ = (id) => document.getElementById(id);

$('source').value = DEFAULT_KERNEL;
let shown = 'ir';
let stages = { ir: '', wgsl: '' };
const showStage = (s) => {
  shown = s;
  $('code').textContent = stages[s] || `(${s}: ${s === 'wgsl' ? 'compiled only on target webgpu' : 'not compiled yet'})`;
  $('show-ir').classList.toggle('on', s === 'ir');
  $('show-wgsl').classList.toggle('on', s === 'wgsl');
};
$('show-ir').onclick = () => showStage('ir');
$('show-wgsl').onclick = () => showStage('wgsl');

/** The textarea's function; its free names cuda and random are numbat's (the compiler reads its source). */
function kernelFunction(text) {
  // eslint-disable-next-line no-new-func
  const fn = new Function('cuda', 'random', `"use strict"; return (${text});`)(cuda, random);
  if (typeof fn !== 'function') throw new Error('the text must be one function expression: function name(states, inside, hist, samples) { ... }');
  return fn;
}

function axes(ctx, w, h, pad) {
  ctx.clearRect(0, 0, w, h);
  ctx.strokeStyle = '#9aa5b1';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(pad, 8); ctx.lineTo(pad, h - pad); ctx.lineTo(w - 8, h - pad);
  ctx.stroke();
  ctx.fillStyle = '#52606d';
  ctx.font = '11px system-ui, sans-serif';
}

function drawPi(history) {
  const c = $('pi-plot'), ctx = c.getContext('2d'), w = c.width, h = c.height, pad = 36;
  axes(ctx, w, h, pad);
  const lo = Math.PI - 0.02, hi = Math.PI + 0.02;
  const y = (v) => h - pad - ((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * (h - pad - 8);
  const n = Math.max(history.length, 2);
  const x = (k) => pad + (k / (n - 1)) * (w - pad - 8);
  ctx.fillText((hi).toFixed(3), 2, 14); ctx.fillText((lo).toFixed(3), 2, h - pad);
  ctx.fillText('batches →', w - 70, h - pad + 16);
  // pi and the ±2σ band of the final estimate's sample count
  ctx.strokeStyle = '#2f9e44'; ctx.setLineDash([5, 4]);
  ctx.beginPath(); ctx.moveTo(pad, y(Math.PI)); ctx.lineTo(w - 8, y(Math.PI)); ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = '#2f9e44'; ctx.fillText('π', w - 20, y(Math.PI) - 4);
  ctx.fillStyle = 'rgba(47, 158, 68, 0.12)';
  ctx.beginPath();
  history.forEach((p, k) => { const s = 2 * p.sigma; ctx.lineTo(x(k), y(Math.PI + s)); });
  for (let k = history.length - 1; k >= 0; k--) ctx.lineTo(x(k), y(Math.PI - 2 * history[k].sigma));
  ctx.fill();
  ctx.strokeStyle = '#1c7ed6'; ctx.lineWidth = 2;
  ctx.beginPath();
  history.forEach((p, k) => (k ? ctx.lineTo(x(k), y(p.pi)) : ctx.moveTo(x(k), y(p.pi))));
  ctx.stroke();
}

function drawHistogram(hist) {
  const c = $('hist-plot'), ctx = c.getContext('2d'), w = c.width, h = c.height, pad = 24;
  axes(ctx, w, h, pad);
  const total = hist.reduce((a, b) => a + b, 0);
  const width = 8 / hist.length;
  const dens = Array.from(hist, (v) => (total ? v / total / width : 0));
  const top = 0.45;
  const bw = (w - pad - 8) / hist.length;
  const y = (d) => h - pad - (Math.min(d, top) / top) * (h - pad - 8);
  ctx.fillStyle = '#f08c00';
  dens.forEach((d, b) => ctx.fillRect(pad + b * bw + 0.5, y(d), bw - 1, h - pad - y(d)));
  ctx.strokeStyle = '#1d232b'; ctx.lineWidth = 1.5;
  ctx.beginPath();
  for (let k = 0; k <= 200; k++) {
    const z = -4 + (8 * k) / 200;
    const px = pad + ((z + 4) / 8) * (w - pad - 8), py = y(Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI));
    k ? ctx.lineTo(px, py) : ctx.moveTo(px, py);
  }
  ctx.stroke();
  ctx.fillStyle = '#52606d';
  for (const z of [-4, -2, 0, 2, 4]) ctx.fillText(String(z), pad + ((z + 4) / 8) * (w - pad - 8) - 4, h - 8);
  let mean = 0, sq = 0;
  hist.forEach((v, b) => { const z = -4 + (b + 0.5) * width; mean += v * z; sq += v * z * z; });
  mean /= total || 1;
  $('normals').textContent = total.toLocaleString('en');
  $('mean').textContent = mean.toFixed(4);
  $('sd').textContent = Math.sqrt(sq / (total || 1) - mean * mean).toFixed(4);
}

async function run() {
  document.body.dataset.state = 'running';
  $('run').disabled = true;
  $('error').hidden = true;
  try {
    const target = $('target-choice').value;
    const kernel = cuda.jit(kernelFunction($('source').value), { target });
    const states = random.createStates(THREADS, 2024);
    const inside = new Uint32Array(THREADS), hist = new Uint32Array(BINS);
    const resolved = await kernel.target();
    const a = await targetAvailability(resolved);
    $('target').textContent = `target: ${resolved}${a.device ? ` on ${a.device}` : ''}`;
    stages = { ir: await kernel.inspect('ir', states, inside, hist, SAMPLES), wgsl: resolved === 'webgpu' ? await kernel.inspect('wgsl', states, inside, hist, SAMPLES) : '' };
    showStage(shown);
    const launch = kernel.configure(THREADS / 256, 256);
    const history = [];
    let hits = 0, samples = 0;
    const batches = Math.max(1, Math.min(1000, Number($('batches').value) || 40));
    for (let b = 0; b < batches; b++) {
      await launch(states, inside, hist, SAMPLES); // states carry over: each batch draws new numbers
      for (const v of inside) hits += v;
      samples += THREADS * SAMPLES;
      const p = hits / samples;
      history.push({ pi: 4 * p, sigma: 4 * Math.sqrt(p * (1 - p) / samples) });
      $('pi-estimate').textContent = (4 * p).toFixed(5);
      $('pi-error').textContent = (4 * p - Math.PI).toExponential(2);
      $('samples').textContent = samples.toLocaleString('en');
      $('status').textContent = `batch ${b + 1}/${batches}`;
      drawPi(history);
      drawHistogram(hist);
      await new Promise((r) => requestAnimationFrame(r)); // let the page paint
    }
    $('status').textContent = `done: ${batches} batches`;
    document.body.dataset.state = 'done';
  } catch (e) {
    $('error').hidden = false;
    $('error').textContent = e instanceof CompileError ? e.message : String(e?.stack ?? e);
    $('status').textContent = 'error';
    document.body.dataset.state = 'error';
  } finally {
    $('run').disabled = false;
  }
}

$('run').onclick = run;
explainAuto().then((c) => { $('target').textContent = `target: auto -> ${c.target}`; });
run();
