// Draws the campaign page's "progress over time" chart from the figures the
// server put in <script id="summary-chart-data" type="application/json">.
(function () {
  "use strict";
  var COLOURS = {
    draft: "#9aa5b1",
    open: "#3b82f6",
    in_progress: "#f59e0b",
    partially_met: "#84cc16",
    met: "#16a34a",
    not_met: "#dc2626",
    withdrawn: "#6b7280",
  };

  function draw() {
    var canvas = document.getElementById("summary-chart");
    var source = document.getElementById("summary-chart-data");
    if (!canvas || !source || typeof window.Chart === "undefined") {
      return;
    }
    var figures = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: figures.labels,
        datasets: figures.datasets.map(function (dataset) {
          return {
            label: dataset.label,
            data: dataset.data,
            backgroundColor: COLOURS[dataset.status] || "#64748b",
          };
        }),
      },
      options: {
        responsive: true,
        aspectRatio: 2,
        animation: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
