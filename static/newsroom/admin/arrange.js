// The arrange screen: order blocks and places by dragging (mouse) or with the Move buttons
// (keyboard), and keep the position numbers the server reads in step. Without this script the
// numbers are typed by hand and everything still works.
(function () {
  "use strict";

  function renumber(list) {
    var items = Array.prototype.filter.call(list.children, function (el) {
      return el.hasAttribute("data-sortable-item") && !el.classList.contains("arrange-block--new");
    });
    items.forEach(function (item, index) {
      var input = list.dataset.sortable === "blocks"
        ? item.querySelector(".arrange-block-fields .arrange-order")
        : item.querySelector(".arrange-position");
      if (input) input.value = index + 1;
    });
  }

  function move(item, direction) {
    var list = item.parentNode;
    var sibling = direction === "up" ? item.previousElementSibling : item.nextElementSibling;
    if (!sibling || sibling.classList.contains("arrange-block--new")) return;
    if (direction === "up") list.insertBefore(item, sibling);
    else list.insertBefore(sibling, item);
    renumber(list);
  }

  // Dragging by the handle with pointer events (mouse, pen and touch alike): the item follows the
  // pointer through its list, and the numbers are renumbered when it is let go.
  function sortable(list) {
    list.addEventListener("pointerdown", function (event) {
      var handle = event.target.closest(".arrange-handle");
      if (!handle || event.button !== 0) return;
      var item = handle.closest("[data-sortable-item]");
      if (!item || item.parentNode !== list) return;
      event.preventDefault();
      item.classList.add("is-dragging");
      function onMove(moveEvent) {
        var siblings = Array.prototype.filter.call(list.children, function (el) {
          return el !== item && el.hasAttribute("data-sortable-item") &&
            !el.classList.contains("arrange-block--new");
        });
        for (var i = 0; i < siblings.length; i++) {
          var box = siblings[i].getBoundingClientRect();
          if (moveEvent.clientY < box.top + box.height / 2) {
            if (item.nextElementSibling !== siblings[i]) list.insertBefore(item, siblings[i]);
            return;
          }
        }
        var last = siblings[siblings.length - 1];
        if (last && item.previousElementSibling !== last) list.insertBefore(item, last.nextSibling);
      }
      function onUp() {
        document.removeEventListener("pointermove", onMove);
        document.removeEventListener("pointerup", onUp);
        item.classList.remove("is-dragging");
        renumber(list);
      }
      document.addEventListener("pointermove", onMove);
      document.addEventListener("pointerup", onUp);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-sortable]").forEach(sortable);
    document.querySelectorAll(".arrange-move").forEach(function (el) { el.hidden = false; });
    document.getElementById("arrange-form").addEventListener("click", function (event) {
      var button = event.target.closest("[data-move]");
      if (!button) return;
      var item = button.closest("[data-sortable-item]");
      move(item, button.dataset.move);
      button.focus();
    });
  });
})();
