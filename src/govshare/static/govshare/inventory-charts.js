// Line charts of the inventory (usage and health of a system), drawn with ECharts.
//
// A page includes vendor/echarts/echarts.min.js and this file (both with defer), then for each
// chart an element naming the id of a JSON block, which Django's json_script filter writes:
//
//   <div data-chart="usage-data" data-chart-height="280"></div>
//   {{ usage|json_script:"usage-data" }}
//
// The JSON is what inventory.health.usage_series / health_series return:
//   {"x": ["2026-11-01", ...], "axes": [{"name": "...", "max": 100}, {"name": "..."}],
//    "series": [{"name": "...", "axis": 0, "data": [12, null, ...]}, ...]}
// A null value is a gap (nothing reported that day), not zero. No inline script (CSP).
(function () {
  "use strict";

  function readSpec(element) {
    const block = document.getElementById(element.dataset.chart);
    if (!block) return null;
    try {
      return JSON.parse(block.textContent);
    } catch (error) {
      return null;
    }
  }

  function option(spec) {
    const axes = (spec.axes && spec.axes.length ? spec.axes : [{ name: "" }]).map((axis, index) => ({
      type: "value",
      name: axis.name || "",
      max: axis.max,
      min: 0,
      position: index === 0 ? "left" : "right",
      splitLine: { show: index === 0 },
    }));
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 56, right: axes.length > 1 ? 64 : 24, top: 40, bottom: 32 },
      xAxis: { type: "category", data: spec.x || [], boundaryGap: false },
      yAxis: axes,
      series: (spec.series || []).map((series) => ({
        type: "line",
        name: series.name,
        yAxisIndex: Math.min(series.axis || 0, axes.length - 1),
        data: series.data || [],
        connectNulls: false,
        showSymbol: (spec.x || []).length <= 31,
      })),
    };
  }

  function draw(element) {
    if (element.dataset.chartDrawn) return;
    if (typeof window.echarts === "undefined") {
      console.warn("inventory-charts.js: include vendor/echarts/echarts.min.js before this file");
      return;
    }
    const spec = readSpec(element);
    if (!spec) return;
    // Height from a data attribute: templates carry no inline style.
    element.style.height = `${parseInt(element.dataset.chartHeight || "280", 10)}px`;
    element.style.width = "100%";
    const chart = window.echarts.init(element);
    chart.setOption(option(spec));
    element.dataset.chartDrawn = "1";
    window.addEventListener("resize", () => chart.resize());
    // A chart in a tab that was hidden when drawn has no width: redraw when it is shown.
    document.addEventListener("shown.bs.tab", () => chart.resize());
  }

  function drawAll(root) {
    root.querySelectorAll("[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", () => drawAll(document));
  document.addEventListener("htmx:afterSwap", (event) => drawAll(event.target));
  window.gsDrawCharts = drawAll;
})();
