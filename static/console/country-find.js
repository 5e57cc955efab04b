// A search box above a country list, made by this script; the list works without it.
// Typing narrows the list to the countries whose name holds the text, accents and case set
// aside ("cote" finds Côte d'Ivoire), selects the first, and says how many match.
(function () {
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }
  document.querySelectorAll("[data-find-for]").forEach(function (box) {
    var select = document.getElementById(box.getAttribute("data-find-for"));
    var input = box.querySelector("input");
    var status = box.querySelector("[aria-live]");
    if (!select || !input) { return; }
    var options = Array.prototype.slice.call(select.options).map(function (option) {
      return { option: option, name: fold(option.text) };
    });
    box.hidden = false;
    input.addEventListener("input", function () {
      var text = fold(input.value);
      var first = null;
      var count = 0;
      options.forEach(function (item) {
        var match = !text || (item.option.value && item.name.indexOf(text) !== -1);
        item.option.hidden = !match;
        item.option.disabled = !match;
        if (match && item.option.value) {
          count += 1;
          if (!first) { first = item.option; }
        }
      });
      if (first && text) { select.value = first.value; }
      status.textContent = !text ? "" : count === 0 ? "No country matches."
        : count === 1 ? "One country matches: " + first.text + "."
        : count + " countries match; the first, " + first.text + ", is chosen.";
    });
  });
})();
