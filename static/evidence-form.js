// The add-evidence form, improved when scripts run; without them every field and every choice
// shows, each labelled for the kind it belongs to.
(function () {
  "use strict";

  // Show only the fields of the chosen kind: the file for a file, the address for a link.
  var kind = document.getElementById("kind");
  var parts = document.querySelectorAll("[data-for-kind]");
  function showKind() {
    for (var i = 0; i < parts.length; i++) {
      var wanted = parts[i].getAttribute("data-for-kind");
      // Nothing chosen yet: show everything rather than hide a field the person needs.
      parts[i].hidden = kind.value !== "" && kind.value !== wanted;
    }
  }
  if (kind && parts.length) {
    kind.addEventListener("change", showKind);
    showKind();
  }

  // Narrow the standards as the person types; a ticked one always stays in view.
  var filter = document.querySelector("[data-choice-filter]");
  var input = document.getElementById("standards-filter");
  if (filter && input) {
    filter.hidden = false;
    var groups = document.querySelectorAll("[data-choice-group]");
    input.addEventListener("input", function () {
      var words = input.value.trim().toLowerCase();
      for (var g = 0; g < groups.length; g++) {
        var choices = groups[g].querySelectorAll("[data-choice]");
        var shown = 0;
        for (var c = 0; c < choices.length; c++) {
          var box = choices[c].querySelector("input");
          var match = words === "" || box.checked || choices[c].textContent.toLowerCase().indexOf(words) !== -1;
          choices[c].hidden = !match;
          if (match) { shown++; }
        }
        groups[g].hidden = shown === 0;
      }
    });
  }
})();
