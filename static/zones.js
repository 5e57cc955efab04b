// The week's zone picker, made easier by this script and complete without it: the page
// works with the plain list and its "Show times" button.
// - Detects the device's zone on a first visit and shows the week in it (the server maps
//   legacy names, Asia/Calcutta, to the listed ones, and ignores names it does not know),
//   and remembers it in a cookie so the list can offer it first.
// - A search box narrows the list as one types: city, country or offset, accents ignored
//   ("Sao" and "São" both find São Paulo), and says how many zones match.
// - A zone picked with the mouse or finger shows its week at once; picked with the keys,
//   on Enter (so that moving through the list does not reload the page at every step).
(function () {
  var form = document.getElementById("zone-form");
  var select = document.getElementById("id_tz");
  var finder = document.getElementById("zone-find");
  var status = document.getElementById("zone-find-status");
  var LIST_ROWS = 8;

  var detected = null;
  try { detected = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { /* none */ }
  if (detected && /^[A-Za-z0-9_+\-\/]+$/.test(detected)) {
    document.cookie = "tz_device=" + detected + "; path=/; max-age=31536000; SameSite=Lax";
    var params = new URLSearchParams(window.location.search);
    if (form.hasAttribute("data-detect") && !params.has("tz") && detected !== select.value) {
      params.set("tz", detected);
      window.location.replace(window.location.pathname + "?" + params.toString());
      return;
    }
  }

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[_/,]/g, " ").replace(/-/g, "\u2212");
  }

  // Every group and its options as the server drew them; the first groups ("This device",
  // "Suggested") repeat zones listed again in their regions, so a search leaves them out.
  var groups = Array.prototype.map.call(select.querySelectorAll("optgroup"), function (group) {
    var options = Array.prototype.slice.call(group.children);
    options.forEach(function (option) {
      option.dataset.folded = fold(option.textContent + " " + (option.dataset.country || "") +
        " " + (option.dataset.cities || ""));
    });
    return { element: group, options: options };
  });
  groups.forEach(function (group, index) {
    var later = {};
    groups.slice(index + 1).forEach(function (other) {
      other.options.forEach(function (option) { later[option.value] = true; });
    });
    group.repeats = group.options.every(function (option) { return later[option.value]; });
  });
  var chosen = select.value;

  function show(query) {
    var words = fold(query).split(/\s+/).filter(Boolean);
    var found = 0;
    var shown = 0;
    select.textContent = "";
    groups.forEach(function (group) {
      var keep = group.options.filter(function (option) {
        return words.every(function (word) { return option.dataset.folded.indexOf(word) !== -1; });
      });
      if (!keep.length || (words.length && group.repeats)) { return; }
      group.element.textContent = "";
      keep.forEach(function (option) { group.element.appendChild(option); });
      select.appendChild(group.element);
      found += keep.length;
      shown += 1;
    });
    if (words.length && !found) {
      status.textContent = "No time zone matches \u201c" + query.trim() + "\u201d. " +
        "Try the nearest large city, or your country's name.";
      return show("");
    }
    if (words.length) {
      status.textContent = found === 1 ? "1 time zone matches." : found + " time zones match.";
      select.size = Math.min(found + shown, LIST_ROWS);  // a group's name takes a row too
    } else {
      select.removeAttribute("size");
      select.value = chosen;
    }
    return found;
  }

  function showWeek() { if (select.value) { form.submit(); } }

  document.getElementById("zone-find-box").hidden = false;
  finder.addEventListener("input", function () {
    if (!finder.value.trim()) { status.textContent = ""; }
    show(finder.value);
  });
  finder.addEventListener("keydown", function (event) {
    var first = select.querySelector("option");
    if ((event.key === "ArrowDown" || event.key === "Enter") && finder.value.trim() && first) {
      event.preventDefault();
      select.value = first.value;
      if (event.key === "Enter") { showWeek(); } else { select.focus(); }
    }
  });

  var byKeys = false;
  select.addEventListener("keydown", function (event) {
    byKeys = true;
    if (event.key === "Enter") { event.preventDefault(); showWeek(); }
  });
  select.addEventListener("pointerdown", function () { byKeys = false; });
  select.addEventListener("change", function () { if (!byKeys) { showWeek(); } });
})();
