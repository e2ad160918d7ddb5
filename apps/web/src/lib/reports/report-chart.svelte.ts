// The report's picture: the province's occupied at each day's end against its capacity, as a
// Svelte attachment (created once, updated in place, destroyed with the canvas). Light colours:
// the report is printed.
import { CategoryScale, Chart, Filler, Legend, LinearScale, LineController, LineElement, PointElement } from "chart.js";
import type { Attachment } from "svelte/attachments";

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Filler, Legend);

export interface ReportChartInput {
  days: { day: string; occupied: number; capacity: number }[];
  labels: { occupied: string; capacity: string };
  format: (n: number) => string;
}

export function reportChart(get: () => ReportChartInput): Attachment<HTMLCanvasElement> {
  return (canvas) => {
    const chart = new Chart<"line", number[], string>(canvas, {
      type: "line",
      data: { labels: [], datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { position: "bottom", labels: { color: "#222", boxWidth: 14 } } },
        scales: {
          x: { ticks: { color: "#333", maxRotation: 0, autoSkip: true }, grid: { color: "#e5e5e5" } },
          y: { min: 0, ticks: { color: "#333", callback: (v) => get().format(Number(v)) }, grid: { color: "#e5e5e5" } },
        },
      },
    });
    $effect(() => {
      const input = get();
      chart.data.labels = input.days.map((d) => d.day.slice(8, 10));
      chart.data.datasets = [
        {
          label: input.labels.occupied,
          data: input.days.map((d) => d.occupied),
          borderColor: "#1f5fa8",
          backgroundColor: "#1f5fa833",
          borderWidth: 2,
          pointRadius: 0,
          fill: "origin",
        },
        {
          label: input.labels.capacity,
          data: input.days.map((d) => d.capacity),
          borderColor: "#b3261e",
          borderDash: [6, 4],
          borderWidth: 1.5,
          pointRadius: 0,
          fill: false,
        },
      ];
      chart.update("none");
    });
    return () => chart.destroy();
  };
}
