// The week's zone picker, made easier by this script and complete without it: the page
// works with the plain list and its "Show times" button.
// - Detects the device's zone on a first visit and shows the week in it (the server maps
//   legacy names, Asia/Calcutta, to the listed ones, and ignores names it does not know),
//   and remembers it in a cookie so the list can offer it first.
// - A search box narrows the list as one types: city, country or offset, accents ignored
//   ("Sao" and "São" both find São Paulo), and says how many zones match. The best match
//   comes first and is selected: a city of that very name, then cities and countries that
//   start with the text, big cities before small ones ("new" finds New York first).
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
  // Each option keeps the names it is ranked by: its city, its country, and the well-known
  // cities on its clock (only big cities have those, so they also mark a zone as common).
  var order = 0;
  var groups = Array.prototype.map.call(select.querySelectorAll("optgroup"), function (group) {
    var options = Array.prototype.slice.call(group.children).map(function (option) {
      var others = option.dataset.cities ? option.dataset.cities.split(", ").map(fold) : [];
      var entry = {
        element: option,
        city: fold(option.textContent.split(" \u2014 ")[0]),
        country: fold(option.dataset.country || ""),
        others: others,
        common: others.length > 0,
        order: order++
      };
      entry.folded = fold(option.textContent) + " " + entry.country + " " + others.join(" ");
      return entry;
    });
    return { element: group, options: options };
  });
  groups.forEach(function (group, index) {
    var later = {};
    groups.slice(index + 1).forEach(function (other) {
      other.options.forEach(function (entry) { later[entry.element.value] = true; });
    });
    group.repeats = group.options.every(function (entry) { return later[entry.element.value]; });
  });
  var chosen = select.value;

  // How well a zone answers one typed text: [its city's or a well-known city's very name
  // (0) or not (1); a name that starts with it (0), a word in one that does (1), or it
  // only inside a word (2); the zone's own city (0) or a country or other city (1)].
  function tier(entry, text) {
    var cities = [entry.city].concat(entry.others);
    var names = cities.concat(entry.country);
    var exact = cities.indexOf(text) !== -1 ? 0 : 1;
    var starts = function (name) { return name.indexOf(text) === 0; };
    var wordStarts = function (name) { return (" " + name).indexOf(" " + text) !== -1; };
    var where = names.some(starts) ? 0 : names.some(wordStarts) ? 1 : 2;
    return [exact, where, where < 2 && (starts(entry.city) || wordStarts(entry.city)) ? 0 : 1];
  }

  // Best first: the exact name, then where the text falls in a name, then common zones
  // before obscure ones, the zone's own city before a country's, and then by name; the
  // whole typed text or any one of its words, whichever fits best.
  function rank(entry, words) {
    var best = [words.join(" ")].concat(words).map(function (text) {
      return tier(entry, text);
    }).sort(before)[0];
    return [best[0], best[1], entry.common ? 0 : 1, best[2], entry.city, entry.order];
  }

  function before(a, b) {
    for (var i = 0; i < a.length; i++) {
      if (a[i] !== b[i]) { return a[i] < b[i] ? -1 : 1; }
    }
    return 0;
  }

  // With words typed, the list becomes the zones matching every one of them, ranked, the
  // best selected: what is highlighted is what Enter or "Show times" sends, so the form
  // never goes without a zone. Without, it is the server's list in its groups again.
  function show(query) {
    var words = fold(query).split(/\s+/).filter(Boolean);
    var matching = [];
    groups.forEach(function (group) {
      if (words.length && group.repeats) { return; }
      group.options.forEach(function (entry) {
        if (words.every(function (word) { return entry.folded.indexOf(word) !== -1; })) {
          matching.push({ entry: entry, rank: rank(entry, words) });
        }
      });
    });
    if (words.length && !matching.length) {
      status.textContent = "No time zone matches \u201c" + query.trim() + "\u201d. " +
        "Try the nearest large city, or your country's name.";
      show("");
      return 0;
    }
    select.textContent = "";
    if (!words.length) {
      groups.forEach(function (group) {
        group.element.textContent = "";
        group.options.forEach(function (entry) { group.element.appendChild(entry.element); });
        select.appendChild(group.element);
      });
      select.removeAttribute("size");
      select.value = chosen;
      return 0;
    }
    matching.sort(function (a, b) { return before(a.rank, b.rank); });
    matching.forEach(function (match) { select.appendChild(match.entry.element); });
    status.textContent = matching.length === 1 ? "1 time zone matches." :
      matching.length + " time zones match.";
    select.size = Math.max(2, Math.min(matching.length, LIST_ROWS));
    select.value = matching[0].entry.element.value;
    return matching.length;
  }

  // A form with more to fill in than the zone (data-stay) is sent by its own button only.
  var stays = form.hasAttribute("data-stay");
  function showWeek() { if (select.value && !stays) { form.submit(); } }

  document.getElementById("zone-find-box").hidden = false;
  var matches = 0;
  finder.addEventListener("input", function () {
    if (!finder.value.trim()) { status.textContent = ""; }
    matches = show(finder.value);
  });
  // Enter shows the highlighted zone's week (the best match, or the one the arrows moved
  // to); with nothing matching it stays put, since the list then shows every zone.
  // Arrow down moves into the list.
  finder.addEventListener("keydown", function (event) {
    if (!finder.value.trim() || (event.key !== "Enter" && event.key !== "ArrowDown")) { return; }
    event.preventDefault();
    if (!matches) { return; }
    if (event.key === "Enter") { showWeek(); } else { select.focus(); }
  });
  form.addEventListener("submit", function (event) {
    if (!select.value) { event.preventDefault(); finder.value = ""; show(""); form.submit(); }
  });

  var byKeys = false;
  select.addEventListener("keydown", function (event) {
    byKeys = true;
    if (event.key === "Enter") { event.preventDefault(); showWeek(); }
  });
  select.addEventListener("pointerdown", function () { byKeys = false; });
  select.addEventListener("change", function () { if (!byKeys) { showWeek(); } });
})();
