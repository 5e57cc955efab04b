// A live count under a text box whose length the server limits (booking.forms.LimitedTextField):
// "120 of 1,000 characters". The page says "Up to 1,000 characters." without this script.
// The count beside the box changes with every key; what a screen reader hears is said only
// once typing pauses, so that it does not talk over the person typing.
(function () {
  var number = new Intl.NumberFormat("en");
  var SPEAK_AFTER_MS = 1000;
  document.querySelectorAll(".count[data-limit]").forEach(function (count) {
    var box = document.getElementById(count.id.replace(/_count$/, ""));
    var limit = Number(count.dataset.limit);
    var spoken = document.createElement("span");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    count.after(spoken);
    var timer = null;

    function describe() {
      // Characters as people count them: an emoji is one, a line break is one.
      var length = Array.from(box.value).length;
      var text = number.format(length) + " of " + number.format(limit) + " characters";
      if (length > limit) {
        text += ": " + number.format(length - limit) + " too many";
      }
      return { text: text, over: length > limit };
    }

    function show() {
      var now = describe();
      count.textContent = now.text;
      count.classList.toggle("over", now.over);
      return now;
    }

    show();
    box.addEventListener("input", function () {
      show();
      clearTimeout(timer);
      timer = setTimeout(function () { spoken.textContent = describe().text; }, SPEAK_AFTER_MS);
    });
  });
})();
