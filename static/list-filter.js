// Filters a long list of checkboxes as you type: any element with `data-filter-list="Label"` gets
// a search field before it, and each <label> inside it stays shown only while its text holds what
// was typed. Without JavaScript nothing is added and the whole list stays. Hidden boxes keep their
// ticks, so filtering never changes what the form sends.
(function () {
  "use strict";
  var lists = document.querySelectorAll("[data-filter-list]");
  Array.prototype.forEach.call(lists, function (list, n) {
    var id = "list-filter-" + n;
    var group = document.createElement("div");
    group.className = "form-group list-filter";
    var label = document.createElement("label");
    label.className = "label";
    label.htmlFor = id;
    label.textContent = list.getAttribute("data-filter-list");
    var input = document.createElement("input");
    input.className = "input";
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    var status = document.createElement("p");
    status.className = "hint";
    status.setAttribute("aria-live", "polite");
    group.appendChild(label);
    group.appendChild(input);
    group.appendChild(status);
    list.parentNode.insertBefore(group, list);
    var items = list.querySelectorAll("label");
    input.addEventListener("input", function () {
      var wanted = input.value.trim().toLowerCase();
      var shown = 0;
      Array.prototype.forEach.call(items, function (item) {
        var match = wanted === "" || item.textContent.toLowerCase().indexOf(wanted) !== -1;
        item.hidden = !match;
        if (match) { shown += 1; }
      });
      status.textContent = wanted === "" ? "" : shown + " of " + items.length + " shown";
    });
  });
})();
