/**
 * Inline SVG time-series charts for the HTML report: no script, no external asset, renders offline.
 * Fault windows are shaded bands; stack events are vertical markers.
 */
import { escapeXml } from './xml.js';

export interface Series {
  name: string;
  color: string;
  points: { t: number; v: number | null }[];
}

export interface Band {
  start: number;
  end: number;
  label: string;
}

export interface Marker {
  t: number;
  label: string;
}

export interface ChartSpec {
  title: string;
  yLabel: string;
  series: Series[];
  bands?: Band[];
  markers?: Marker[];
  /** Fixed y range; defaults to [0, max]. */
  yMin?: number;
  yMax?: number;
  /** Stack the series (traffic share); values are then summed per point. */
  stacked?: boolean;
  width?: number;
  height?: number;
  formatY?: (v: number) => string;
  /**
   * How the x axis reads: seconds since `origin` (the report's clock, t = 0 at run start) or calendar
   * dates (trend charts over runs). Default: seconds since the first point.
   */
  xAxis?: { kind: 'seconds'; origin: number } | { kind: 'date' };
}

/** A round step (1, 2 or 5 × 10^n) that cuts `range` into about `count` parts. */
export function niceStep(range: number, count: number): number {
  const raw = range / Math.max(1, count);
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5]) if (m * magnitude >= raw * (1 - 1e-9)) return m * magnitude;
  return 10 * magnitude;
}

