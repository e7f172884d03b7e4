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

  // After any htmx swap, keyboard and screen-reader focus must not fall back to <body> (the page
  // would jump to the top and a screen reader would start over). When the focused element was
  // replaced, focus moves to the news in the swapped region (a message, an error), else to its
  // heading, else to the region itself. Someone typing in a search box outside the region keeps
  // their focus: the results region announces itself (aria-live).
  function swappedRegion(event) {
    var target = event.detail && event.detail.target;
    if (target && target.isConnected) {
      return target;
    }
    // outerHTML swaps replace the target: find its successor by id, or the element htmx settled.
    if (target && target.id && document.getElementById(target.id)) {
      return document.getElementById(target.id);
    }
    return event.target && event.target.isConnected ? event.target : null;
  }

  function focusLost() {
    var active = document.activeElement;
    return !active || active === document.body || active === document.documentElement || !active.isConnected;
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    // A background refresh (the inbox count polled every 20 s) never takes the focus (keyboard users).
    var source = event.detail && event.detail.elt;
    if (source && source.closest && source.closest("[data-background]")) {
      return;
    }
    var region = swappedRegion(event);
    if (!region || region.nodeType !== 1 || !focusLost()) {
      return;
    }
    var news = region.querySelector(".messages, .alert[role=alert], .errorlist, .error");
    var heading = region.querySelector("h1, h2");
    var focusable = news || heading || region;
    if (!focusable.hasAttribute("tabindex")) {
      focusable.setAttribute("tabindex", "-1");
    }
    focusable.focus({ preventScroll: !news });
  });
})();
