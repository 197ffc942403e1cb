/* Tags as chips (articles.widgets.TagChipsWidget): each tag a removable chip, existing tags
   suggested as one types (ArticleAdmin.tags_view), a tag that does not exist yet said to be new.

   The field's own input keeps the value the server reads, the comma-separated, quoted string
   taggit's form field parses; it is hidden once the chips are drawn, and without this script it
   is the plain text box it always was. The chips the page opens with are the names the server
   lists in data-tag-names (the story's tags, or what taggit read from the value sent back): the
   script never parses taggit's syntax itself, it only writes it. */
"use strict";
// A block, not a function around the script: in strict code its declarations stay inside it.
{
    const DELAY_MS = 150;

    // A name as typed: a double quote cannot be written inside a name in taggit's syntax, so none
    // is kept in one typed here; runs of spaces are one space.
    function cleanName(name) {
        return name.replace(/"/g, "").replace(/\s+/g, " ").trim();
    }

    // Python's order of strings (by code point), which edit_string_for_tags sorts by.
    function byCodePoint(a, b) {
        const x = Array.from(a, (c) => c.codePointAt(0));
        const y = Array.from(b, (c) => c.codePointAt(0));
        for (let i = 0; i < Math.min(x.length, y.length); i++) {
            if (x[i] !== y[i]) return x[i] - y[i];
        }
        return x.length - y.length;
    }

    // taggit.utils.edit_string_for_tags: a name with a comma or a space quoted, sorted, joined by
    // ", ", which taggit's parse_tags reads back as exactly these names. A name holding a double
    // quote (only ever one the server listed: none typed here keeps one) is written as taggit
    // writes it, so the form saves what it would save without this script.
    function serialise(names) {
        return names
            .map((name) => (name.includes(",") || name.includes(" ") ? `"${name}"` : name))
            .sort(byCodePoint)
            .join(", ");
    }

    function initialNames(box) {
        try {
            const names = JSON.parse(box.dataset.tagNames || "[]");
            return Array.isArray(names) ? names.filter((n) => typeof n === "string" && n) : [];
        } catch (error) {
            return [];
        }
    }

    // The box one types in, taking over the field's label and help text, and its list of
    // suggestions; the field itself is hidden.
    function buildEntry(box, field) {
        const entry = document.createElement("input");
        entry.type = "text";
        entry.className = "tag-chips__entry";
        entry.autocomplete = "off";
        entry.spellcheck = true;
        entry.id = field.id;
        field.id = field.id + "_value";
        if (field.hasAttribute("aria-describedby")) {
            entry.setAttribute("aria-describedby", field.getAttribute("aria-describedby"));
        }
        const suggestions = document.createElement("ul");
        suggestions.className = "tag-chips__suggestions";
        suggestions.id = entry.id + "_suggestions";
        suggestions.setAttribute("role", "listbox");
        suggestions.hidden = true;
        entry.setAttribute("role", "combobox");
        entry.setAttribute("aria-autocomplete", "list");
        entry.setAttribute("aria-expanded", "false");
        entry.setAttribute("aria-controls", suggestions.id);
        entry.placeholder = "Add a tag…";

        field.type = "hidden";
        box.append(entry, suggestions);
        box.classList.add("is-ready");
        return {entry, suggestions};
    }

    // --- The chips, and the value written back ------------------------------------------------

    function Chips(box, field, list, entry) {
        this.field = field;
        this.list = list;
        this.entry = entry;
        // Whether taggit takes "Hong Kong" and "hong kong" for one tag (TAGGIT_CASE_INSENSITIVE).
        this.caseInsensitive = box.dataset.caseInsensitive === "true";
        this.names = [];
        initialNames(box).forEach((name) => this.has(name) || this.names.push(name));
    }

    Chips.prototype.same = function (a, b) {
        return this.caseInsensitive ? a.toLocaleLowerCase() === b.toLocaleLowerCase() : a === b;
    };

    Chips.prototype.has = function (name) {
        return this.names.some((n) => this.same(n, name));
    };

    // What is typed, split at its commas, as chips; the value written back.
    Chips.prototype.commit = function (text) {
        text.split(",").forEach((raw) => {
            const name = cleanName(raw);
            if (name && !this.has(name)) this.names.push(name);
        });
        this.changed();
    };

    Chips.prototype.removeAt = function (index) {
        this.names.splice(index, 1);
        this.changed();
    };

    Chips.prototype.changed = function () {
        this.draw();
        this.sync();
    };

    // The value stays as the server wrote it until a tag is added or removed.
    Chips.prototype.sync = function () {
        const value = serialise(this.names);
        if (this.field.value === value) return;
        this.field.value = value;
        // Hidden inputs fire nothing of their own; whoever watches the form for changes hears it.
        this.field.dispatchEvent(new Event("change", {bubbles: true}));
    };

    Chips.prototype.draw = function () {
        this.list.replaceChildren(...this.names.map((name, index) => this.chip(name, index)));
    };

    Chips.prototype.chip = function (name, index) {
        const chip = document.createElement("li");
        chip.className = "tag-chips__chip";
        const label = document.createElement("span");
        label.textContent = name;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "tag-chips__remove";
        remove.textContent = "×";
        remove.setAttribute("aria-label", `Remove tag “${name}”`);
        remove.addEventListener("click", () => {
            this.removeAt(index);
            this.entry.focus();
        });
        chip.append(label, remove);
        return chip;
    };

    // --- The suggestions ------------------------------------------------------------------------

    function Suggestions(url, chips, entry, list) {
        this.url = url;
        this.chips = chips;
        this.entry = entry;
        this.list = list;
        this.options = [];
        this.active = -1;
        this.timer = null;
        this.asked = 0;
    }

    Suggestions.prototype.isOpen = function () {
        return !this.list.hidden && this.options.length > 0;
    };

    Suggestions.prototype.close = function () {
        this.list.hidden = true;
        this.list.replaceChildren();
        this.entry.setAttribute("aria-expanded", "false");
        this.entry.removeAttribute("aria-activedescendant");
        this.options = [];
        this.active = -1;
    };

    // Forget any answer still awaited, and close: the box lost the focus, or its text was taken.
    Suggestions.prototype.cancel = function () {
        window.clearTimeout(this.timer);
        this.asked++;
        this.close();
    };

    Suggestions.prototype.highlight = function (index) {
        this.active = index;
        Array.from(this.list.children).forEach((item, i) => {
            item.setAttribute("aria-selected", i === index ? "true" : "false");
        });
        if (index >= 0) {
            this.entry.setAttribute("aria-activedescendant", this.list.children[index].id);
        } else {
            this.entry.removeAttribute("aria-activedescendant");
        }
    };

    Suggestions.prototype.move = function (step) {
        const count = this.options.length;
        if (step > 0) this.highlight((this.active + 1) % count);
        else this.highlight(this.active <= 0 ? count - 1 : this.active - 1);
    };

    Suggestions.prototype.choose = function (index) {
        const option = this.options[index];
        this.entry.value = "";
        this.cancel();
        if (option) this.chips.commit(option.name);
        this.entry.focus();
    };

    // Asked for after a pause in the typing; the answer shown only if it is still the answer to
    // what is typed, in a box that still has the focus.
    Suggestions.prototype.request = function () {
        const typed = cleanName(this.entry.value);
        window.clearTimeout(this.timer);
        const ask = ++this.asked;
        if (!typed) {
            this.close();
            return;
        }
        const current = () =>
            ask === this.asked &&
            document.activeElement === this.entry &&
            cleanName(this.entry.value) === typed;
        this.timer = window.setTimeout(() => {
            this.fetch(typed).then((found) => {
                if (current()) this.show(typed, found);
            });
        }, DELAY_MS);
    };

    // The existing tags matching what is typed, or null when they cannot be known.
    Suggestions.prototype.fetch = function (typed) {
        if (!this.url) return Promise.resolve(null);
        return fetch(`${this.url}?q=${encodeURIComponent(typed)}`, {
            credentials: "same-origin",
            headers: {Accept: "application/json"},
        })
            .then((response) => (response.ok ? response.json() : null))
            .then((data) => (data && Array.isArray(data.tags) ? data.tags : null))
            .catch(() => null);
    };

    // The existing tags not yet chips, then what is typed: said to be new when no existing tag
    // is it, said only to be addable when the existing tags could not be asked for.
    Suggestions.prototype.show = function (typed, found) {
        const chips = this.chips;
        const known = found || [];
        this.options = known.filter((name) => !chips.has(name)).map((name) => ({name, kind: "tag"}));
        if (!chips.has(typed) && !known.some((name) => chips.same(name, typed))) {
            this.options.push({name: typed, kind: found ? "new" : "unknown"});
        }
        if (!this.options.length) {
            this.close();
            return;
        }
        this.list.replaceChildren(...this.options.map((option, index) => this.item(option, index)));
        this.list.hidden = false;
        this.entry.setAttribute("aria-expanded", "true");
        this.highlight(this.options[0].kind === "tag" ? 0 : -1);
    };

    Suggestions.prototype.item = function (option, index) {
        const item = document.createElement("li");
        item.id = `${this.list.id}_${index}`;
        item.setAttribute("role", "option");
        if (option.kind === "new") {
            item.className = "is-new";
            item.textContent = `New tag: “${option.name}” (created when you save)`;
        } else if (option.kind === "unknown") {
            item.className = "is-new";
            item.textContent = `Suggestions unavailable: add “${option.name}”`;
        } else {
            item.textContent = option.name;
        }
        // Chosen on mousedown, before the box loses the focus (and commits what is typed).
        item.addEventListener("mousedown", (event) => {
            event.preventDefault();
            this.choose(index);
        });
        return item;
    };

    // --- Typing and keys ----------------------------------------------------------------------

    // What is typed becomes chips: the text up to the last comma as one types, the whole of it
    // on Enter, on leaving the box and on saving.
    function takeTyped(chips, suggestions, entry) {
        suggestions.cancel();
        if (entry.value.trim()) {
            chips.commit(entry.value);
            entry.value = "";
        }
    }

    function onInput(chips, suggestions, entry) {
        // A comma ends a tag (so a pasted list becomes chips); what follows the last one is
        // still being typed.
        if (entry.value.includes(",")) {
            const parts = entry.value.split(",");
            entry.value = parts.pop().replace(/^\s+/, "");
            chips.commit(parts.join(","));
        }
        suggestions.request();
    }

    function onKeydown(event, chips, suggestions, entry) {
        const open = suggestions.isOpen();
        if ((event.key === "ArrowDown" || event.key === "ArrowUp") && open) {
            event.preventDefault();
            suggestions.move(event.key === "ArrowDown" ? 1 : -1);
        } else if (event.key === "Enter") {
            // Enter adds the tag; it never submits the form from this box.
            event.preventDefault();
            if (open && suggestions.active >= 0) suggestions.choose(suggestions.active);
            else takeTyped(chips, suggestions, entry);
        } else if (event.key === "Escape" && open) {
            event.preventDefault();
            suggestions.cancel();
        } else if (event.key === "Backspace" && !entry.value && chips.names.length) {
            chips.removeAt(chips.names.length - 1);
        }
    }

    function enhance(box) {
        const field = box.querySelector("input[name]");
        const list = box.querySelector(".tag-chips__list");
        if (!field || !list) return;
        const {entry, suggestions: listbox} = buildEntry(box, field);
        const chips = new Chips(box, field, list, entry);
        const suggestions = new Suggestions(box.dataset.suggestUrl, chips, entry, listbox);

        entry.addEventListener("input", () => onInput(chips, suggestions, entry));
        entry.addEventListener("keydown", (event) => onKeydown(event, chips, suggestions, entry));
        entry.addEventListener("blur", () => takeTyped(chips, suggestions, entry));
        box.addEventListener("click", (event) => {
            if (event.target === box || event.target === list) entry.focus();
        });
        // Whatever is still typed is a tag too when the form is saved.
        if (field.form) {
            field.form.addEventListener("submit", () => takeTyped(chips, suggestions, entry), true);
        }
        chips.draw();
    }

    document.addEventListener("DOMContentLoaded", function () {
        document.querySelectorAll("[data-tag-chips]").forEach(enhance);
    });
}
