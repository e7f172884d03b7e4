/* Careweave assessments: every answer is kept on this device (IndexedDB, through idb-keyval) the
   moment it is given, and sent to the sync endpoint when there is a network. The form works
   without this file (one POST per screen). Design: docs/decisions/0009-offline-assessments.md. */
(function () {
  "use strict";

  var SCOPE = "/assessments/";
  var WORKER = SCOPE + "sw.js";
  var RETRY_MS = 15000;

  // --- the service worker: keep this page, its instrument and its assets for offline use ------
  function ask(worker, message) {
    return new Promise(function (resolve) {
      if (!worker) { resolve(false); return; }
      var channel = new MessageChannel();
      var timer = window.setTimeout(function () { resolve(false); }, 20000);
      channel.port1.onmessage = function (event) {
        window.clearTimeout(timer);
        resolve(Boolean(event.data && event.data.ok));
      };
      worker.postMessage(message, [channel.port2]);
    });
  }

  // Only a form is kept (its page, its instrument, its assets); other assessment pages (results,
  // lists) just install the worker early, so that no more personal data than needed stays here.
  function keepForOffline(extra, keepPage) {
    if (!("serviceWorker" in navigator) || !window.MessageChannel) { return Promise.resolve(false); }
    return navigator.serviceWorker.register(WORKER, { scope: SCOPE })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (registration) {
        if (!keepPage) { return false; }
        var urls = [location.pathname + location.search].concat(extra || []);
        document.querySelectorAll("script[src], link[rel=stylesheet][href]").forEach(function (el) {
          urls.push(el.getAttribute("src") || el.getAttribute("href"));
        });
        return ask(registration.active, { type: "keep", urls: urls });
      })
      .catch(function () { return false; });
  }

  function forgetPages() {
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "forget" });
    }
  }

  // Logging out from an assessment page drops the copies of pages (answers not yet sent stay).
  document.addEventListener("submit", function (event) {
    var action = event.target.getAttribute && event.target.getAttribute("action");
    if (action && /\/logout\/$/.test(action)) { forgetPages(); }
  });

  var form = document.querySelector("[data-assessment-form]");
  var ready = keepForOffline(form ? [form.getAttribute("data-definition-url")] : [], Boolean(form));
  if (!form || !window.idbKeyval || !window.fetch || !window.Promise) { return; }

  var store = window.idbKeyval;
  var d = form.dataset;
  var statusLine = document.querySelector("[data-test=sync-status]");
  var conflictBox = document.querySelector("[data-test=sync-conflict]");
  var donePanel = document.querySelector("[data-test=offline-done]");
  var screens = Array.prototype.slice.call(form.querySelectorAll(".aq-screen"));
  var draftKey = "draft:" + d.person + ":" + d.instrument;
  var conditions = null; // linkId -> {when: [...], behavior}; null until the instrument is read
  var parents = {};
  var record = null;
  var edits = 0;
  var sending = false;
  var current = Math.max(0, screens.findIndex(function (s) { return !s.hidden; }));

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function key() { return "response:" + record.client_id; }

  function csrf() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // --- answers in the page --------------------------------------------------------------------
  function items() { return Array.prototype.slice.call(form.querySelectorAll(".aq-item[data-link-id]")); }

  function readValues() {
    var values = {};
    items().forEach(function (el) {
      var id = el.getAttribute("data-link-id");
      var type = el.getAttribute("data-type");
      var value = null;
      if (type === "choice" || type === "boolean") {
        var checked = el.querySelector("input[type=radio]:checked");
        if (checked) { value = type === "boolean" ? checked.value === "true" : checked.value; }
      } else {
        var input = el.querySelector("input, textarea");
        var text = input ? input.value.trim() : "";
        if (text !== "") {
          if (type === "integer" || type === "decimal") {
            var number = Number(text.replace(",", "."));
            value = isNaN(number) ? text : number;
          } else {
            value = text;
          }
        }
      }
      if (value !== null) { values[id] = value; }
    });
    return values;
  }

  function writeValues(values) {
    items().forEach(function (el) {
      var id = el.getAttribute("data-link-id");
      var value = Object.prototype.hasOwnProperty.call(values, id) ? values[id] : null;
      el.querySelectorAll("input[type=radio]").forEach(function (radio) {
        radio.checked = value !== null && radio.value === (typeof value === "boolean" ? String(value) : String(value));
      });
      var input = el.querySelector("input:not([type=radio]), textarea");
      if (input) { input.value = value === null ? "" : String(value); }
    });
  }

  // --- enableWhen, the same rules as the engine (all/any; a disabled question does not count) --
  function readConditions(questionnaire) {
    conditions = {};
    parents = {};
    function answerOf(w) {
      if (w.answerCoding) { return w.answerCoding.code; }
      var names = ["answerBoolean", "answerInteger", "answerDecimal", "answerString", "answerDate", "answerDateTime"];
      for (var i = 0; i < names.length; i++) { if (names[i] in w) { return w[names[i]]; } }
      return null;
    }
    (function walk(list, parent) {
      (list || []).forEach(function (item) {
        if (parent) { parents[item.linkId] = parent; }
        if (item.enableWhen && item.enableWhen.length) {
          conditions[item.linkId] = {
            behavior: item.enableBehavior || "all",
            when: item.enableWhen.map(function (w) { return { question: w.question, operator: w.operator, answer: answerOf(w) }; })
          };
        }
        walk(item.item, item.linkId);
      });
    })(questionnaire.item, null);
  }

  function answered(v) { return v !== null && v !== undefined && v !== ""; }

  function compare(op, given, expected) {
    var numeric = typeof given === "number" || typeof expected === "number";
    var a = numeric ? Number(given) : given;
    var b = numeric ? Number(expected) : expected;
    switch (op) {
      case "=": return a === b;
      case "!=": return a !== b;
      case ">": return a > b;
      case "<": return a < b;
      case ">=": return a >= b;
      case "<=": return a <= b;
      default: return false;
    }
  }

  function enabledIn(values) {
    var memo = {};
    function isEnabled(id, depth) {
      if (Object.prototype.hasOwnProperty.call(memo, id)) { return memo[id]; }
      if (depth > 64) { return true; }
      var parent = parents[id];
      var result = !parent || isEnabled(parent, depth + 1);
      var rule = conditions && conditions[id];
      if (result && rule) {
        var checks = rule.when.map(function (w) {
          var present = answered(values[w.question]) && isEnabled(w.question, depth + 1);
          if (w.operator === "exists") { return present === Boolean(w.answer); }
          return present && compare(w.operator, values[w.question], w.answer);
        });
        result = rule.behavior === "any" ? checks.some(Boolean) : checks.every(Boolean);
      }
      memo[id] = result;
      return result;
    }
    return function (id) { return conditions === null ? true : isEnabled(id, 0); };
  }

  function answersToSend(values) {
    var enabled = enabledIn(values);
    var answers = {};
    Object.keys(values).forEach(function (id) { if (enabled(id)) { answers[id] = values[id]; } });
    return answers;
  }

  function applyEnabled() {
    if (conditions === null) { return; }
    var enabled = enabledIn(readValues());
    form.querySelectorAll(".aq-item[data-link-id], .aq-group[data-link-id], .aq-display[data-link-id]").forEach(function (el) {
      el.hidden = !enabled(el.getAttribute("data-link-id"));
    });
    showScreen(current, false);
  }

  // --- screens --------------------------------------------------------------------------------
  function order() {
    var enabled = enabledIn(readValues());
    return screens.map(function (s, i) { return i; }).filter(function (i) {
      if (!enabled(screens[i].getAttribute("data-link-id"))) { return false; }
      var inner = screens[i].querySelectorAll(".aq-item[data-link-id], .aq-display[data-link-id]");
      return !inner.length || Array.prototype.some.call(inner, function (el) { return enabled(el.getAttribute("data-link-id")); });
    });
  }

  function showScreen(index, focus) {
    var shown = order();
    if (shown.indexOf(index) < 0) {
      index = shown.filter(function (i) { return i >= index; })[0];
      if (index === undefined) { index = shown[shown.length - 1] || 0; }
    }
    current = index;
    var template = d.msgProgress || "{n} / {total}";
    screens.forEach(function (screen, i) {
      screen.hidden = i !== index;
      var position = shown.indexOf(i) + 1;
      var text = screen.querySelector("[data-progress-text]");
      if (text) { text.textContent = template.replace("{n}", position).replace("{total}", shown.length); }
      var bar = screen.querySelector("progress");
      if (bar) { bar.max = shown.length; bar.value = position; }
      var last = position === shown.length;
      screen.querySelector("[data-step=back]").hidden = position <= 1;
      screen.querySelector("[data-step=next]").hidden = last;
      screen.querySelector("[data-step=finish]").hidden = !last;
    });
    if (focus) {
      var heading = screens[index].querySelector("h2");
      if (heading) { heading.focus(); }
      window.scrollTo(0, 0);
    }
  }

  function move(step) {
    var shown = order();
    var at = shown.indexOf(current);
    var target = step === "back" ? shown[Math.max(0, at - 1)] : shown[Math.min(shown.length - 1, at + 1)];
    showScreen(target, true);
    remember();
  }

  // --- problems next to the questions ---------------------------------------------------------
  function clearProblems() {
    items().forEach(function (el) { setProblem(el, ""); });
  }

  function setProblem(el, message) {
    var error = el.querySelector(".error");
    if (error) { error.textContent = message; error.hidden = !message; }
    el.classList.toggle("field--error", Boolean(message));
    el.querySelectorAll("input, textarea").forEach(function (input) {
      if (message) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    });
  }

  function showProblems(problems) {
    var first = null;
    problems.forEach(function (p) {
      var el = form.querySelector('.aq-item[data-link-id="' + p.linkId + '"]');
      if (el) {
        setProblem(el, p.message);
        first = first || el;
      }
    });
    if (first) {
      var screen = first.closest(".aq-screen");
      showScreen(screens.indexOf(screen), false);
      var input = first.querySelector("input, textarea");
      if (input) { input.focus(); }
    }
  }

  function missingRequired() {
    var values = readValues();
    var enabled = enabledIn(values);
    return items().filter(function (el) {
      var id = el.getAttribute("data-link-id");
      return el.getAttribute("data-required") === "true" && enabled(id) && !answered(values[id]);
    }).map(function (el) { return { linkId: el.getAttribute("data-link-id"), message: d.msgRequired }; });
  }

  // --- the local copy and the status line -----------------------------------------------------
  function status(state, text) {
    if (!statusLine) { return; }
    statusLine.hidden = !text;
    statusLine.textContent = text || "";
    statusLine.setAttribute("data-state", state);
    form.setAttribute("data-sync", state);
  }

  function describe() {
    if (!record) { return; }
    if (record.state === "pending") {
      status("pending", record.complete ? d.msgOfflineDone : d.msgPending);
    } else if (record.state === "sent") {
      status("sent", d.msgSent);
    }
  }

  function remember() {
    if (!record) { return Promise.resolve(); }
    record.values = readValues();
    record.screen = current;
    record.saved_at = new Date().toISOString();
    if (record.state !== "conflict") { record.state = "pending"; }
    edits += 1;
    var writes = [store.set(key(), record)];
    if (!d.clientId) { writes.push(store.set(draftKey, record.client_id)); }
    return Promise.all(writes).then(describe);
  }

  function forget() {
    var removals = [store.del(key())];
    if (!d.clientId) { removals.push(store.del(draftKey)); }
    return Promise.all(removals);
  }

  function showDone(resultUrl, text) {
    form.hidden = true;
    donePanel.hidden = false;
    donePanel.querySelector("[data-done-text]").textContent = text;
    var link = donePanel.querySelector("[data-result-link]");
    if (resultUrl) { link.href = resultUrl; link.hidden = false; } else { link.hidden = true; }
    donePanel.focus();
  }

  function finish() {
    clearProblems();
    var missing = missingRequired();
    if (missing.length) {
      status("error", d.msgMissing);
      showProblems(missing);
      return;
    }
    record.complete = true;
    remember().then(function () {
      showDone(null, d.msgOfflineDone);
      send();
    });
  }

  // --- sending --------------------------------------------------------------------------------
  function send() {
    if (!record || record.state !== "pending" || sending) { return Promise.resolve(); }
    if (navigator.onLine === false) { describe(); return Promise.resolve(); }
    sending = true;
    var sentEdits = edits;
    var payload = {
      person: d.person,
      client_id: record.client_id,
      instrument: d.instrument,
      version: d.version,
      plan: d.plan || null,
      base_version: record.base_version,
      answers: answersToSend(record.values || {}),
      complete: Boolean(record.complete)
    };
    status("sending", d.msgSending);
    return fetch(d.syncUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) { return received(response.status, body, sentEdits); });
    }).catch(function () {
      describe(); // no network after all: it stays on the device
    }).then(function () {
      sending = false;
    });
  }

  function received(code, body, sentEdits) {
    if (code === 200) {
      record.base_version = body.version;
      var done = body.status === "completed" || body.status === "amended";
      if (done) {
        return forget().then(function () {
          record.state = "sent";
          status("sent", d.msgSent);
          showDone(body.result_url, d.msgSent);
        });
      }
      record.state = edits === sentEdits ? "sent" : "pending";
      return store.set(key(), record).then(function () {
        describe();
        if (record.state === "pending") { window.setTimeout(send, 0); }
      });
    }
    if (code === 409) {
      record.state = "conflict";
      record.conflict = body;
      return store.set(key(), record).then(function () { showConflict(body); });
    }
    if (code === 401) {
      status("error", d.msgLogin);
      return null;
    }
    if (code >= 500 || code === 0) {
      describe(); // the server could not take it now: it stays here and is sent again later
      return null;
    }
    // Refused or not valid: nothing was saved on the server; the answers stay here to be corrected.
    record.state = "invalid";
    if (record.complete) {
      record.complete = false;
      form.hidden = false;
      donePanel.hidden = true;
    }
    return store.set(key(), record).then(function () {
      status("error", body.error || d.msgMissing);
      if (body.problems) { showProblems(body.problems); }
    });
  }

  function showConflict(body) {
    var rows = conflictBox.querySelector("[data-conflict-rows]");
    rows.textContent = "";
    (body.conflicts || []).forEach(function (c) {
      var tr = document.createElement("tr");
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = c.label;
      var theirs = document.createElement("td");
      theirs.className = "diff__theirs";
      theirs.textContent = c.theirs;
      var mine = document.createElement("td");
      mine.className = "diff__yours";
      mine.textContent = c.mine;
      tr.appendChild(th);
      tr.appendChild(theirs);
      tr.appendChild(mine);
      rows.appendChild(tr);
    });
    var frozen = body.status === "completed" || body.status === "amended";
    conflictBox.querySelector("[data-conflict=mine]").hidden = frozen;
    conflictBox.hidden = false;
    status("conflict", body.message || "");
    form.hidden = false;
    donePanel.hidden = true;
  }

  conflictBox.addEventListener("click", function (event) {
    var button = event.target.closest("[data-conflict]");
    if (!button || !record || !record.conflict) { return; }
    var body = record.conflict;
    conflictBox.hidden = true;
    if (button.getAttribute("data-conflict") === "mine") {
      record.base_version = body.version; // a deliberate choice: my answers over the saved ones
      record.state = "pending";
      record.conflict = null;
      store.set(key(), record).then(send);
    } else {
      forget().then(function () { window.location.assign(body.result_url || body.form_url); });
    }
  });

  // --- events ---------------------------------------------------------------------------------
  form.addEventListener("input", function () { applyEnabled(); remember(); });
  form.addEventListener("change", function () { applyEnabled(); remember(); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = event.submitter;
    var step = button && button.closest(".aq-screen") === screens[current] ? button.getAttribute("data-step") : "next";
    if (step === "finish" || (step === "next" && order().slice(-1)[0] === current)) {
      finish();
      return;
    }
    clearProblems();
    move(step);
    send();
  });
  window.addEventListener("online", function () { send(); });
  window.addEventListener("offline", describe);
  window.setInterval(function () { if (record && record.state === "pending") { send(); } }, RETRY_MS);

  // --- start: the local copy wins over the page (which may be an older copy kept offline) -------
  var clientId = d.clientId ? Promise.resolve(d.clientId) : store.get(draftKey);
  clientId.then(function (id) {
    id = id || uuid();
    return store.get("response:" + id).then(function (saved) { return { id: id, saved: saved }; });
  }).then(function (found) {
    var pageVersion = d.baseVersion ? parseInt(d.baseVersion, 10) : null;
    if (found.saved && found.saved.state === "sent" && pageVersion !== null && found.saved.base_version !== null &&
        pageVersion > found.saved.base_version) {
      found.saved = null; // saved elsewhere since, and nothing here is waiting: the page is the newer copy
    }
    if (found.saved) {
      record = found.saved;
      writeValues(record.values || {});
      if (typeof record.screen === "number") { current = record.screen; }
    } else {
      record = {
        client_id: found.id,
        person: d.person,
        instrument: d.instrument,
        base_version: d.baseVersion ? parseInt(d.baseVersion, 10) : null,
        values: readValues(),
        complete: false,
        state: "new",
        form_url: location.pathname
      };
    }
    return fetch(d.definitionUrl, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .catch(function () { return null; });
  }).then(function (questionnaire) {
    if (questionnaire && questionnaire.item) { readConditions(questionnaire); }
    applyEnabled();
    showScreen(current, false);
    form.setAttribute("data-restored", record.state === "new" ? "no" : "yes");
    if (record.state === "conflict" && record.conflict) {
      showConflict(record.conflict);
    } else if (record.complete && record.state === "pending") {
      showDone(null, d.msgOfflineDone);
    }
    describe();
    form.setAttribute("data-ready", "true");
    send();
    return ready;
  }).then(function (offline) {
    form.setAttribute("data-offline", offline ? "ready" : "unavailable");
    if (offline && record && record.state === "new") { status("ready", d.msgOfflineReady); }
  });
})();
