// The inventory charts, drawn by Chart.js (served from node_modules as chart.umd.min.js)
// from the page's JSON block #inventory-data: customers acquired per month (line) and
// Start against Plus licenses (pie). The numbers are also in a table on the page.
(() => {
  const block = document.getElementById("inventory-data");
  if (!block || typeof Chart === "undefined") return;
  const data = JSON.parse(block.textContent || "{}");
  const motion = window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : undefined;
  const line = document.getElementById("acquired-chart");
  if (line && data.line) {
    new Chart(line, {
      type: "line",
      data: {
        labels: data.line.labels,
        datasets: [
          {
            label: data.line.label,
            data: data.line.values,
            borderColor: "#1d4ed8",
            backgroundColor: "#1d4ed8",
            tension: 0.2,
          },
        ],
      },
      options: {
        locale: data.locale,
        animation: motion,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }
  const pie = document.getElementById("license-chart");
  if (pie && data.pie) {
    new Chart(pie, {
      type: "pie",
      data: {
        labels: data.pie.labels,
        datasets: [{ data: data.pie.values, backgroundColor: ["#0f766e", "#b45309"] }],
      },
      options: { locale: data.locale, animation: motion, maintainAspectRatio: false },
    });
  }
})();
