// Charts of the delivery log (交付日志), drawn with ECharts.
//
// The page includes vendor/echarts/echarts.min.js and this file (both with defer), then for each
// chart an element naming the id of a JSON block, which Django's json_script filter writes:
//
//   {{ charts.per_day|json_script:"gs-delivery-per-day" }}
//   <div data-delivery-chart="gs-delivery-per-day" data-chart-height="260"></div>
//
// Two shapes (exchange.views.deliveries.chart_specs):
//   {"type": "stacked", "x": ["2026-05-01", ...], "series": [{"name": "...", "key": "2xx", "data": [..]}]}
//   {"type": "bar", "name": "Calls", "labels": ["人社局", ...], "values": [12, ...]}
// No inline script (CSP).
(function () {
  "use strict";

  // Status classes keep their colour whatever the language of their label.
  const STATUS_COLOURS = { "2xx": "#198754", "4xx": "#fd7e14", "5xx": "#dc3545", other: "#6c757d" };

  function readSpec(element) {
    const block = document.getElementById(element.dataset.deliveryChart);
    if (!block) return null;
    try {
      return JSON.parse(block.textContent);
    } catch (error) {
      return null;
    }
  }

  function stackedOption(spec) {
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 36, bottom: 32 },
      xAxis: { type: "category", data: spec.x || [] },
      yAxis: { type: "value", minInterval: 1 },
      series: (spec.series || []).map((series) => ({
        type: "bar",
        stack: "calls",
        name: series.name,
        data: series.data || [],
        itemStyle: { color: STATUS_COLOURS[series.key] || STATUS_COLOURS.other },
      })),
    };
  }

  function barOption(spec) {
    // Largest on top: ECharts draws a category axis from the bottom up.
    const labels = (spec.labels || []).slice().reverse();
    const values = (spec.values || []).slice().reverse();
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 24, top: 8, bottom: 24, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: {
        type: "category",
        data: labels,
        axisLabel: { width: 120, overflow: "truncate" },
      },
      series: [{ type: "bar", name: spec.name || "", data: values }],
    };
  }

  function draw(element) {
    if (element.dataset.chartDrawn) return;
    if (typeof window.echarts === "undefined") {
      console.warn("deliveries-charts.js: include vendor/echarts/echarts.min.js before this file");
      return;
    }
    const spec = readSpec(element);
    if (!spec) return;
    // Height from a data attribute: templates carry no inline style.
    element.style.height = `${parseInt(element.dataset.chartHeight || "260", 10)}px`;
    element.style.width = "100%";
    const chart = window.echarts.init(element);
    chart.setOption(spec.type === "stacked" ? stackedOption(spec) : barOption(spec));
    element.dataset.chartDrawn = "1";
    window.addEventListener("resize", () => chart.resize());
  }

  function drawAll(root) {
    root.querySelectorAll("[data-delivery-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", () => drawAll(document));
  document.addEventListener("htmx:afterSwap", (event) => drawAll(event.target));
})();
