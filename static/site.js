/* gongkai: the site's one script (loaded on every page by plugins/chinese_chrome.py).
 *
 * 1. Words Datasette's plugins draw in English after the page loads (the datasette-vega chart panel,
 *    vega-embed's action menu) are replaced by Chinese ones as they appear (a MutationObserver);
 *    their function is unchanged.
 * 2. On the report page, hovering a check (an element with data-cells="id id …") highlights the
 *    cells it involves in the tables.
 * 3. window.gkVegaTitle(key, binned): a column's Chinese name as the page's table header shows it, for
 *    datasette-vega's column menus, axis and legend titles and tooltips (plugins/vega_panel.py).
 */
(function () {
  "use strict";
  var WORDS = {
    "Show charting options": "显示图表选项",
    "Hide charting options": "隐藏图表选项",
    "Charting options": "图表选项",
    "Bar": "柱状图", "Line": "折线图", "Scatter": "散点图",
    "X column": "横轴列", "Y column": "纵轴列", "Type": "类型", "Color": "颜色", "Size": "大小",
    "Swap X and Y": "交换横轴和纵轴",
    "-- none --": "-- 无 --",
    "Numeric": "数值", "Numeric, binned": "数值（分段）", "Date/time": "日期时间",
    "Date/time, binned": "日期时间（分段）", "Label": "有序标签", "Category": "类别",
    "Save as SVG": "保存为 SVG 图", "Save as PNG": "保存为 PNG 图", "View Source": "查看源码",
    "View Compiled Vega": "查看编译后的图表定义", "Open in Vega Editor": "在图表编辑器中打开"
  };

  var titles = null;
  function columnTitles() {
    var out = {};
    document.querySelectorAll("table.rows-and-columns thead th").forEach(function (th) {
      var key = th.getAttribute("data-column") || th.getAttribute("title");
      var text = (th.textContent || "").replace(/[\u25b2\u25bc]/g, "").trim();
      if (key && text) { out[key] = text; }
    });
    return out;
  }
  window.gkVegaTitle = function (key, binned) {
    if (!key || window.gkEnglish) { return key; }
    if (titles === null) { titles = columnTitles(); }
    var base = key.replace(/\.label$/, "");
    var title = Object.prototype.hasOwnProperty.call(titles, base) ? titles[base] : key;
    return binned ? title + "（分段）" : title;
  };

  function translateNode(node) {
    if (node.nodeType === 3) {
      var text = node.nodeValue, key = text.trim();
      if (key && Object.prototype.hasOwnProperty.call(WORDS, key)) {
        var out = text.replace(key, WORDS[key]);
        if (out !== text) { node.nodeValue = out; }
      }
      return;
    }
    if (node.nodeType !== 1) { return; }
    var walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT, null);
    var n;
    while ((n = walker.nextNode())) { translateNode(n); }
  }

  function watch(root) {
    translateNode(root);
    new MutationObserver(function (records) {
      records.forEach(function (r) {
        if (r.type === "characterData") { translateNode(r.target); }
        r.addedNodes.forEach(translateNode);
      });
    }).observe(root, {childList: true, subtree: true, characterData: true});
  }

  function highlightCells() {
    document.querySelectorAll("[data-cells]").forEach(function (el) {
      var ids = (el.getAttribute("data-cells") || "").split(" ").filter(Boolean);
      function set(on) {
        ids.forEach(function (id) {
          var cell = document.getElementById(id);
          if (cell) { cell.classList.toggle("gk-hl", on); }
        });
      }
      el.addEventListener("mouseenter", function () { set(true); });
      el.addEventListener("mouseleave", function () { set(false); });
      el.addEventListener("focusin", function () { set(true); });
      el.addEventListener("focusout", function () { set(false); });
    });
  }

  /* datasette-vega (table and query pages) replaces a clicked link's fragment by the page's own chart state
     when the page has one; our links to a report's cell or line keep theirs. */
  window.addEventListener("click", function (ev) {
    if (!location.hash || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) { return; }
    var a = ev.target.closest && ev.target.closest("a.gk-report, a.gk-cell, a.gk-cellref");
    if (!a || !a.hash) { return; }
    ev.preventDefault();
    location.href = a.href;
  }, true);

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.gkEnglish) { watch(document.body); }   /* plugins/english.py: an English browser's page */
    highlightCells();
  });
})();
