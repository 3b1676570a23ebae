// The presenter's page of a live session, on the projector: listens to the session's events (Server-Sent
// Events) and updates the counts at once and the stage (question, results, solution) when it changes;
// sends the controls without a reload, from the buttons or from a clicker's keys. Texts are set with
// textContent; the stage is HTML rendered (and sanitized) by the server. Without JavaScript the page
// still works: its buttons post a form, "Show results" is a link, and each reloads the page.
(function () {
  "use strict";
  var root = document.querySelector("[data-presenter]");
  if (!root) return;
  var stageBox = root.querySelector("[data-stage]");
  var form = root.querySelector("[data-control]");
  var status = root.querySelector("[data-presenter-status]");
  var message = root.querySelector("[data-presenter-message]");
  var connection = root.querySelector("[data-presenter-connection]");
  var toggle = root.querySelector("[data-toggle-results]");
  var resultsField = root.querySelector("[data-results-field]");
  var initial = document.getElementById("presenter-state");
  var PHASES = { waiting: "Waiting (not open yet)", open: "Open for answers", closed: "Closed", revealed: "Revealed" };
  // A clicker sends PageDown/PageUp (some send arrows or Space); letters are for a keyboard.
  var KEYS = { ArrowRight: "next", PageDown: "next", " ": "next", ArrowLeft: "previous", PageUp: "previous",
               o: "open", c: "close", r: "reveal" };
  var shown = root.dataset.shown === "1";
  var last = initial ? JSON.parse(initial.textContent) : null;
  var source = null;
  var queue = Promise.resolve();
  var pendingDelay = 1000;

  function query(part) {
    var params = new URLSearchParams();
    if (shown) params.set("results", "1");
    if (part) params.set("part", part);
    var text = params.toString();
    return text ? "?" + text : "";
  }

  function say(text) {
    message.textContent = text;
    message.hidden = !text;
  }

  // The stage (or only its results); a server error is tried again twice, a second apart.
  async function load(part, tries) {
    tries = tries || 0;
    try {
      var response = await fetch(root.dataset.stageUrl + query(part), {
        headers: { "X-Requested-With": "fetch" }, credentials: "same-origin", cache: "no-store" });
      if (response.status >= 500 && tries < 2) {
        window.setTimeout(function () { load(part, tries + 1); }, 1000);
        return;
      }
      if (!response.ok) return;
      var html = await response.text();  // rendered by the server from sanitized texts
      var target = part ? stageBox.querySelector("[data-results]") : stageBox;
      if (target) target.innerHTML = html;
      if (!part) watchPending();
    } catch (error) { /* offline: the next state or reconnect tries again */ }
  }

  // A computed question's worked solution comes once the presenter's variant is solved: ask again.
  function watchPending() {
    if (!stageBox.querySelector("[data-variant-pending]")) {
      pendingDelay = 1000;
      return;
    }
    window.setTimeout(function () { load(); }, pendingDelay);
    pendingDelay = Math.min(5000, pendingDelay * 1.5);
  }

  function show(state) {
    root.querySelectorAll("[data-count]").forEach(function (node) {
      node.textContent = String(state[node.dataset.count]);
    });
    status.textContent = state.ended ? "The session has ended."
      : "Question " + state.number + " of " + state.total + " · " + (PHASES[state.phase] || state.phase);
    var previous = last;
    last = state;
    if (!previous || previous.v !== state.v || previous.shown !== state.shown || previous.item !== state.item) {
      load();
    } else if (JSON.stringify(previous.distribution) !== JSON.stringify(state.distribution)) {
      load("results");
    }
    if (state.ended) {
      if (source) source.close();
      form.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
    }
  }

  // Controls are sent one after the other: a clicker pressed twice quickly moves on twice, in order.
  function control(action) {
    queue = queue.then(function () { return send(action); });
  }

  // 503: the database was briefly unavailable and the control rolled back (nothing changed): sent again.
  async function send(action, tries) {
    if (last && last.ended) return;
    tries = tries || 0;
    var data = new FormData(form);
    data.set("action", action);
    data.set("results", shown ? "1" : "0");
    try {
      // form.getAttribute: the buttons named "action" shadow form.action
      var response = await fetch(form.getAttribute("action"), {
        method: "POST", body: data, headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" });
      if (response.status === 503 && tries < 3) {
        await new Promise(function (resolve) { window.setTimeout(resolve, 300); });
        return send(action, tries + 1);
      }
      if (response.status === 204) {
        say("");  // done; the event stream brings the new state
      } else if (response.ok) {
        say("");
        show(await response.json());
      } else {
        say(response.status === 409 ? await response.text() : "That did not work; try again.");
      }
    } catch (error) {
      say("No connection to the server: try again.");
    }
  }

  function toggleResults() {
    shown = !shown;
    toggle.textContent = shown ? "Hide results" : "Show results";
    toggle.setAttribute("aria-pressed", shown ? "true" : "false");
    toggle.href = window.location.pathname + (shown ? "" : "?results=1");
    resultsField.value = shown ? "1" : "0";
    window.history.replaceState(null, "", window.location.pathname + (shown ? "?results=1" : ""));
    connect();  // the stream's first state carries the new "shown" and brings the stage
  }

  function connect() {
    if (source) source.close();
    if (last && last.ended) return;
    source = new EventSource(root.dataset.events + query());
    source.addEventListener("state", function (event) { show(JSON.parse(event.data)); });
    source.addEventListener("open", function () { connection.hidden = true; });
    source.addEventListener("error", function () { connection.hidden = Boolean(last && last.ended); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = event.submitter;
    if (!button) return;
    if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
    control(button.value);
  });

  toggle.addEventListener("click", function (event) {
    event.preventDefault();
    toggleResults();
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (key === " " && target.closest && target.closest("button, a, summary")) return;  // Space presses it
    if (key === "s") {
      event.preventDefault();
      toggleResults();
      return;
    }
    if (!KEYS[key]) return;
    event.preventDefault();
    control(KEYS[key]);
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && (!source || source.readyState === EventSource.CLOSED)) connect();
  });
  watchPending();
  connect();
})();
