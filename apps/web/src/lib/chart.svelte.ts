// The 24-hour trend line as a Svelte attachment: the chart is created once when the canvas is
// mounted, updated in place (no animation) when the points change, destroyed on teardown.
import { CategoryScale, Chart, Filler, LinearScale, LineController, LineElement, PointElement } from "chart.js";
import type { Attachment } from "svelte/attachments";
import type { TrendPoint } from "@carewatch/domain";

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Filler);

export interface TrendInput {
  points: TrendPoint[];
  capacity: number;
  /** CSS colour of the line (the level's colour; the level is also shown as text elsewhere). */
  color: string;
  /** Grey out when the numbers are stale. */
  dim: boolean;
}

function apply(chart: Chart<"line", number[], string>, input: TrendInput): void {
  const labels = input.points.map((p) => String(p.t));
  const values = input.points.map((p) => p.occupied);
  const peak = Math.max(input.capacity, ...values, 1);
  const color = input.dim ? "#6b7480" : input.color;
  const [line, cap] = chart.data.datasets;
  chart.data.labels = labels;
  if (line) {
    line.data = values;
    line.borderColor = color;
    line.backgroundColor = `${color}33`;
  }
  if (cap) cap.data = values.map(() => input.capacity);
  const y = chart.options.scales?.y;
  if (y) {
    y.min = 0;
    y.max = Math.ceil(peak * 1.08);
  }
  chart.update("none");
}

/** `<canvas {@attach trendChart(() => input)}>` — the getter is read in a child effect only. */
export function trendChart(get: () => TrendInput): Attachment<HTMLCanvasElement> {
  return (canvas) => {
    const chart = new Chart<"line", number[], string>(canvas, {
      type: "line",
      data: {
        labels: [],
        datasets: [
          { data: [], borderWidth: 3, pointRadius: 0, fill: "origin", tension: 0.25 },
          { data: [], borderWidth: 1.5, borderDash: [6, 5], borderColor: "#8b95a1", pointRadius: 0, fill: false },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        events: [],
        plugins: { legend: { display: false }, tooltip: { enabled: false } },
        layout: { padding: { top: 2, bottom: 2 } },
        scales: {
          x: { display: false },
          y: { display: false, min: 0 },
        },
      },
    });
    // The attachment itself reads no state, so the chart is created once; only this child
    // effect re-runs when the points (or the colour) change.
    $effect(() => {
      apply(chart, get());
    });
    return () => chart.destroy();
  };
}
