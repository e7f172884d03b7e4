/* Careweave's push worker (served at /push-sw.js, scope "/"): shows the general sentence of a notification
   and opens its link when tapped. It caches nothing: the offline worker of /assessments/ does that. */
self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  event.waitUntil(self.registration.showNotification(data.title || "Careweave", {
    body: data.body || "",
    tag: data.tag,
    data: { url: data.url || "{{ inbox }}" },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "{{ inbox }}";
  event.waitUntil(self.clients.openWindow(url));
});
