/* Maturity scores: every change is written to localStorage at once (synchronous, so it survives the
   tab closing mid-word) and sent to the server per dimension (debounced while typing). On the next
   visit whatever did not reach the server is sent. Design: docs/decisions/0019-maturity-app.md. */
(function () {
  "use strict";
  var form = document.querySelector("[data-maturity-form]");
  if (!form || !window.fetch || !window.localStorage) { return; }
  var t = form.dataset;
  var url = t.autosaveUrl;
  var prefix = "maturity:" + t.participant + ":";
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var DEBOUNCE_MS = 600;
  var RETRY_MS = 10000;
  var timers = {};
  var inflight = {};
  var again = {};

  function deviceId() {
    var id = localStorage.getItem("maturity:device");
    if (!id) {
      id = (window.crypto && window.crypto.randomUUID) ? window.crypto.randomUUID() : String(Math.random()).slice(2) + Date.now();
      localStorage.setItem("maturity:device", id);
    }
    return id;
  }
  var device = deviceId();

  // Two tabs of one browser share localStorage (and so the device id), but not sessionStorage: each tab
  // saves as "device/tab", so a second tab is told about the first tab's save instead of silently winning
  // (issue 18.2). An edit restored on a later visit keeps the tab that made it.
  function tabId() {
    var id = null;
    try { id = window.sessionStorage.getItem("maturity:tab"); } catch (e) { id = null; }
    if (!id) {
      id = String(Math.random()).slice(2, 10) + Date.now().toString(36);
      try { window.sessionStorage.setItem("maturity:tab", id); } catch (e) { /* private mode: one tab id per page */ }
    }
    return id;
  }
  var tab = tabId();

  function nextSeq() {  // increases on this device across visits, so the server can order late requests
    var last = parseInt(localStorage.getItem("maturity:seq") || "0", 10);
    var seq = Math.max(Date.now(), last + 1);
    localStorage.setItem("maturity:seq", String(seq));
    return seq;
  }

  function sections() { return Array.prototype.slice.call(form.querySelectorAll("[data-dimension]")); }
  function section(code) { return form.querySelector("[data-dimension='" + code + "']"); }

  function read(sec) {
    var checked = sec.querySelector("input[type=radio]:checked");
    return { score: checked ? parseInt(checked.value, 10) : null, argument: sec.querySelector("textarea").value };
  }

  function setState(sec, state, message) {
    var line = sec.querySelector(".mat-status");
    line.dataset.state = state;
    line.textContent = message || t["t" + state.charAt(0).toUpperCase() + state.slice(1)] || "";
  }

  function load(code) {
    try { return JSON.parse(localStorage.getItem(prefix + code) || "null"); } catch (e) { return null; }
  }

  function keep(sec) {
    var entry = read(sec);
    entry.version = parseInt(sec.dataset.version || "0", 10);
    entry.seq = nextSeq();
    entry.tab = tab;
    localStorage.setItem(prefix + sec.dataset.dimension, JSON.stringify(entry));
    setState(sec, "local");
  }

  function settled(sec, data) {
    sec.dataset.version = String(data.version);
    sec.querySelector("input[type=hidden]").value = String(data.version);
    setState(sec, data.complete ? "complete" : (data.score === null && !data.argument ? "empty" : "draft"));
  }

  function send(code) {
    var sec = section(code);
    var entry = load(code);
    if (!entry) { return Promise.resolve(); }
    if (inflight[code]) { again[code] = true; return inflight[code]; }
    setState(sec, "saving");
    var body = JSON.stringify({ score: entry.score, argument: entry.argument, version: entry.version, device: device + "/" + (entry.tab || tab), seq: entry.seq });
    inflight[code] = fetch(url + code + "/", {
      method: "POST", credentials: "same-origin", keepalive: body.length < 60000,
      headers: { "Content-Type": "application/json", "X-CSRFToken": token }, body: body
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    }).then(function (result) {
      var now = load(code);
      if (result.status === 200) {
        if (now && now.seq === entry.seq) { localStorage.removeItem(prefix + code); }
        else if (now) { now.version = result.data.version; localStorage.setItem(prefix + code, JSON.stringify(now)); again[code] = true; }
        settled(sec, result.data);
      } else if (result.status === 409) {
        conflict(sec, result.data);
      } else {
        setState(sec, "error", result.data.error || "");
      }
    }).catch(function () {
      setState(sec, "offline");
      window.setTimeout(function () { send(code); }, RETRY_MS);
    }).then(function () {
      inflight[code] = null;
      if (again[code]) { again[code] = false; return send(code); }
    });
    return inflight[code];
  }

  function conflict(sec, data) {
    setState(sec, "conflict");
    var line = sec.querySelector(".mat-status");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link-button";
    button.dataset.test = "keep-mine";
    button.textContent = t.tKeep;
    button.addEventListener("click", function () {
      var entry = load(sec.dataset.dimension);
      if (entry && data.current) {
        entry.version = data.current.version;
        localStorage.setItem(prefix + sec.dataset.dimension, JSON.stringify(entry));
      }
      send(sec.dataset.dimension);
    });
    line.appendChild(document.createTextNode(" "));
    line.appendChild(button);
  }

  function flush() {
    Object.keys(timers).forEach(function (code) { window.clearTimeout(timers[code]); delete timers[code]; send(code); });
  }

  var restored = 0;
  sections().forEach(function (sec) {
    var code = sec.dataset.dimension;
    var entry = load(code);
    var textarea = sec.querySelector("textarea");
    if (entry) {
      var savedScore = sec.dataset.savedScore === "" ? null : parseInt(sec.dataset.savedScore, 10);
      if (entry.score === savedScore && entry.argument === textarea.defaultValue) {
        localStorage.removeItem(prefix + code);
      } else if (!textarea.readOnly) {
        restored += 1;
        textarea.value = entry.argument;
        sec.querySelectorAll("input[type=radio]").forEach(function (r) { r.checked = entry.score !== null && parseInt(r.value, 10) === entry.score; });
        setState(sec, "local");
        send(code);
      }
    }
    sec.addEventListener("change", function (event) {
      if (event.target.type === "radio") { keep(sec); send(code); }
    });
    textarea.addEventListener("input", function () {
      keep(sec);
      window.clearTimeout(timers[code]);
      timers[code] = window.setTimeout(function () { delete timers[code]; send(code); }, DEBOUNCE_MS);
    });
  });
  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") { flush(); } });

  var submitForm = document.querySelector("[data-maturity-submit]");
  if (submitForm) {
    submitForm.addEventListener("submit", function (event) {
      event.preventDefault();
      flush();
      var pending = Object.keys(inflight).map(function (code) { return inflight[code]; }).filter(Boolean);
      Promise.all(pending).then(function () { submitForm.submit(); });
    });
  }
  form.dataset.restored = String(restored);
  form.dataset.ready = "true";
})();
