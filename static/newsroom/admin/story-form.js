/* The story form's helpers (ArticleAdmin.Media): the headline's length against its guide and the
   sentence saying what saving will do (drawn-names.js names the boxes scripts draw). None blocks
   or changes anything the form sends: the server decides. */
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

    document.addEventListener("DOMContentLoaded", function () {
        document.querySelectorAll("textarea[data-char-guide], input[data-char-guide]").forEach(headlineCounter);
        const effect = document.getElementById("story-save-effect");
        if (effect) saveEffect(effect);
    });
})();
