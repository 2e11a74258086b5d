// Number formatting shared by the Markdown report and the SVG chart.

const PREFIXES = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];

/** 1.23e9, 'samples/s' -> '1.23 G samples/s'; 3.4e10, 'B/s' -> '34.0 GB/s'. */
export function si(value, unit = '') {
  if (value === undefined || value === null || !Number.isFinite(value)) return '—';
  const rounded = Number(value.toPrecision(3)); // 999.9e6 is 1.00 G, not 1000 M
  const [scale, prefix] = PREFIXES.find(([s]) => Math.abs(rounded) >= s) ?? [1, ''];
  const v = rounded / scale;
  const num = v.toFixed(Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2);
  if (unit.startsWith('B/')) return `${num} ${prefix}${unit}`; // GB/s
  return [num, prefix, unit].filter(Boolean).join(' ');
}

export const ms = (x, d = 1) => (Number.isFinite(x) ? `${x.toFixed(d)} ms` : '—');
export const mib = (kib) => (Number.isFinite(kib) ? `${(kib / 1024).toFixed(0)} MiB` : '—');
export const ratio = (x) => (Number.isFinite(x) ? `${x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toPrecision(2)}×` : '—');

/** Signed bytes per iteration, in B or KiB. */
export function perIteration(bytes) {
  if (!Number.isFinite(bytes)) return '—';
  const sign = bytes >= 0 ? '+' : '−';
  const a = Math.abs(bytes);
  return a >= 1024 ? `${sign}${(a / 1024).toFixed(1)} KiB` : `${sign}${a.toFixed(0)} B`;
}

/** Markdown table cells must not contain pipes or newlines. */
export const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

export function table(header, rows) {
  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.map(cell).join(' | ')} |`).join('\n');
}
