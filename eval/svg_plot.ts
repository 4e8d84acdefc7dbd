/**
 * Small dependency-free SVG line charts for the eval/ reports: one or more panels side by side,
 * each with series of (x, y) points, linear or log10 y axis, a legend, and error bars when a
 * point carries a spread.
 */

/** One point: y, optionally with a symmetric spread drawn as an error bar. */
export interface PlotPoint { x: number; y: number; spread?: number }
export interface PlotSeries { name: string; points: PlotPoint[] }
export interface PlotPanel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: PlotSeries[];
  /** log10 y axis (non-positive values are clamped to the axis floor). */
  yLog?: boolean;
  /** Fixed y range (data range otherwise). */
  yMin?: number;
  yMax?: number;
}

const PANEL_W = 420, PANEL_H = 300, MARGIN = { left: 62, right: 14, top: 30, bottom: 44 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#17becf', '#bcbd22'];
const MARKERS = ['circle', 'square', 'triangle', 'diamond'] as const;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** About five round ticks covering [lo, hi]. */
function niceTicks(lo: number, hi: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / 5, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + 1e-9 * step; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

function fmtTick(v: number, log: boolean): string {
  if (log) return `1e${Math.round(v)}`;
  return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(1) : String(Number(v.toPrecision(4)));
}

function marker(kind: (typeof MARKERS)[number], x: number, y: number, color: string): string {
  const r = 3.5;
  switch (kind) {
    case 'circle': return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${r}" fill="${color}"/>`;
    case 'square': return `<rect x="${(x - r).toFixed(1)}" y="${(y - r).toFixed(1)}" width="${2 * r}" height="${2 * r}" fill="${color}"/>`;
    case 'triangle': return `<path d="M${x.toFixed(1)},${(y - r).toFixed(1)} L${(x + r).toFixed(1)},${(y + r).toFixed(1)} L${(x - r).toFixed(1)},${(y + r).toFixed(1)} Z" fill="${color}"/>`;
    case 'diamond': return `<path d="M${x.toFixed(1)},${(y - r).toFixed(1)} L${(x + r).toFixed(1)},${y.toFixed(1)} L${x.toFixed(1)},${(y + r).toFixed(1)} L${(x - r).toFixed(1)},${y.toFixed(1)} Z" fill="${color}"/>`;
  }
}

function panelSvg(p: PlotPanel, ox: number, legendNames: string[]): string {
  const w = PANEL_W - MARGIN.left - MARGIN.right, h = PANEL_H - MARGIN.top - MARGIN.bottom;
  const pts = p.series.flatMap((s) => s.points).filter((q) => Number.isFinite(q.y));
  const xs = pts.map((q) => q.x);
  const floor = p.yLog ? Math.min(...pts.filter((q) => q.y > 0).map((q) => q.y), 1) : 0;
  const ty = (v: number): number => (p.yLog ? Math.log10(Math.max(v, floor)) : v);
  const ys = pts.flatMap((q) => [ty(q.y - (q.spread ?? 0)), ty(q.y + (q.spread ?? 0))]);
  let x0 = Math.min(...xs), x1 = Math.max(...xs);
  if (!(x1 > x0)) { x0 -= 1; x1 += 1; }
  let y0 = p.yMin !== undefined ? ty(p.yMin) : Math.min(...ys), y1 = p.yMax !== undefined ? ty(p.yMax) : Math.max(...ys);
  if (p.yLog) { y0 = Math.floor(y0); y1 = Math.ceil(y1); }
  if (!(y1 > y0)) { y0 -= 1; y1 += 1; }
  const sx = (v: number): number => ox + MARGIN.left + ((v - x0) / (x1 - x0)) * w;
  const sy = (v: number): number => MARGIN.top + h - ((v - y0) / (y1 - y0)) * h;
  const out: string[] = [];
  out.push(`<text x="${ox + MARGIN.left + w / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`);
  out.push(`<rect x="${ox + MARGIN.left}" y="${MARGIN.top}" width="${w}" height="${h}" fill="none" stroke="#444"/>`);
  const yTicks = p.yLog ? Array.from({ length: Math.round(y1 - y0) + 1 }, (_, i) => y0 + i).filter((_, i, a) => a.length <= 9 || i % Math.ceil(a.length / 8) === 0) : niceTicks(y0, y1);
  for (const t of yTicks) {
    out.push(`<line x1="${ox + MARGIN.left}" x2="${ox + MARGIN.left + w}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#ddd"/>`);
    out.push(`<text x="${ox + MARGIN.left - 5}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end" font-size="11">${fmtTick(t, !!p.yLog)}</text>`);
  }
  for (const t of niceTicks(x0, x1)) {
    out.push(`<line x1="${sx(t).toFixed(1)}" x2="${sx(t).toFixed(1)}" y1="${MARGIN.top + h}" y2="${MARGIN.top + h + 4}" stroke="#444"/>`);
    out.push(`<text x="${sx(t).toFixed(1)}" y="${MARGIN.top + h + 16}" text-anchor="middle" font-size="11">${fmtTick(t, false)}</text>`);
  }
  out.push(`<text x="${ox + MARGIN.left + w / 2}" y="${PANEL_H - 8}" text-anchor="middle" font-size="12">${esc(p.xLabel)}</text>`);
  out.push(`<text transform="translate(${ox + 14},${MARGIN.top + h / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(p.yLabel)}</text>`);
  for (const s of p.series) {
    const k = legendNames.indexOf(s.name);
    const color = COLORS[k % COLORS.length]!, mk = MARKERS[k % MARKERS.length]!;
    const good = s.points.filter((q) => Number.isFinite(q.y)).sort((a, b) => a.x - b.x);
    if (good.length === 0) continue;
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="1.6" points="${good.map((q) => `${sx(q.x).toFixed(1)},${sy(ty(q.y)).toFixed(1)}`).join(' ')}"/>`);
    for (const q of good) {
      if (q.spread) {
        out.push(`<line x1="${sx(q.x).toFixed(1)}" x2="${sx(q.x).toFixed(1)}" y1="${sy(ty(q.y - q.spread)).toFixed(1)}" y2="${sy(ty(q.y + q.spread)).toFixed(1)}" stroke="${color}"/>`);
      }
      out.push(marker(mk, sx(q.x), sy(ty(q.y)), color));
    }
  }
  return out.join('\n');
}

/** An SVG document with the panels in one row and one legend for all series below them. */
export function lineChartSvg(panels: PlotPanel[], title?: string): string {
  const names = [...new Set(panels.flatMap((p) => p.series.map((s) => s.name)))];
  const top = title ? 26 : 0;
  const legendRows = Math.ceil(names.length / 3);
  const width = PANEL_W * panels.length, height = top + PANEL_H + 12 + legendRows * 18;
  const body: string[] = [];
  if (title) body.push(`<text x="${width / 2}" y="18" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`);
  body.push(`<g transform="translate(0,${top})">`);
  panels.forEach((p, i) => body.push(panelSvg(p, i * PANEL_W, names)));
  body.push('</g>');
  const colW = width / 3;
  names.forEach((n, k) => {
    const x = 20 + (k % 3) * colW, y = top + PANEL_H + 14 + Math.floor(k / 3) * 18;
    const color = COLORS[k % COLORS.length]!;
    body.push(`<line x1="${x}" x2="${x + 22}" y1="${y}" y2="${y}" stroke="${color}" stroke-width="1.6"/>${marker(MARKERS[k % MARKERS.length]!, x + 11, y, color)}`);
    body.push(`<text x="${x + 28}" y="${y + 4}" font-size="12">${esc(n)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">\n`
    + `<rect width="100%" height="100%" fill="white"/>\n${body.join('\n')}\n</svg>\n`;
}
