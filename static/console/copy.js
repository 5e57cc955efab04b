// "Copy" beside an address she needs elsewhere: without this script the field is still
// there to select and copy by hand, so the button only appears when it can work.
(function () {
  if (!navigator.clipboard) { return; }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    var said = button.closest(".field").querySelector("[data-copied]");
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        said.textContent = "Copied. Paste it into your calendar app.";
      }, function () {
        field.select();
        said.textContent = "Select the address and copy it by hand.";
      });
    });
  });
  document.querySelectorAll("input[readonly]").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
})();
