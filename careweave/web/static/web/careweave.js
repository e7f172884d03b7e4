/* Careweave: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // Ask before an irreversible step (removing a team member, handing back a role).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) {
      window.print();
    }
  });

  // After htmx replaced the main region, bring keyboard and screen-reader focus to the news.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "main") {
      return;
    }
    var news = target.querySelector(".messages, .alert[role=alert], .error");
    var focusable = news || target;
    if (!focusable.hasAttribute("tabindex")) {
      focusable.setAttribute("tabindex", "-1");
    }
    focusable.focus({ preventScroll: !news });
  });
})();
