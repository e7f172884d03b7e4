/* Opt in to web push on this device: register /push-sw.js, subscribe with the server's VAPID key, and send
   the subscription to Careweave. No inline script (the CSP forbids it). */
(function () {
  const button = document.getElementById("push-enable");
  const status = document.getElementById("push-status");
  if (!button || !("serviceWorker" in navigator) || !("PushManager" in window)) {
    if (button) { button.disabled = true; }
    return;
  }
  function key(base64) {
    const padded = (base64 + "=".repeat((4 - (base64.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }
  button.addEventListener("click", async () => {
    const permission = await Notification.requestPermission();
    if (permission !== "granted") { status.textContent = button.dataset.refused; return; }
    const registration = await navigator.serviceWorker.register(button.dataset.worker, { scope: "/" });
    const subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true, applicationServerKey: key(button.dataset.key),
    });
    const response = await fetch(button.dataset.subscribe, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": button.dataset.csrf },
      body: JSON.stringify(subscription.toJSON()),
    });
    status.textContent = response.ok ? button.dataset.done : (await response.json()).error;
  });
})();
