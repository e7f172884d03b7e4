/* Careweave service worker for the assessment pages (scope /assessments/, served by
   careweave.assessments.offline.service_worker). It keeps copies of the forms a user opened, of
   their instruments and of the static assets, and serves them when there is no network. It
   never stores answers: those are in IndexedDB, written by assessment.js. Network first: online,
   every page comes fresh from the server (and is audited there); the copy is only the fallback.
   Design: docs/decisions/0009-offline-assessments.md. */
"use strict";

var CACHE = "careweave-assessments-v1";

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) {
        return n.indexOf("careweave-assessments-") === 0 && n !== CACHE;
      }).map(function (n) { return caches.delete(n); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function sameOrigin(url) {
  return new URL(url, self.location.href).origin === self.location.origin;
}

function keep(urls) {
  return caches.open(CACHE).then(function (cache) {
    return Promise.all(urls.filter(sameOrigin).map(function (url) {
      var request = new Request(new URL(url, self.location.href).href, { credentials: "same-origin" });
      return cache.match(request, { ignoreVary: true }).then(function (found) {
        if (found) { return true; }
        return fetch(request).then(function (response) {
          if (!response.ok || response.redirected) { return false; }
          return cache.put(request, response).then(function () { return true; });
        });
      });
    }));
  }).then(function (results) {
    return results.every(Boolean);
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var reply = event.ports && event.ports[0];
  if (data.type === "keep" && Array.isArray(data.urls)) {
    event.waitUntil(keep(data.urls).then(function (ok) {
      if (reply) { reply.postMessage({ ok: ok }); }
    }, function () {
      if (reply) { reply.postMessage({ ok: false }); }
    }));
  } else if (data.type === "forget") {
    event.waitUntil(caches.delete(CACHE));
  }
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || !sameOrigin(request.url)) { return; }
  var url = new URL(request.url);
  var asset = url.pathname.indexOf("/static/") === 0;
  event.respondWith(caches.open(CACHE).then(function (cache) {
    return cache.match(request, { ignoreVary: true }).then(function (kept) {
      return fetch(request).then(function (response) {
        // Refresh a kept copy (and static assets); drop a kept page when the user is logged out.
        if (response.ok && response.type === "basic" && !response.redirected && (kept || asset)) {
          cache.put(request, response.clone());
        } else if (kept && (response.type === "opaqueredirect" || response.status === 401 || response.status === 403)) {
          cache.delete(request);
        }
        return response;
      }, function (error) {
        if (kept) { return kept; }
        return cache.match(request, { ignoreVary: true, ignoreSearch: true }).then(function (loose) {
          if (loose && request.mode === "navigate") { return loose; }
          throw error;
        });
      });
    });
  }));
});
