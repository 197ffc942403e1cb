// Automatic saving on the story form (articles/autosave.py): while the form has changes, its text
// fields are posted as JSON every few seconds to a private copy that readers never see. The
// status line says when it last worked, or why not; a 409 means someone else saved the story,
// and saving stops for good on this page, saying who. An answer asking again would not change
// (400, 403, 409, 413) stops it too, saying why; no answer, or a login page, is tried again.
// Nothing is posted while the form itself is being submitted, nor while an earlier copy is on
// offer (restore or discard it first: the new copy would replace it), nor while nothing changed.
(function () {
  "use strict";

  const root = document.getElementById("autosave");
  const form = root && root.closest("form");
  if (!root || !form) {
    return;
  }
  // All from the page (autosave.html, filled by articles/autosave.py), so nothing here can drift.
  const FIELDS = (root.dataset.fields || "").split(" ").filter(Boolean);
  const OPENED_AT = root.dataset.openedAt || null; // the add page: when it was opened
  const EVERY_MS = 5000; // after a change
  const RETRY_MS = 30000; // when the server did not answer
  // Answers that asking again will not change: a request refused as malformed, a permission
  // refused, a story saved since the page was opened, too much text.
  const FINAL = [400, 403, 409, 413];
  const status = root.querySelector(".autosave-status");
  const tokenInput = form.querySelector("input[name=csrfmiddlewaretoken]");

  let paused = root.dataset.offered === "true";
  let stopped = false;
  let submitting = false;
  let dirty = false;
  let inFlight = null;
  let lastSent = null;
  let timer = null;

  function say(text, problem) {
    status.textContent = text;
    status.classList.toggle("errornote", Boolean(problem));
  }

  // Read when sending, not once: Django changes the token at login, so after logging in again
  // in another tab only the cookie has the one that works. The form's is for when there is none.
  function csrfToken() {
    const name = root.dataset.csrfCookie;
    for (const cookie of name ? document.cookie.split(";") : []) {
      const [key, ...rest] = cookie.trim().split("=");
      if (key === name && rest.length) {
        return decodeURIComponent(rest.join("="));
      }
    }
    return tokenInput ? tokenInput.value : "";
  }

  function value(name) {
    const field = form.elements.namedItem(name);
    if (!field) {
      return "";
    }
    // A select (the section) or a text input; RadioNodeList never applies to these names.
    return typeof field.value === "string" ? field.value : "";
  }

  function collect() {
    const data = {};
    for (const name of FIELDS) {
      data[name] = value(name);
    }
    return data;
  }

  function basedOn() {
    const field = form.elements.namedItem("lock_version");
    const number = field ? parseInt(field.value, 10) : NaN;
    return Number.isNaN(number) ? null : number;
  }

  // One timer at most, and none while there is nothing to send: an idle page does no work.
  function schedule(delay) {
    if (timer === null && dirty && !stopped && !submitting && !paused) {
      timer = window.setTimeout(tick, delay);
    }
  }

  function unschedule() {
    window.clearTimeout(timer);
    timer = null;
  }

  function stop(text) {
    stopped = true;
    unschedule();
    say(text, true);
  }

  async function answer(response) {
    if (response.type === "opaqueredirect") {
      return {
        problem:
          "you seem to be logged out. Log in again in another tab and saving here resumes " +
          "by itself.",
      };
    }
    let body = {};
    try {
      body = await response.json();
    } catch (error) {
      body = {};
    }
    if (response.status === 409 && body.stopped) {
      return { conflict: body };
    }
    if (!response.ok) {
      const fallback = FINAL.includes(response.status)
        ? `the server refused it (${response.status}). Copy your text and reload the page.`
        : `the server answered ${response.status}.`;
      return { problem: body.error || fallback, status: response.status };
    }
    return { saved: body };
  }

  async function send(payload) {
    const controller = new AbortController();
    inFlight = controller;
    try {
      const response = await fetch(root.dataset.saveUrl, {
        method: "POST",
        body: payload,
        credentials: "same-origin",
        redirect: "manual",
        signal: controller.signal,
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrfToken(),
        },
      });
      return await answer(response);
    } catch (error) {
      return controller.signal.aborted
        ? { aborted: true }
        : { problem: "no answer from the server. Trying again shortly." };
    } finally {
      inFlight = null;
    }
  }

  // What the page says, and does next, after the server's answer to ``payload``.
  function handle(result, payload) {
    if (result.aborted || submitting) {
      return;
    }
    if (result.conflict) {
      stop(
        `${result.conflict.by} saved this story at ${result.conflict.at}: automatic saving has ` +
          "stopped. Copy your text before reloading."
      );
      return;
    }
    if (result.problem) {
      dirty = true; // still to be saved
      if (FINAL.includes(result.status)) {
        stop(`Not saved automatically: ${result.problem}`);
        return;
      }
      say(`Not saved automatically: ${result.problem}`, true);
      unschedule();
      schedule(RETRY_MS);
      return;
    }
    lastSent = payload;
    say(
      result.saved.unchanged
        ? "No unsaved changes."
        : `Saved automatically at ${result.saved.saved_at}.`,
      false
    );
    schedule(EVERY_MS); // if more was typed meanwhile
  }

  async function tick() {
    timer = null;
    if (!dirty || stopped || submitting || paused || inFlight) {
      return; // a request on its way schedules the next when it is answered
    }
    dirty = false;
    const request = { based_on_version: basedOn(), data: collect() };
    if (OPENED_AT) {
      request.opened_at = OPENED_AT;
    }
    const payload = JSON.stringify(request);
    if (payload === lastSent) {
      return;
    }
    handle(await send(payload), payload);
  }

  function changed() {
    dirty = true;
    schedule(EVERY_MS);
  }

  // The body editor (django-prose-editor) writes its HTML into the form's hidden textarea and
  // fires a bubbling "input" there at every change, so listening on the form hears it too.
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () {
    submitting = true;
    unschedule();
    if (inFlight) {
      inFlight.abort();
    }
  });
  // Coming back to a page kept in the back-forward cache after submitting it.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      submitting = false;
      schedule(EVERY_MS);
    }
  });

  async function discard(button) {
    button.disabled = true;
    try {
      const response = await fetch(root.dataset.discardUrl, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      });
      if (!response.ok) {
        throw new Error(String(response.status));
      }
    } catch (error) {
      button.disabled = false;
      say("Could not discard the automatic save: no answer from the server. Try again.", true);
      return;
    }
    if (button.dataset.reloadUrl) {
      window.location.replace(button.dataset.reloadUrl); // this page, minus the restore
      return;
    }
    const offer = root.querySelector(".autosave-offer");
    if (offer) {
      offer.remove();
    }
    paused = false;
    say("The automatic save was discarded.", false);
    schedule(EVERY_MS); // what was typed while it was on offer
  }

  for (const button of root.querySelectorAll(".autosave-discard")) {
    button.addEventListener("click", function () {
      discard(button);
    });
  }

  if (root.dataset.staleBy) {
    stop(
      `${root.dataset.staleBy} saved this story at ${root.dataset.staleAt}, after the version ` +
        "these changes began from: automatic saving is off. Save to compare, or copy your text."
    );
  } else if (paused) {
    say("Automatic saving is paused until you restore or discard the changes saved earlier.");
  }
})();
