/* gongkai: draw every element with class gk-chart and data-spec="ID" from the Vega-Lite JSON in
 * <script type="application/json" id="ID"> (the overview page and the report page's agency history).
 * The vega scripts are altair_viewer's standalone builds, served by plugins/overview.py (no CDN). */
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".gk-chart[data-spec]").forEach(function (el) {
    var spec = JSON.parse(document.getElementById(el.dataset.spec).textContent);
    vegaEmbed(el, spec, {renderer: "svg", actions: false, tooltip: true,
                         formatLocale: {decimal: ".", thousands: ",", grouping: [3], currency: ["¥", ""]}})
      .then(function () { el.classList.add("gk-drawn"); })
      .catch(function (err) {
        el.classList.add("gk-failed");
        el.textContent = "图表绘制失败：" + err;
        console.error(err);
      });
  });
});
