// The offering form: the price and currency are asked only of a paid offering. Without
// this script both stay visible, and the server ignores them for a free one.
(function () {
  "use strict";
  var form = document.querySelector(".offering-form form");
  if (!form) return;
  var paidOnly = form.querySelector(".paid-only");
  function update() {
    var chosen = form.querySelector('input[name="is_paid"]:checked');
    paidOnly.hidden = !chosen || chosen.value !== "1";
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "is_paid") update();
  });
  update();
})();
