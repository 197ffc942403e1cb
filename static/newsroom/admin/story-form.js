/* The story form's helpers (ArticleAdmin.Media): the headline's length against its guide, the
   sentence saying what saving will do, and names for the boxes that scripts draw (the body editor,
   the autocomplete boxes), which no label of the page reaches. None blocks or changes anything
   the form sends: the server decides. */
"use strict";
(function () {
    const MONTHS = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December",
    ];

    function headlineCounter(field) {
        const guide = parseInt(field.dataset.charGuide, 10);
        if (!guide) return;
        const count = document.createElement("span");
        count.className = "story-char-count";
        count.id = field.id + "_count";
        count.setAttribute("aria-live", "polite");
        field.insertAdjacentElement("afterend", count);
        const described = field.getAttribute("aria-describedby");
        field.setAttribute("aria-describedby", (described ? described + " " : "") + count.id);
        const update = function () {
            const length = Array.from(field.value).length; // characters, not UTF-16 units
            const over = length > guide;
            count.textContent = over
                ? `${length} / ${guide}: longer than the guide`
                : `${length} / ${guide}`;
            count.classList.toggle("is-over", over);
        };
        // One line of text: Enter would put a line break in the headline (the server folds one
        // into a space anyway).
        field.addEventListener("keydown", function (event) {
            if (event.key === "Enter") event.preventDefault();
        });
        field.addEventListener("input", update);
        update();
    }

    function pad(number) {
        return String(number).padStart(2, "0");
    }

    // "YYYY-MM-DD HH:MM:SS" of the moment now, on the server's clock face (its time zone): the
    // date and time boxes are in that zone, so comparing the two strings compares the times.
    function nowInZone(timeZone) {
        try {
            const parts = {};
            new Intl.DateTimeFormat("en-GB", {
                timeZone: timeZone, hourCycle: "h23", year: "numeric", month: "2-digit",
                day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
            }).formatToParts(new Date()).forEach(function (part) { parts[part.type] = part.value; });
            return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
        } catch (error) {
            const d = new Date();
            return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
                `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
        }
    }

    // The admin's date box takes "YYYY-MM-DD" (and what its calendar writes); the time box
    // "HH:MM" or "HH:MM:SS". Anything else: null, and the sentence does not guess.
    function enteredTime(dateField, timeField) {
        const date = (dateField.value || "").trim().match(/^(\d{4})-(\d{1,2})-(\d{1,2})$/);
        if (!date) return null;
        const time = (timeField && timeField.value || "").trim().match(/^(\d{1,2}):(\d{2})(?::(\d{2}))?/);
        const [hours, minutes, seconds] = time ? [time[1], time[2], time[3] || "00"] : ["00", "00", "00"];
        return `${date[1]}-${pad(date[2])}-${pad(date[3])} ${pad(hours)}:${minutes}:${pad(seconds)}`;
    }

    function describe(stamp, timeZone) {
        const [date, time] = stamp.split(" ");
        const [year, month, day] = date.split("-").map(Number);
        return `${day} ${MONTHS[month - 1]} ${year}, ${time.slice(0, 5)} ${timeZone}`;
    }

    // The sentence from the server's table (articles.forms.save_effects, the one copy of the
    // rules): a status's own sentence, or for publishing "now" or "later" (a future time).
    function sentence(effects, status, publishedAt, now, timeZone) {
        const effect = effects[status];
        if (effect && typeof effect === "object") {
            if (publishedAt && publishedAt > now) {
                return effect.later.replace("{when}", describe(publishedAt, timeZone));
            }
            return effect.now;
        }
        return effect || "";
    }

    function saveEffect(effect) {
        const statusField = document.getElementById("id_status");
        const dateField = document.getElementById("id_published_at_0");
        const timeField = document.getElementById("id_published_at_1");
        if (!statusField) return; // status not editable here: the server's sentence stands
        const effects = JSON.parse(effect.dataset.effects || "{}");
        const update = function () {
            // A reporter sees the time but may not set it: the story's own, from the page.
            const publishedAt = dateField
                ? enteredTime(dateField, timeField)
                : effect.dataset.publishedAt || null;
            if (dateField && dateField.value.trim() && !publishedAt) return; // half-typed
            const timeZone = effect.dataset.timeZone || "UTC";
            effect.textContent = sentence(
                effects, statusField.value, publishedAt, nowInZone(timeZone), timeZone,
            );
        };
        [statusField, dateField, timeField].forEach(function (field) {
            if (!field) return;
            field.addEventListener("input", update);
            field.addEventListener("change", update);
        });
        // The admin's calendar and clock shortcuts ("Today", "Now") set the value without an
        // input event; the sentence catches up when the focus moves or a shortcut is clicked.
        document.addEventListener("click", function (event) {
            if (event.target.closest && event.target.closest(".datetimeshortcuts, .calendarbox, .clockbox")) {
                window.setTimeout(update, 0);
            }
        });
    }

    // --- Names for what scripts draw ------------------------------------------------------------
    // The body editor (tiptap) and select2's boxes stand in for a <textarea> or <select> that is
    // hidden, and the field's <label> names only that hidden element. Each box drawn is named
    // after its field's label (or the field's own aria-label, for the bylines' table, which has
    // none), as the page opens and whenever a script draws one again (a new byline row).

    // The id of the <label> for `control`, given one if it has none; null if it has no label.
    function labelIdFor(control) {
        if (!control || !control.id) return null;
        const label = document.querySelector(`label[for="${CSS.escape(control.id)}"]`);
        if (!label) return null;
        if (!label.id) label.id = `${control.id}_label`;
        return label.id;
    }

    // Names `element` by the label with the id `labelId`, or else by the text `fallback`.
    function nameBy(element, labelId, fallback) {
        if (!element) return;
        if (labelId) {
            element.setAttribute("aria-labelledby", labelId);
        } else if (fallback) {
            element.removeAttribute("aria-labelledby");
            element.setAttribute("aria-label", fallback);
        }
    }

    function nameBodyEditor(editor) {
        const wrapper = editor.closest(".prose-editor");
        const textarea = wrapper && wrapper.querySelector("textarea");
        if (!textarea || editor.hasAttribute("aria-labelledby")) return;
        nameBy(editor, labelIdFor(textarea), textarea.getAttribute("aria-label"));
        if (editor.getAttribute("role") === "textbox") editor.setAttribute("aria-multiline", "true");
    }

    // One select2 box, drawn just after its <select>: the combobox named as the field is, which
    // shows the choice as its value (select2 names it by the choice alone, or nothing when
    // empty); the choice's own box is plain text in it, not a second, unnamed text box; the search
    // boxes (inline in a multiple choice, in the drop-down of a single one) named as the field.
    function nameAutocomplete(select) {
        const container = select.nextElementSibling;
        if (!container || !container.classList.contains("select2-container")) return;
        const combobox = container.querySelector(".select2-selection[role=combobox]");
        if (!combobox || combobox.dataset.named) return;
        const labelId = labelIdFor(select);
        const fallback = select.getAttribute("aria-label");
        if (!labelId && !fallback) return;
        combobox.dataset.named = "true";
        nameBy(combobox, labelId, fallback);
        const rendered = combobox.querySelector(".select2-selection__rendered[role=textbox]");
        if (rendered) {
            rendered.removeAttribute("role");
            rendered.removeAttribute("aria-readonly");
        }
        nameBy(combobox.querySelector(".select2-search__field"), labelId, fallback);
        const instance = window.django.jQuery(select).data("select2");
        const dropdownSearch = instance && instance.dropdown && instance.dropdown.$search;
        if (dropdownSearch && dropdownSearch.length) nameBy(dropdownSearch[0], labelId, fallback);
    }

    // select2 puts the "remove all" × of a multiple choice inside its list of chips, where only
    // list items belong: it goes beside the list, in the box, where select2 still takes a click on
    // it (its handler is delegated from the box) and finds it for the click. select2 draws the list
    // again at every change, with a new × while something is chosen: the new one replaces the one
    // moved out before, and with nothing chosen there is none.
    function placeClearButton(box) {
        const list = box.querySelector(":scope > ul.select2-selection__rendered");
        if (!list) return;
        const drawn = list.querySelector(":scope > .select2-selection__clear");
        const moved = box.querySelectorAll(":scope > .select2-selection__clear");
        if (drawn) {
            moved.forEach(function (old) { old.remove(); });
            box.insertBefore(drawn, list);
        } else if (!list.querySelector(".select2-selection__choice")) {
            moved.forEach(function (old) { old.remove(); });
        }
    }

    function select2Loaded() {
        return Boolean(window.django && window.django.jQuery && window.django.jQuery.fn.select2);
    }

    function nameDrawnBoxes() {
        document.querySelectorAll(".prose-editor .tiptap").forEach(nameBodyEditor);
        if (!select2Loaded()) return;
        document.querySelectorAll("select.select2-hidden-accessible").forEach(nameAutocomplete);
        document.querySelectorAll(".select2-selection--multiple").forEach(placeClearButton);
    }

    const DRAWN = ".tiptap, .select2-container";

    function watchDrawnBoxes() {
        nameDrawnBoxes();
        // select2 draws its boxes once jQuery is ready (after this runs), a new byline row's when
        // the row is added, and its lists of chips at every change; the editor draws itself when
        // it loads.
        new MutationObserver(function (records) {
            const lists = new Set();
            let drawn = false;
            records.forEach(function (record) {
                if (record.target.matches && record.target.matches("ul.select2-selection__rendered")) {
                    lists.add(record.target);
                }
                drawn = drawn || Array.from(record.addedNodes).some(function (node) {
                    return node.nodeType === Node.ELEMENT_NODE &&
                        (node.matches(DRAWN) || node.querySelector(DRAWN) !== null);
                });
            });
            if (drawn) nameDrawnBoxes();
            if (!select2Loaded()) return;
            lists.forEach(function (list) {
                const box = list.parentElement;
                if (box && box.matches(".select2-selection--multiple")) placeClearButton(box);
            });
        }).observe(document.body, {childList: true, subtree: true});
    }

    document.addEventListener("DOMContentLoaded", function () {
        document.querySelectorAll("textarea[data-char-guide], input[data-char-guide]").forEach(headlineCounter);
        const effect = document.getElementById("story-save-effect");
        if (effect) saveEffect(effect);
        watchDrawnBoxes();
    });
})();
