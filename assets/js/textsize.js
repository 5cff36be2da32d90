/*
 * katsudo: the 標準/大 (standard/large) text size switch in the page header.
 * The switch is `hidden` in the HTML, so readers without JavaScript never see buttons that
 * cannot work; this script shows it. The chosen size is kept in localStorage; a tiny inline
 * script in <head> applies it before the page is drawn, so there is no flash.
 */
(function () {
  "use strict";
  var KEY = "katsudo-text-size";
  var root = document.documentElement;
  var box = document.querySelector("[data-text-size-switch]");
  if (!box) {
    return;
  }
  var buttons = Array.prototype.slice.call(box.querySelectorAll("button[data-text-size-option]"));

  function stored() {
    try {
      return window.localStorage.getItem(KEY) === "large" ? "large" : "standard";
    } catch (e) {
      return root.getAttribute("data-text-size") === "large" ? "large" : "standard";
    }
  }

  function apply(size) {
    if (size === "large") {
      root.setAttribute("data-text-size", "large");
    } else {
      root.removeAttribute("data-text-size");
    }
    buttons.forEach(function (button) {
      var on = button.getAttribute("data-text-size-option") === size;
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  function save(size) {
    try {
      if (size === "large") {
        window.localStorage.setItem(KEY, "large");
      } else {
        window.localStorage.removeItem(KEY);
      }
    } catch (e) {
      /* private mode or storage off: the size still applies to this page */
    }
  }

  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      var size = button.getAttribute("data-text-size-option");
      apply(size);
      save(size);
    });
  });

  /* another tab changed the size */
  window.addEventListener("storage", function (event) {
    if (event.key === KEY) {
      apply(stored());
    }
  });

  apply(stored());
  box.hidden = false;
})();