/** Every multiple of `step` within [min, max], without float noise (0.30000000000000004). */
export function ticksBetween(min: number, max: number, step: number): number[] {
  const ticks: number[] = [];
  const first = Math.ceil(min / step - 1e-9);
  for (let k = first; k * step <= max + step * 1e-9; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

/** Decimals enough to tell ticks `step` apart (step 0.5 -> 1, step 20 -> 0). */
function decimalsOf(step: number): number {
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

/** Points a series may have and still get a marker on each (a line alone hides one or two points). */
const MARKED_POINTS = 30;

const PAD = { left: 56, right: 16, top: 28, bottom: 34 };

export function renderChart(spec: ChartSpec): string {
  const width = spec.width ?? 900;
  const height = spec.height ?? 260;
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const all = spec.series.flatMap((s) => s.points);
  const times = all.map((p) => p.t);
  const t0 = times.length > 0 ? Math.min(...times) : 0;
  const t1 = times.length > 0 ? Math.max(...times) : 1;
  const span = t1 - t0;
  const stackedTotals = spec.stacked ? stackTotals(spec.series) : undefined;
  const dataMax = stackedTotals
    ? Math.max(0, ...stackedTotals.values())
    : Math.max(0, ...all.map((p) => p.v ?? 0));
  const yMin = spec.yMin ?? 0;
  const yStep = niceStep((spec.yMax ?? (dataMax > yMin ? dataMax * 1.05 : yMin + 1)) - yMin, 5);
  // an open-ended axis ends on a round tick above the data
  const yMax =
    spec.yMax ??
    yMin + Math.max(1, Math.ceil(((dataMax > yMin ? dataMax * 1.05 : yMin + 1) - yMin) / yStep)) * yStep;
  // a single instant sits in the middle rather than on the left edge
  const x = (t: number) => PAD.left + (span > 0 ? ((t - t0) / span) * plotW : plotW / 2);
  const y = (v: number) => PAD.top + plotH - ((v - yMin) / Math.max(1e-9, yMax - yMin)) * plotH;
  const fmtY = spec.formatY ?? ((v: number) => v.toFixed(decimalsOf(yStep)));

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(spec.title)}">`,
    `<text x="${PAD.left}" y="18" class="chart-title">${escapeXml(spec.title)}</text>`,
  );
  for (const band of spec.bands ?? []) {
    const bx = x(Math.max(t0, band.start));
    const bw = Math.max(1, x(Math.min(t1, band.end)) - bx);
    parts.push(
      `<rect class="fault-band" x="${bx.toFixed(1)}" y="${PAD.top}" width="${bw.toFixed(1)}" height="${plotH}"><title>${escapeXml(band.label)}</title></rect>`,
      `<text class="band-label" x="${(bx + 3).toFixed(1)}" y="${PAD.top + 12}">${escapeXml(band.label)}</text>`,
    );
  }
  // Axes and grid: round steps on both.
  for (const v of ticksBetween(yMin, yMax, yStep)) {
    const gy = y(v);
    parts.push(
      `<line class="grid" x1="${PAD.left}" x2="${width - PAD.right}" y1="${gy.toFixed(1)}" y2="${gy.toFixed(1)}"/>`,
      `<text class="axis y-tick" x="${PAD.left - 6}" y="${(gy + 4).toFixed(1)}" text-anchor="end">${escapeXml(fmtY(v))}</text>`,
    );
  }
  for (const tick of xTicks(spec.xAxis, t0, t1, times))
    parts.push(
      `<text class="axis x-tick" x="${x(tick.t).toFixed(1)}" y="${height - 12}" text-anchor="middle">${escapeXml(tick.label)}</text>`,
    );
  parts.push(
    `<text class="axis" transform="translate(12 ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`,
  );

  if (spec.stacked) parts.push(...stackedAreas(spec.series, x, y));
  else
    for (const s of spec.series) {
      const path = linePath(s.points, x, y);
      if (path)
        parts.push(
          `<path class="series" d="${path}" stroke="${s.color}" fill="none"><title>${escapeXml(s.name)}</title></path>`,
        );
      const present = s.points.filter((p) => p.v !== null);
      if (present.length <= MARKED_POINTS)
        for (const p of present)
          parts.push(
            `<circle class="point" cx="${x(p.t).toFixed(1)}" cy="${y(p.v!).toFixed(1)}" r="3.5" fill="${s.color}"><title>${escapeXml(`${s.name}: ${fmtY(p.v!)}`)}</title></circle>`,
          );
    }

  for (const m of spec.markers ?? []) {
    const mx = x(m.t).toFixed(1);
    parts.push(
      `<line class="event-marker" x1="${mx}" x2="${mx}" y1="${PAD.top}" y2="${PAD.top + plotH}"><title>${escapeXml(m.label)}</title></line>`,
    );
  }
  // Legend.
  spec.series.forEach((s, i) => {
    const lx = width - PAD.right - (spec.series.length - i) * 120;
    parts.push(
      `<rect x="${lx}" y="8" width="10" height="10" fill="${s.color}"/>`,
      `<text class="legend" x="${lx + 14}" y="17">${escapeXml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** X tick positions and labels: round seconds on the report's clock, or dates for trends over runs. */
function xTicks(
  axis: ChartSpec['xAxis'],
  t0: number,
  t1: number,
  times: readonly number[],
): { t: number; label: string }[] {
  if (axis?.kind === 'date') {
    const distinct = [...new Set(times)].sort((a, b) => a - b);
    const picks =
      distinct.length <= 6
        ? distinct
        : Array.from({ length: 6 }, (_, i) => distinct[Math.round((i * (distinct.length - 1)) / 5)]!);
    const sameDay = new Date(t0).toISOString().slice(0, 10) === new Date(t1).toISOString().slice(0, 10);
    return picks.map((t) => ({
      t,
      label: new Date(t)
        .toISOString()
        .slice(sameDay ? 11 : 0, sameDay ? 19 : 16)
        .replace('T', ' '),
    }));
  }
  const origin = axis?.origin ?? t0;
  const from = (t0 - origin) / 1000;
  const to = (t1 - origin) / 1000;
  if (to <= from) return [{ t: t0, label: `${Number(from.toFixed(1))} s` }];
  const step = niceStep(to - from, 7);
  return ticksBetween(from, to, step).map((s) => ({
    t: origin + s * 1000,
    label: `${s.toFixed(decimalsOf(step))} s`,
  }));
}

/** A polyline that breaks at null values (no data in a window). */
function linePath(points: Series['points'], x: (t: number) => number, y: (v: number) => number): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (p.v === null) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)} `;
    pen = true;
  }
  return d.trim();
}

function stackTotals(series: Series[]): Map<number, number> {
  const totals = new Map<number, number>();
  for (const s of series) for (const p of s.points) totals.set(p.t, (totals.get(p.t) ?? 0) + (p.v ?? 0));
  return totals;
}

function stackedAreas(series: Series[], x: (t: number) => number, y: (v: number) => number): string[] {
  const base = new Map<number, number>();
  const out: string[] = [];
  for (const s of series) {
    const sorted = [...s.points].sort((a, b) => a.t - b.t);
    if (sorted.length === 0) continue;
    const top = sorted.map((p) => ({ t: p.t, v: (base.get(p.t) ?? 0) + (p.v ?? 0) }));
    const bottom = sorted.map((p) => ({ t: p.t, v: base.get(p.t) ?? 0 })).reverse();
    const d =
      top.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ') +
      ' ' +
      bottom.map((p) => `L${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ') +
      ' Z';
    out.push(
      `<path class="area" d="${d}" fill="${s.color}" fill-opacity="0.75"><title>${escapeXml(s.name)}</title></path>`,
    );
    for (const p of top) base.set(p.t, p.v);
  }
  return out;
}
