/* Names for the boxes that scripts draw (the body editor, the admin's autocomplete boxes), which
   no label of the page reaches: the story form (ArticleAdmin.Media) and the fronts' arrange screen. */
"use strict";
(function () {
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

    document.addEventListener("DOMContentLoaded", watchDrawnBoxes);
})();
