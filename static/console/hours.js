// Her week, made quicker by this script and complete without it: without it every day
// shows its blank rows and a range is removed by clearing its times.
// - Blank rows are hidden; "Add a range" shows the next one (or makes one more) and moves
//   the focus to it; "Remove" clears a range's times and hides it, so saving removes it.
// - A form that came back with problems moves the focus to its summary.
(function () {
  var summary = document.querySelector("[data-focus]");
  if (summary) { summary.focus(); }

  var MAX_ROWS = 12;
  Array.prototype.forEach.call(document.querySelectorAll("fieldset.weekday"), function (day) {
    var list = day.querySelector(".ranges");
    var add = day.querySelector("button.add");
    var count = day.querySelector("input[name^='rows-']");
    var closed = day.querySelector("legend .closed");

    function rows() { return Array.prototype.slice.call(list.querySelectorAll("li.range")); }
    function shown() { return rows().filter(function (row) { return !row.hidden; }); }
    function mark() { if (closed) { closed.hidden = shown().length > 0; } }

    function wire(row) {
      var remove = row.querySelector("button.remove");
      remove.hidden = false;
      remove.addEventListener("click", function () {
        row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
        row.hidden = true;
        mark();
        add.focus();
      });
    }

    rows().forEach(function (row) {
      if (row.classList.contains("blank")) { row.hidden = true; }
      wire(row);
    });
    add.hidden = false;
    mark();

    add.addEventListener("click", function () {
      var row = rows().filter(function (r) { return r.hidden; })[0];
      if (!row) {
        var all = rows();
        if (all.length >= MAX_ROWS) { return; }
        var index = all.length;
        row = all[all.length - 1].cloneNode(true);
        row.querySelectorAll("input, label").forEach(function (element) {
          ["name", "id", "for"].forEach(function (attribute) {
            var value = element.getAttribute(attribute);
            if (value) { element.setAttribute(attribute, value.replace(/-\d+-(start|end)$/, "-" + index + "-$1")); }
          });
          if (element.tagName === "INPUT") { element.value = ""; }
        });
        row.querySelectorAll(".error").forEach(function (error) { error.remove(); });
        var remove = row.querySelector("button.remove");
        remove.setAttribute("aria-label", remove.getAttribute("aria-label").replace(/\d+$/, index + 1));
        var fresh = remove.cloneNode(true);
        remove.replaceWith(fresh);
        list.appendChild(row);
        count.value = String(index + 1);
        wire(row);
      }
      row.hidden = false;
      mark();
      row.querySelector("input").focus();
    });
  });
})();
