/* Tags as chips (articles.widgets.TagChipsWidget): each tag a removable chip, existing tags
   suggested as one types (ArticleAdmin.tags_view), a tag that does not exist yet said to be new.

   The field's own input keeps the value the server reads, the comma-separated, quoted string
   taggit's form field parses; it is hidden once the chips are drawn, and without this script it
   is the plain text box it always was. */
"use strict";
(function () {
    const DELAY_MS = 150;

    // taggit.utils.parse_tags, for the value the page opens with: quoted names may hold commas;
    // with no comma and no quote, spaces separate the names.
    function parseTags(text) {
        if (!text) return [];
        const splitStrip = (chunk, by) => chunk.split(by).map((w) => w.trim()).filter(Boolean);
        if (!text.includes(",") && !text.includes('"')) return splitStrip(text, " ");
        const words = [];
        const loose = [];
        let buffer = "";
        let sawComma = false;
        for (let i = 0; i < text.length; i++) {
            const c = text[i];
            if (c === '"') {
                const end = text.indexOf('"', i + 1);
                if (end === -1) { // never closed: the rest is unquoted
                    buffer += text.slice(i + 1);
                    break;
                }
                if (buffer) loose.push(buffer);
                buffer = "";
                const word = text.slice(i + 1, end).trim();
                if (word) words.push(word);
                i = end;
            } else {
                if (c === ",") sawComma = true;
                buffer += c;
            }
        }
        if (buffer) {
            if (buffer.includes(",")) sawComma = true;
            loose.push(buffer);
        }
        loose.forEach((chunk) => words.push(...splitStrip(chunk, sawComma ? "," : " ")));
        return words;
    }

    // Every name quoted: one string taggit parses back to exactly these names, spaces, commas
    // and all. A double quote cannot be written inside one, so none is kept in a name.
    function cleanName(name) {
        return name.replace(/"/g, "").replace(/\s+/g, " ").trim();
    }

    function serialise(names) {
        return names.map((name) => `"${name}"`).join(", ");
    }

    function enhance(box) {
        const field = box.querySelector("input[name]");
        const list = box.querySelector(".tag-chips__list");
        if (!field || !list) return;
        const url = box.dataset.suggestUrl;
        const names = [];
        let options = [];
        let active = -1;
        let timer = null;
        let asked = 0;

        const entry = document.createElement("input");
        entry.type = "text";
        entry.className = "tag-chips__entry";
        entry.autocomplete = "off";
        entry.spellcheck = true;
        // The label ("Tags:") and the help text belong to the box one types in now.
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

        function has(name) {
            const lower = name.toLocaleLowerCase();
            return names.some((n) => n.toLocaleLowerCase() === lower);
        }

        function sync() {
            const value = serialise(names);
            if (field.value === value) return;
            field.value = value;
            // Hidden inputs fire nothing of their own; whoever watches the form for changes hears it.
            field.dispatchEvent(new Event("change", {bubbles: true}));
        }

        function draw() {
            list.replaceChildren(...names.map(function (name, index) {
                const chip = document.createElement("li");
                chip.className = "tag-chips__chip";
                const label = document.createElement("span");
                label.textContent = name;
                const remove = document.createElement("button");
                remove.type = "button";
                remove.className = "tag-chips__remove";
                remove.textContent = "×";
                remove.setAttribute("aria-label", `Remove tag “${name}”`);
                remove.addEventListener("click", function () {
                    names.splice(index, 1);
                    draw();
                    sync();
                    entry.focus();
                });
                chip.append(label, remove);
                return chip;
            }));
        }

        function add(raw) {
            const name = cleanName(raw);
            if (name && !has(name)) names.push(name);
        }

        function commit(text) {
            text.split(",").forEach(add);
            draw();
            sync();
        }

        function close() {
            suggestions.hidden = true;
            suggestions.replaceChildren();
            entry.setAttribute("aria-expanded", "false");
            entry.removeAttribute("aria-activedescendant");
            options = [];
            active = -1;
        }

        function highlight(index) {
            active = index;
            Array.from(suggestions.children).forEach(function (item, i) {
                item.setAttribute("aria-selected", i === index ? "true" : "false");
            });
            if (index >= 0) entry.setAttribute("aria-activedescendant", suggestions.children[index].id);
            else entry.removeAttribute("aria-activedescendant");
        }

        function choose(index) {
            const option = options[index];
            entry.value = "";
            close();
            if (option) commit(option.name);
            entry.focus();
        }

        function show(typed, found) {
            const lower = typed.toLocaleLowerCase();
            options = found.filter((name) => !has(name)).map((name) => ({name: name, isNew: false}));
            if (!has(typed) && !found.some((name) => name.toLocaleLowerCase() === lower)) {
                options.push({name: typed, isNew: true});
            }
            if (!options.length) {
                close();
                return;
            }
            suggestions.replaceChildren(...options.map(function (option, index) {
                const item = document.createElement("li");
                item.id = `${suggestions.id}_${index}`;
                item.setAttribute("role", "option");
                if (option.isNew) {
                    item.className = "is-new";
                    item.textContent = `New tag: “${option.name}” (created when you save)`;
                } else {
                    item.textContent = option.name;
                }
                // Chosen on mousedown, before the box loses the focus (and commits what is typed).
                item.addEventListener("mousedown", function (event) {
                    event.preventDefault();
                    choose(index);
                });
                return item;
            }));
            suggestions.hidden = false;
            entry.setAttribute("aria-expanded", "true");
            highlight(options[0].isNew ? -1 : 0);
        }

        function suggest() {
            const typed = cleanName(entry.value);
            window.clearTimeout(timer);
            if (!typed) {
                close();
                return;
            }
            timer = window.setTimeout(function () {
                const ask = ++asked;
                if (!url) {
                    show(typed, []);
                    return;
                }
                fetch(`${url}?q=${encodeURIComponent(typed)}`, {
                    credentials: "same-origin",
                    headers: {Accept: "application/json"},
                })
                    .then((response) => (response.ok ? response.json() : {tags: []}))
                    .catch(() => ({tags: []}))
                    .then(function (data) {
                        // Only the answer to what is typed now.
                        if (ask === asked && cleanName(entry.value) === typed) show(typed, data.tags || []);
                    });
            }, DELAY_MS);
        }

        entry.addEventListener("input", function () {
            // A comma ends a tag (so a pasted list becomes chips); what follows the last one is
            // still being typed.
            if (entry.value.includes(",")) {
                const parts = entry.value.split(",");
                entry.value = parts.pop().replace(/^\s+/, "");
                commit(parts.join(","));
            }
            suggest();
        });

        entry.addEventListener("keydown", function (event) {
            const open = !suggestions.hidden && options.length;
            if (event.key === "ArrowDown" && open) {
                event.preventDefault();
                highlight((active + 1) % options.length);
            } else if (event.key === "ArrowUp" && open) {
                event.preventDefault();
                highlight(active <= 0 ? options.length - 1 : active - 1);
            } else if (event.key === "Enter") {
                // Enter adds the tag; it never submits the form from this box.
                event.preventDefault();
                if (open && active >= 0) {
                    choose(active);
                } else if (entry.value.trim()) {
                    commit(entry.value);
                    entry.value = "";
                    close();
                }
            } else if (event.key === "Escape" && open) {
                event.preventDefault();
                close();
            } else if (event.key === "Backspace" && !entry.value && names.length) {
                names.pop();
                draw();
                sync();
            }
        });

        entry.addEventListener("blur", function () {
            close();
            if (entry.value.trim()) {
                commit(entry.value);
                entry.value = "";
            }
        });

        box.addEventListener("click", function (event) {
            if (event.target === box || event.target === list) entry.focus();
        });

        // Whatever is still typed is a tag too when the form is saved.
        if (field.form) {
            field.form.addEventListener("submit", function () {
                if (entry.value.trim()) {
                    commit(entry.value);
                    entry.value = "";
                }
            }, true);
        }

        // The value stays as the server wrote it until a tag is added or removed.
        parseTags(field.value).forEach(add);
        draw();
    }

    document.addEventListener("DOMContentLoaded", function () {
        document.querySelectorAll("[data-tag-chips]").forEach(enhance);
    });
})();
