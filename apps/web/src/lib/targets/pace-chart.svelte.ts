// The cumulative actual-vs-pace line of one target (chart.js) as a Svelte attachment: created
// once when the canvas is mounted, updated in place when its input changes, destroyed on teardown.
import { CategoryScale, Chart, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from "chart.js";
import type { Attachment } from "svelte/attachments";

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Filler, Legend, Tooltip);

const GRID = "#2a3542";
const TICK = "#9aa6b2";

export interface PaceChartInput {
  /** dd/mm of each completed day. */
  labels: string[];
  actual: { label: string; data: (number | null)[]; color: string };
  pace: { label: string; data: number[] };
  /** Formats a value for the axis and the tooltip (Vietnamese numbers). */
  format: (n: number) => string;
}

export function paceChart(get: () => PaceChartInput): Attachment<HTMLCanvasElement> {
  return (canvas) => {
    const size = Math.round((parseFloat(getComputedStyle(canvas).fontSize) || 16) * 0.8);
    const font = { size };
    const chart = new Chart<"line", (number | null)[], string>(canvas, {
      type: "line",
      data: { labels: [], datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { labels: { color: TICK, boxWidth: size, font } },
          tooltip: {
            titleFont: font,
            bodyFont: font,
            callbacks: { label: (c) => `${c.dataset.label}: ${c.parsed.y === null ? "—" : get().format(c.parsed.y)}` },
          },
        },
        scales: {
          x: { ticks: { color: TICK, autoSkip: true, maxTicksLimit: 8, maxRotation: 0, font }, grid: { color: GRID } },
          y: { beginAtZero: true, ticks: { color: TICK, font, callback: (v) => get().format(Number(v)) }, grid: { color: GRID } },
        },
      },
    });
    $effect(() => {
      const v = get();
      chart.data.labels = v.labels;
      chart.data.datasets = [
        { label: v.pace.label, data: v.pace.data, borderColor: "#8b95a1", borderDash: [6, 5], borderWidth: 2, pointRadius: 0, fill: false },
        {
          label: v.actual.label,
          data: v.actual.data,
          borderColor: v.actual.color,
          backgroundColor: `${v.actual.color}33`,
          borderWidth: 3,
          pointRadius: 0,
          pointHitRadius: 6,
          fill: "origin",
          spanGaps: false,
        },
      ];
      chart.update("none");
    });
    return () => chart.destroy();
  };
}
