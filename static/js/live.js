// A student's phone in a live session: listens to the session's events (Server-Sent Events) and
// shows the current question the moment the presenter opens it; answers are sent without reload.
// EventSource reconnects by itself; the server sends the current state first, so a phone that lost
// its connection or slept catches up. Without JavaScript the page still works by reloading it.
(function () {
  "use strict";
  var root = document.querySelector("[data-live-phone]");
  if (!root) return;
  var version = root.dataset.version;
  var status = document.querySelector("[data-live-status]");
  var notice = document.querySelector("[data-live-connection]");
  var source = null;
  var failures = 0;  // event streams refused in a row: the next try waits longer
  var answered = {};  // item ids this phone has answered: their pushed, blank form would hide the answer

  function randomNonce() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  // The question as pushed to the whole room: this phone's CSRF token and a fresh nonce filled in.
  function place(html) {
    root.innerHTML = html;
    var token = document.getElementById("live-csrf");
    root.querySelectorAll("[data-fill=csrf]").forEach(function (input) { input.value = token ? token.value : ""; });
    root.querySelectorAll("[data-fill=nonce]").forEach(function (input) { input.value = randomNonce(); });
  }

  var retry = null;

  // This phone's view of the current question; on failure (offline) it tries again, and the next
  // state counts as new, so nothing is missed.
  async function refresh() {
    clearTimeout(retry);
    try {
      var response = await fetch(root.dataset.questionUrl, {
        headers: { "X-Requested-With": "fetch" }, credentials: "same-origin", cache: "no-store" });
      if (!response.ok) throw new Error(String(response.status));
      root.innerHTML = await response.text();
    } catch (error) {
      version = null;
      retry = setTimeout(refresh, 2000);
    }
  }

  function show(state) {
    if (status) {
      status.textContent = state.ended ? "This session has ended."
        : "Question " + state.number + " of " + state.total + ".";
    }
    if (String(state.v) === String(version)) return;
    version = state.v;
    if (state.html && !answered[state.item]) place(state.html);
    else refresh();
    if (state.ended && source) source.close();
  }

  function connect() {
    if (source) source.close();
    source = new EventSource(root.dataset.events);
    source.addEventListener("state", function (event) { show(JSON.parse(event.data)); });
    source.addEventListener("open", function () { if (notice) notice.hidden = true; });
    source.addEventListener("error", function () {
      if (notice) notice.hidden = false;
      // EventSource retries by itself after a network error, but gives up after an error answer
      // (a 503 while the whole room reconnects at once): then try again later, spread out.
      if (source.readyState === EventSource.CLOSED) {
        failures += 1;
        var delay = Math.min(30000, 1000 * Math.pow(2, failures)) * (0.5 + Math.random());
        setTimeout(function () { connect(); refresh(); }, delay);
      }
    });
    source.addEventListener("state", function () { failures = 0; });
  }

  root.addEventListener("submit", async function (event) {
    var form = event.target.closest("[data-live-answer]");
    if (!form) return;
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    try {
      var response = await fetch(form.action, {
        method: "POST", body: new FormData(form, event.submitter),
        headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" });
      if (response.ok) {
        var item = form.querySelector("[name=item]");
        if (item) answered[item.value] = true;
        root.innerHTML = await response.text();
      } else {
        var message = document.createElement("p");
        message.className = "feedback-invalid";
        message.textContent = (await response.text()) || "The answer was not accepted.";
        form.parentElement.querySelector(".feedback").replaceChildren(message);
        if (response.status === 409) refresh();
      }
    } catch (error) {
      if (notice) notice.hidden = false;
    } finally {
      if (button) button.disabled = false;
    }
  });

  window.addEventListener("online", function () { connect(); refresh(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {  // a phone waking up: catch up at once
      if (!source || source.readyState === EventSource.CLOSED) connect();
      refresh();
    }
  });
  connect();
})();
