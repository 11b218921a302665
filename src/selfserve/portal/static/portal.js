// Selfserve portal: small enhancements on top of server-rendered pages. Everything works
// without this file; it only moves focus to results and reports the height to an embedding
// page (the portal in an iframe).
(function () {
  "use strict";

  // After a page load, the result message (or an error) gets focus so a screen reader reads
  // it; after a partial update only an element marked data-focus does (a live preview must
  // not take focus from the field being typed in: it is announced through aria-live).
  function focusResult(root, selector) {
    var target = root.querySelector(selector);
    if (target) {
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus();
    }
  }

  function reportHeight() {
    if (window.parent !== window) {
      window.parent.postMessage(
        { type: "selfserve:resize", height: document.documentElement.scrollHeight }, "*"
      );
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusResult(document, "[data-focus], #notice, [role='alert']");
    reportHeight();
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    focusResult(event.detail.target, "[data-focus]");
    reportHeight();
  });
  window.addEventListener("resize", reportHeight);
})();
