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

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-answer-form]") || !window.fetch) return;
    event.preventDefault();
    send(form);
  });
})();
