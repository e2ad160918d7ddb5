// The facility page's charts (chart.js) as Svelte attachments: created once when the canvas is
// mounted, updated in place (no animation) when their input changes, destroyed on teardown.
// A click anywhere over a bucket reports its index, so the page can list the events behind it.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type Plugin,
} from "chart.js";
import type { Attachment } from "svelte/attachments";

Chart.register(LineController, LineElement, PointElement, BarController, BarElement, LinearScale, CategoryScale, Filler, Legend, Tooltip);

const GRID = "#2a3542";
const TICK = "#9aa6b2";

export interface Series {
  label: string;
  data: number[];
  color: string;
}

export interface ChartInput {
  labels: string[];
  /** A bucket to mark (the instant "as of" falls in), or null. */
  marker: number | null;
  onPick: (index: number) => void;
}

export interface OccupancyInput extends ChartInput {
  occupied: Series;
  capacity: Series;
  /** Threshold lines (percent of capacity × capacity, per bucket), drawn as bands between them. */
  bands: { high: Series; critical: Series; over: Series };
}

export interface BarsInput extends ChartInput {
  series: Series[];
  stacked: boolean;
}

/** 199 → 200, 1234 → 1250: the next multiple of a round step. */
function niceCeil(n: number): number {
  const step = 10 ** Math.max(0, Math.floor(Math.log10(n)) - 1) * (n >= 500 ? 5 : n >= 100 ? 2 : 1);
  return Math.ceil(n / step) * step;
}

/** A vertical line at the marked bucket: where the timeline's instant is. */
const markerPlugin: Plugin = {
  id: "asOfMarker",
  afterDatasetsDraw(chart) {
    const index = (chart.options.plugins as { asOfMarker?: { index: number | null } }).asOfMarker?.index;
    if (index === null || index === undefined) return;
    const x = chart.scales.x?.getPixelForValue(index);
    if (x === undefined) return;
    const { top, bottom } = chart.chartArea;
    const ctx = chart.ctx;
    ctx.save();
    ctx.strokeStyle = "#8ecbff";
    ctx.lineWidth = 2;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, bottom);
    ctx.stroke();
    ctx.restore();
  },
};

/** Ticks and legend follow the page's rem (18 px at 1080p, 36 px at 4K, at least 15 px on a phone). */
function fontSize(canvas: HTMLCanvasElement): number {
  return Math.round((parseFloat(getComputedStyle(canvas).fontSize) || 16) * 0.8);
}

function baseOptions(get: () => ChartInput, size: number) {
  const font = { size };
  return {
    animation: false as const,
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: "index" as const, intersect: false },
    onClick: (_e: unknown, _els: unknown, chart: Chart) => {
      const el = chart.getActiveElements()[0];
      if (el) get().onPick(el.index);
    },
    plugins: {
      legend: { labels: { color: TICK, boxWidth: size, font, filter: (item: { text: string }) => item.text !== "" } },
      tooltip: { enabled: true, titleFont: font, bodyFont: font },
      asOfMarker: { index: null },
    },
    scales: {
      x: { ticks: { color: TICK, autoSkip: true, autoSkipPadding: size, maxRotation: 0, font }, grid: { color: GRID } },
      y: { beginAtZero: true, ticks: { color: TICK, precision: 0, font }, grid: { color: GRID } },
    },
  };
}

/** Occupied against capacity, with the level bands (high, critical, over) behind it. */
export function occupancyChart(get: () => OccupancyInput): Attachment<HTMLCanvasElement> {
  return (canvas) => {
    const chart = new Chart<"line", number[], string>(canvas, {
      type: "line",
      data: { labels: [], datasets: [] },
      options: baseOptions(get, fontSize(canvas)) as never,
      plugins: [markerPlugin],
    });
    $effect(() => {
      const v = get();
      // Room above the over line for the over band, rounded to a tidy tick.
      const top = niceCeil(Math.max(...v.occupied.data, ...v.bands.over.data, 1) * 1.1);
      const band = (s: Series, fill: string | false, bg: string) => ({
        label: s.label,
        data: s.data,
        borderColor: s.color,
        borderWidth: 1,
        backgroundColor: bg,
        pointRadius: 0,
        fill,
        stepped: true as const,
      });
      chart.data.labels = v.labels;
      // Each band is the area between two threshold lines, filled down to the line before it and
      // named in the legend for the level it is: [high, critical) high, [critical, over) critical,
      // above over. The first line only bounds the high band (no legend entry of its own).
      chart.data.datasets = [
        { ...band({ ...v.bands.high, label: "" }, false, "transparent"), borderDash: [2, 4] },
        band({ ...v.bands.critical, label: v.bands.high.label, color: v.bands.high.color }, "-1", "rgba(245, 197, 66, 0.16)"),
        band({ ...v.bands.over, label: v.bands.critical.label, color: v.bands.critical.color }, "-1", "rgba(255, 138, 61, 0.18)"),
        { ...band({ label: v.bands.over.label, data: v.labels.map(() => top), color: v.bands.over.color }, "-1", "rgba(255, 77, 94, 0.16)"), borderWidth: 0 },
        {
          label: v.capacity.label,
          data: v.capacity.data,
          borderColor: v.capacity.color,
          borderDash: [6, 5],
          borderWidth: 2,
          pointRadius: 0,
          stepped: true,
          fill: false,
        },
        {
          label: v.occupied.label,
          data: v.occupied.data,
          borderColor: v.occupied.color,
          backgroundColor: v.occupied.color,
          borderWidth: 3,
          pointRadius: v.labels.length > 60 ? 0 : 3,
          pointHitRadius: 8,
          tension: 0.2,
          fill: false,
        },
      ] as never;
      const y = chart.options.scales?.y;
      if (y) y.max = top;
      (chart.options.plugins as { asOfMarker: { index: number | null } }).asOfMarker.index = v.marker;
      chart.update("none");
    });
    return () => chart.destroy();
  };
}

/** Bars per bucket: admissions and discharges side by side, or treatments stacked by category. */
export function barsChart(get: () => BarsInput): Attachment<HTMLCanvasElement> {
  return (canvas) => {
    const chart = new Chart<"bar", number[], string>(canvas, {
      type: "bar",
      data: { labels: [], datasets: [] },
      options: baseOptions(get, fontSize(canvas)) as never,
      plugins: [markerPlugin],
    });
    $effect(() => {
      const v = get();
      chart.data.labels = v.labels;
      chart.data.datasets = v.series.map((s) => ({ label: s.label, data: s.data, backgroundColor: s.color, borderWidth: 0 }));
      const x = chart.options.scales?.x as { stacked?: boolean } | undefined;
      const y = chart.options.scales?.y as { stacked?: boolean } | undefined;
      if (x) x.stacked = v.stacked;
      if (y) y.stacked = v.stacked;
      (chart.options.plugins as { asOfMarker: { index: number | null } }).asOfMarker.index = v.marker;
      chart.update("none");
    });
    return () => chart.destroy();
  };
}
