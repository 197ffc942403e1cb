// Automatic saving on the story form (articles/autosave.py): while the form has changes, its text
// fields are posted as JSON every few seconds to a private copy that readers never see. The
// status line says when it last worked, or why not; a 409 means someone else saved the story,
// and saving stops for good on this page, saying who. Nothing is posted while the form itself
// is being submitted, nor while an earlier copy is on offer (restore or discard it first: the
// new copy would replace it).
(function () {
  "use strict";

  const root = document.getElementById("autosave");
  const form = root && root.closest("form");
  if (!root || !form) {
    return;
  }
  const FIELDS = ["headline", "slug", "standfirst", "body", "dateline", "section", "tags"];
  const EVERY_MS = 5000; // after a change
  const RETRY_MS = 30000; // when the server did not answer
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

  function schedule(delay) {
    window.clearTimeout(timer);
    if (!stopped && !submitting) {
      timer = window.setTimeout(tick, delay);
    }
  }

  function stop(text) {
    stopped = true;
    window.clearTimeout(timer);
    say(text, true);
  }

  async function answer(response) {
    if (response.type === "opaqueredirect") {
      return { problem: "you seem to be logged out. Log in again in another tab; trying again." };
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
      return { problem: body.error || `the server answered ${response.status}.`, status: response.status };
    }
    return { saved: body };
  }

  async function tick() {
    if (stopped || submitting || paused || inFlight) {
      schedule(EVERY_MS);
      return;
    }
    const data = collect();
    const payload = JSON.stringify({ based_on_version: basedOn(), data: data });
    if (!dirty || payload === lastSent) {
      dirty = false;
      schedule(EVERY_MS);
      return;
    }
    dirty = false;
    const controller = new AbortController();
    inFlight = controller;
    let result;
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
          "X-CSRFToken": tokenInput ? tokenInput.value : "",
        },
      });
      result = await answer(response);
    } catch (error) {
      result = controller.signal.aborted
        ? { aborted: true }
        : { problem: "no answer from the server. Trying again shortly.", offline: true };
    } finally {
      inFlight = null;
    }
    if (result.aborted || submitting) {
      return;
    }
    if (result.conflict) {
      const who = result.conflict.by;
      stop(
        `${who} saved this story at ${result.conflict.at}: automatic saving has stopped. ` +
          "Copy your text before reloading."
      );
      return;
    }
    if (result.problem) {
      dirty = true; // still to be saved
      say(`Not saved automatically: ${result.problem}`, true);
      if (result.status === 403 || result.status === 413) {
        stopped = true; // asking again will not change the answer
        return;
      }
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
    schedule(EVERY_MS);
  }

  function changed() {
    dirty = true;
  }

  // The body editor (django-prose-editor) writes its HTML into the form's hidden textarea and
  // fires a bubbling "input" there at every change, so listening on the form hears it too.
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () {
    submitting = true;
    window.clearTimeout(timer);
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
        headers: { Accept: "application/json", "X-CSRFToken": tokenInput ? tokenInput.value : "" },
      });
      if (!response.ok) {
        throw new Error(String(response.status));
      }
    } catch (error) {
      button.disabled = false;
      say("Could not discard the automatic save: no answer from the server. Try again.", true);
      return;
    }
    if (button.dataset.reload === "true") {
      window.location.replace(window.location.pathname);
      return;
    }
    const offer = root.querySelector(".autosave-offer");
    if (offer) {
      offer.remove();
    }
    paused = false;
    say("The automatic save was discarded.", false);
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
  schedule(EVERY_MS);
})();
