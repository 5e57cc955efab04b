// The week grid by arrow keys, beside Tab: up and down go to the day's previous and next
// booking, left and right to the nearest-in-time booking of the previous or next day that
// has one. Tab keeps its own order (day by day, in time); without this file nothing is lost.
(function () {
  "use strict";
  var grid = document.getElementById("week-grid");
  if (!grid) return;
  function links() { return Array.prototype.slice.call(grid.querySelectorAll("a.entry")); }
  function days(all) {
    var order = [];
    all.forEach(function (link) {
      if (order.indexOf(link.dataset.day) < 0) order.push(link.dataset.day);
    });
    return order;
  }
  grid.addEventListener("keydown", function (event) {
    var key = event.key;
    if (["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"].indexOf(key) < 0) return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var current = event.target.closest && event.target.closest("a.entry");
    if (!current) return;
    var all = links();
    var here = all.indexOf(current);
    var target = null;
    if (key === "ArrowDown" || key === "ArrowUp") {
      var next = all[here + (key === "ArrowDown" ? 1 : -1)];
      if (next && next.dataset.day === current.dataset.day) target = next;
    } else {
      var order = days(all);
      var day = order[order.indexOf(current.dataset.day) + (key === "ArrowRight" ? 1 : -1)];
      var minute = Number(current.dataset.minute);
      all.forEach(function (link) {
        if (link.dataset.day !== day) return;
        if (!target || Math.abs(Number(link.dataset.minute) - minute) <
            Math.abs(Number(target.dataset.minute) - minute)) target = link;
      });
    }
    if (target) {
      event.preventDefault();
      target.focus();
    }
  });
})();
