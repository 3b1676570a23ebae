// Progressive enhancement for quiz pages: send an answer without reloading the page.
// Without JavaScript the same forms post normally and the server redirects back (PRG).
(function () {
  "use strict";

  function showError(section, message) {
    var box = section.querySelector(".feedback");
    if (!box) return;
    box.textContent = "";
    var p = document.createElement("p");
    p.className = "feedback-invalid";
    p.textContent = message;
    box.appendChild(p);
  }

  async function send(form) {
    var section = form.closest("[data-question]");
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    section.setAttribute("aria-busy", "true");
    try {
      var response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-Requested-With": "fetch" },
        credentials: "same-origin",
      });
      var text = await response.text();
      if (!response.ok) {
        showError(section, text && text.length < 500 ? text : "The server could not take this answer (" + response.status + "). Reload the page and try again.");
        buttons.forEach(function (b) { b.disabled = false; });
        return;
      }
      var template = document.createElement("template");
      template.innerHTML = text.trim();
      var fresh = template.content.firstElementChild;
      section.replaceWith(fresh);
      poll(fresh, 0);
      var feedback = fresh.querySelector(".feedback");
      if (feedback && feedback.textContent.trim()) {
        feedback.setAttribute("tabindex", "-1");
        feedback.focus({ preventScroll: true });
      }
    } catch (error) {
      showError(section, "Could not reach the server: your answer was not sent. Check your connection and try again.");
      buttons.forEach(function (b) { b.disabled = false; });
    } finally {
      section.removeAttribute("aria-busy");
    }
  }

  // A question whose answer or variant is still being computed asks again, a few times.
  function poll(section, attempt) {
    if (!section.querySelector("[data-pending]") || attempt > 20) return;
    setTimeout(async function () {
      var id = section.id.slice(1);
      try {
        var response = await fetch(window.location.pathname + "?question=" + id, {
          headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" });
        if (!response.ok) return;
        var template = document.createElement("template");
        template.innerHTML = (await response.text()).trim();
        var fresh = template.content.firstElementChild;
        section.replaceWith(fresh);
        poll(fresh, attempt + 1);
      } catch (error) { /* offline: the Reload link stays */ }
    }, Math.min(250 * (attempt + 1), 2000));  // 250 ms first: a multi-step answer is graded in a fraction of a second
  }

  function watch(root) {
    root.querySelectorAll("[data-question]").forEach(function (section) { poll(section, 0); });
  }
  document.addEventListener("DOMContentLoaded", function () { watch(document); });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-answer-form]") || !window.fetch) return;
    event.preventDefault();
    send(form);
  });
})();
