// A hand-written SVG bar chart: one panel per workload, one horizontal bar per
// target (and per anchor where the workload has one), on a log scale per panel
// (targets differ by orders of magnitude: the simulator vs native code).
import { si } from './format.mjs';

const COLORS = { sim: '#8c8c8c', cpu: '#2b6cb0', webgpu: '#2f855a', cuda: '#c05621', anchor: '#6b46c1' };
const W = 960, LABEL = 210, PLOT = 560, ROW = 20, BAR = 14, HEAD = 40, GAP = 14, TOP = 56;

const tick = (d) => si(d).replace(/\.0+(?= |$)/, ''); // decades: 1 M, 10 M, 100 M
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * panels: [{ id, title, unit, bars: [{ label, value, target?, anchor?, note? }],
 * gaps: [{ label, text }] }]: bars with a finite positive value are drawn, gaps
 * (targets where the workload failed) as a line of text each. Returns the SVG
 * document as a string.
 */
export function chartSvg({ title, subtitle, panels }) {
  const drawn = panels.map((p) => ({ ...p, gaps: p.gaps ?? [], bars: p.bars.filter((b) => Number.isFinite(b.value) && b.value > 0) })).filter((p) => p.bars.length + p.gaps.length);
  const rows = (p) => p.bars.length + p.gaps.length;
  const height = TOP + drawn.reduce((h, p) => h + HEAD + rows(p) * ROW + GAP, 0) + 20;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="16" font-weight="bold">${esc(title)}</text>`,
    `<text x="12" y="42" fill="#555">${esc(subtitle)}</text>`,
  ];
  let y = TOP;
  for (const p of drawn) {
    const values = p.bars.length ? p.bars.map((b) => b.value) : [1];
    const lo = 10 ** Math.floor(Math.log10(Math.min(...values)));
    let hi = 10 ** Math.ceil(Math.log10(Math.max(...values)));
    if (hi <= lo) hi = lo * 10;
    const x = (v) => LABEL + (PLOT * Math.log10(v / lo)) / Math.log10(hi / lo);
    const bottom = y + HEAD + rows(p) * ROW;
    out.push(`<g class="panel" data-workload="${esc(p.id)}">`);
    out.push(`<text x="12" y="${y + 16}" font-weight="bold">${esc(p.title)}</text>${p.bars.length ? `<text x="${W - 12}" y="${y + 16}" text-anchor="end" fill="#555">${esc(p.unit)}, log scale</text>` : ''}`);
    for (let d = lo; p.bars.length && d <= hi * 1.0001; d *= 10) {
      out.push(`<line x1="${x(d).toFixed(1)}" y1="${y + HEAD - 4}" x2="${x(d).toFixed(1)}" y2="${bottom}" stroke="#ddd"/>`);
      out.push(`<text x="${x(d).toFixed(1)}" y="${y + HEAD - 7}" text-anchor="middle" font-size="10" fill="#777">${esc(tick(d))}</text>`);
    }
    p.bars.forEach((b, k) => {
      const top = y + HEAD + k * ROW + (ROW - BAR) / 2;
      const width = Math.max(2, x(b.value) - LABEL);
      const cls = b.anchor ? 'anchor-bar' : 'bar';
      const data = b.anchor ? `data-anchor="${esc(b.anchor)}"` : `data-target="${esc(b.target)}"`;
      const color = b.anchor ? COLORS.anchor : COLORS[b.target] ?? '#444';
      out.push(`<text x="${LABEL - 8}" y="${top + BAR - 3}" text-anchor="end"${b.anchor ? ' font-style="italic"' : ''}>${esc(b.label)}</text>`);
      out.push(`<rect class="${cls}" ${data} data-workload="${esc(p.id)}" data-value="${b.value}" x="${LABEL}" y="${top.toFixed(1)}" width="${width.toFixed(1)}" height="${BAR}" fill="${color}"${b.anchor ? ' fill-opacity="0.55"' : ''}/>`);
      out.push(`<text x="${(LABEL + width + 6).toFixed(1)}" y="${top + BAR - 3}" font-size="11">${esc(si(b.value, p.unit))}${b.note ? ` ${esc(b.note)}` : ''}</text>`);
    });
    p.gaps.forEach((g, k) => {
      const base = y + HEAD + (p.bars.length + k) * ROW + ROW / 2 + 4;
      out.push(`<text x="${LABEL - 8}" y="${base}" text-anchor="end">${esc(g.label)}</text>`);
      out.push(`<text x="${LABEL}" y="${base}" font-size="11" fill="#9b2c2c">${esc(g.text.length > 110 ? `${g.text.slice(0, 107)}…` : g.text)}</text>`);
    });
    out.push('</g>');
    y = bottom + GAP;
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
