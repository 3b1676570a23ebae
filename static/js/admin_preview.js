// The question form's live preview: after the author stops typing for a moment, the form is posted
// (not saved) to the admin's preview view, whose HTML replaces the preview box. Loaded as a file:
// the Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  const DELAY_MS = 500;

  function start() {
    const box = document.querySelector(".live-preview[data-url]");
    const form = box && box.closest("form");
    if (!form) return;
    let timer = null;
    let sent = 0;

    async function refresh() {
      const number = ++sent;
      box.setAttribute("aria-busy", "true");
      try {
        const response = await fetch(box.dataset.url, {
          method: "POST", body: new FormData(form), credentials: "same-origin",
          headers: { "X-Requested-With": "fetch" },
        });
        if (number !== sent) return; // a newer preview is on its way
        box.innerHTML = response.ok ? await response.text()
          : "<p class=\"errornote\">The preview could not be made (" + response.status + ").</p>";
      } catch (error) {
        if (number === sent) box.innerHTML = "<p class=\"errornote\">The preview could not be reached.</p>";
      } finally {
        if (number === sent) box.removeAttribute("aria-busy");
      }
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(refresh, DELAY_MS);
    }

    form.addEventListener("input", later);
    form.addEventListener("change", later);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
