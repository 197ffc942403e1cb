// Story furniture in the body editor (django-prose-editor loads this module through the settings'
// DJANGO_PROSE_EDITOR_EXTENSIONS): a pull quote and a fact box, each a box around ordinary blocks,
// put on and taken off like a quotation. The sanitiser (articles/html.py) keeps exactly their
// markup: <blockquote class="pull-quote"> and <aside class="fact-box">.
import { Node } from "django-prose-editor/editor";

function box({ name, tag, className, icon, label }) {
  return Node.create({
    name,
    group: "block",
    content: "block+",
    defining: true,
    // Before the plain quotation's rule, so a pull quote is not read back as one.
    priority: 200,
    parseHTML() {
      return [{ tag: `${tag}.${className}`, priority: 60 }];
    },
    renderHTML() {
      return [tag, { class: className }, 0];
    },
    addMenuItems({ buttons, menu }) {
      menu.defineItem({
        name,
        groups: "nodes",
        command(editor) {
          editor.chain().focus().toggleWrap(name).run();
        },
        button: buttons.material(icon, label),
        active: (editor) => editor.isActive(name),
      });
    },
  });
}

// The words in a paragraph, then who said them in the last one ("— Xu Li", linked to the person's
// page when the newsroom has one).
export const PullQuote = box({
  name: "pullQuote",
  tag: "blockquote",
  className: "pull-quote",
  icon: "format_quote",
  label: "Pull quote",
});

// A titled aside of short items: a heading, then a list or short paragraphs.
export const FactBox = box({
  name: "factBox",
  tag: "aside",
  className: "fact-box",
  icon: "info",
  label: "Fact box",
});
