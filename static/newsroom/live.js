// Live coverage (templates/articles/story/live.html, articles/live_views.py): the page is complete
// without this script; with it, the page asks the story's poll address every data-live-seconds
// for the latest entries and puts new ones in place without a reload. Each ask revalidates the
// browser's copy (If-None-Match), so when nothing is new the answer is a 304 with no body, from
// the edge or the app's page cache. A reader who has scrolled into the entries is not moved: a
// "N new updates" button waits for them instead. Corrected entries are replaced where they are;
// when the coverage ends, the page says so and the asking stops. Nothing is asked while the tab
// is hidden.
(() => {
  const live = document.querySelector(".live[data-live-poll]");
  if (!live || !window.fetch) return;
  const url = live.dataset.livePoll;
  const seconds = Math.max(1, Number(live.dataset.liveSeconds) || 15);
  const header = live.querySelector("[data-live-header]");
  const notice = live.querySelector(".live-notice");
  const list = live.querySelector(".live-entries");
  const pending = new Map(); // entries from a poll the reader has not asked to see yet, by id
  let order = []; // the entries' ids in the page's order, as the last poll gave them
  let timer = null;
  let asking = false;
  let stopped = false;
  let etag = null;

  const button = document.createElement("button");
  button.type = "button";
  button.className = "live-new";
  button.hidden = true;
  const said = document.createElement("span");
  said.className = "visually-hidden";
  notice.append(button, said);

  const made = (html) => {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  };
  const words = (element) => element.textContent.replace(/\s+/g, " ").trim();
  const shown = (id) => {
    const element = document.getElementById(`entry-${id}`);
    return element && list.contains(element) ? element : null;
  };
  const plural = (n) => (n === 1 ? "1 new update" : `${n} new updates`);

  // Where the poll's order puts it: before the next entry already on the page, else after the
  // one before it, else first.
  function place(element, id) {
    const at = order.indexOf(id);
    for (let i = at + 1; i < order.length; i += 1) {
      const next = shown(order[i]);
      if (next) return next.before(element);
    }
    for (let i = at - 1; i >= 0; i -= 1) {
      const previous = shown(order[i]);
      if (previous) return previous.after(element);
    }
    return list.prepend(element);
  }

  function insert(entries) {
    list.querySelector(".live-empty")?.remove();
    return entries.map((entry) => {
      const element = made(entry.html);
      place(element, entry.id);
      return element;
    });
  }

  function offer() {
    button.hidden = pending.size === 0;
    button.textContent = plural(pending.size);
  }

  button.addEventListener("click", () => {
    const entries = [...pending.values()].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
    pending.clear();
    offer();
    const [first] = insert(entries);
    if (first) {
      first.tabIndex = -1;
      first.scrollIntoView({ block: "start" });
      first.focus({ preventScroll: true });
    }
  });

  function update(data) {
    order = data.entries.map((entry) => entry.id);
    const next = made(`<div>${data.header_html}</div>`);
    if (words(next) !== words(header)) header.innerHTML = data.header_html;
    const fresh = [];
    for (const entry of data.entries) {
      const element = shown(entry.id);
      if (!element) {
        fresh.push(entry);
        continue;
      }
      const replacement = made(entry.html);
      if (replacement.dataset.modified !== element.dataset.modified) element.replaceWith(replacement);
    }
    // Near the top (the list's top not scrolled past), new entries go straight in; further
    // down they wait for the button, so what the reader is reading does not move.
    if (list.getBoundingClientRect().top >= 0) {
      const waiting = [...pending.values()].filter((entry) => !fresh.some((f) => f.id === entry.id));
      pending.clear();
      const entries = [...fresh, ...waiting];
      insert(entries.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id)));
      if (entries.length) said.textContent = `${plural(entries.length)} added`;
    } else {
      for (const entry of fresh) pending.set(entry.id, entry);
    }
    offer();
    if (data.closed) stop();
  }

  function stop() {
    stopped = true;
    clearTimeout(timer);
    timer = null;
    live.removeAttribute("data-live-poll");
  }

  function schedule() {
    if (!stopped && !document.hidden && timer === null && !asking) {
      timer = setTimeout(ask, seconds * 1000);
    }
  }

  async function ask() {
    clearTimeout(timer); // an ask on coming back to the tab replaces the one that was due
    timer = null;
    if (stopped || asking || document.hidden) return;
    asking = true;
    try {
      // The same answer for every reader: no cookies, so the page cache and the edge serve it.
      const response = await fetch(url, {
        cache: "no-cache",
        credentials: "omit",
        headers: { Accept: "application/json" },
      });
      if (response.status === 404 || response.status === 410) {
        stop(); // the story is no longer live coverage, or no longer published
      } else if (response.ok) {
        const tag = response.headers.get("ETag");
        if (!tag || tag !== etag) {
          etag = tag;
          update(await response.json());
        }
      }
    } catch {
      // Offline for a moment, or an answer cut short: the next ask tries again.
    } finally {
      asking = false;
    }
    schedule();
  }

  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      clearTimeout(timer);
      timer = null;
    } else {
      ask(); // back on the tab: catch up at once, then as before
    }
  });
  schedule();
})();
