// Story furniture in the body editor (django-prose-editor loads this module through the settings'
// DJANGO_PROSE_EDITOR_EXTENSIONS): a pull quote and a fact box, each a box around ordinary blocks,
// put on and taken off like a quotation. The sanitiser (articles/html.py) keeps exactly their
// markup: <blockquote class="pull-quote"> and <aside class="fact-box">.
import { Node, updateAttrsDialog } from "django-prose-editor/editor";

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

// --- Pictures, galleries and embeds: figures that stand for something kept elsewhere -----------
// Stored as <figure class="picture" data-image="12" data-size="column|full"><figcaption>…,
// <figure class="gallery"> around two or more pictures, and <figure class="embed"
// data-provider="youtube" data-id="…"><figcaption>…; articles/body.py makes them into what readers
// see. The editor shows each as a box: the picture (or the service's name) above, and the caption,
// written in place, below.

// The admin's address: this module runs on a story's page, /…/articles/article/….
function adminRoot() {
  const path = window.location.pathname;
  const at = path.indexOf("/articles/article/");
  return at >= 0 ? path.slice(0, at + 1) : "/admin/";
}

async function getJSON(url) {
  const response = await fetch(url, {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  });
  return { ok: response.ok, data: await response.json().catch(() => ({})) };
}

const summaries = new Map();
function pictureSummary(id) {
  if (!summaries.has(id)) {
    summaries.set(
      id,
      getJSON(`${adminRoot()}photos/image/${encodeURIComponent(id)}/summary/`).then(
        ({ ok, data }) => (ok ? data : null),
      ),
    );
  }
  return summaries.get(id);
}

// The library in the admin's own lookup window: choosing a picture there (or uploading one through
// its "Add image", with the library's checks) puts its number in ``input``.
function openLibrary(input) {
  const href = new URL(`${adminRoot()}photos/image/?_to_field=id`, window.location.href).href;
  window.showRelatedObjectLookupPopup({ id: `lookup_${input.id}`, href });
}

const WIDTHS = { "Column width": "column", "Full width": "full" };

function el(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

// A figure's box in the editor: ``head`` (not editable) above the caption, which is.
function figureView({ node, editor, getPos, className, placeholder, fill }) {
  const head = el("div", { className: "editor-figure-head", contentEditable: "false" });
  const caption = el("figcaption", { className: "editor-figure-caption" });
  caption.dataset.placeholder = placeholder;
  const dom = el("figure", { className: `editor-figure ${className}` }, [head, caption]);
  let current = node;
  const setAttrs = (attrs) => {
    const pos = getPos();
    if (typeof pos !== "number") return;
    editor.view.dispatch(
      editor.view.state.tr.setNodeMarkup(pos, undefined, { ...current.attrs, ...attrs }),
    );
  };
  const show = () => {
    caption.classList.toggle("is-empty", current.content.size === 0);
    fill({ head, node: current, setAttrs });
  };
  show();
  return {
    dom,
    contentDOM: caption,
    update(updated) {
      if (updated.type !== current.type) return false;
      const same = JSON.stringify(updated.attrs) === JSON.stringify(current.attrs);
      current = updated;
      if (same) caption.classList.toggle("is-empty", current.content.size === 0);
      else show();
      return true;
    },
    stopEvent: (event) => head.contains(event.target),
    // The head is ours, and so are the caption's own attributes (its placeholder and class):
    // only the caption's text is the editor's.
    ignoreMutation: (mutation) =>
      head.contains(mutation.target) ||
      (mutation.type === "attributes" && mutation.target === caption),
  };
}

function fillPicture({ head, node, setAttrs }) {
  const id = node.attrs.image;
  const img = el("img", { alt: "", width: 320 });
  const about = el("p", { className: "editor-figure-about", textContent: `Picture ${id}` });
  const size = el("select", { title: "Width in the story" }, [
    el("option", { value: "column", textContent: "Column width" }),
    el("option", { value: "full", textContent: "Full width" }),
  ]);
  size.value = node.attrs.size;
  size.addEventListener("change", () => setAttrs({ size: size.value }));
  head.replaceChildren(img, el("div", { className: "editor-figure-tools" }, [about, size]));
  pictureSummary(id).then((summary) => {
    if (!summary) {
      about.textContent = `Picture ${id} is not in the library: remove it or choose another.`;
      about.classList.add("is-missing");
      img.remove();
      return;
    }
    img.src = summary.thumbnail;
    img.alt = summary.alt;
    about.textContent = summary.credit ? `Photo: ${summary.credit}` : "No credit in the library";
    // An empty caption shows the library's, in grey where the editor's would be.
    const caption = head.parentElement.querySelector(".editor-figure-caption");
    if (caption && summary.caption) caption.dataset.placeholder = `Library caption: ${summary.caption}`;
  });
}

// The services articles/embeds.py takes, as the editor names them.
const SERVICES = {
  youtube: "YouTube video",
  vimeo: "Vimeo video",
  x: "X post",
  bluesky: "Bluesky post",
  instagram: "Instagram post",
};

function fillEmbed({ head, node }) {
  const name = SERVICES[node.attrs.provider] || "A post we cannot show";
  head.replaceChildren(
    el("p", { className: "editor-figure-embed", textContent: name }),
    el("p", { className: "editor-figure-about", textContent: node.attrs.postId || "" }),
  );
}

function captionContent(text) {
  return text ? [{ type: "text", text }] : [];
}

// Where the cursor's figure ends: the picture or embed around it, or (``outermost``) the gallery
// holding that picture. null when the cursor is in no figure.
function figureEnd(state, { outermost }) {
  const { $head } = state.selection;
  for (let depth = $head.depth; depth > 0; depth--) {
    if (!["picture", "embed"].includes($head.node(depth).type.name)) continue;
    const inGallery = depth > 1 && $head.node(depth - 1).type.name === "gallery";
    return $head.after(outermost && inGallery ? depth - 1 : depth);
  }
  return null;
}

// A new figure goes after the one the cursor is in (a picture into the same gallery), never
// splitting its caption; elsewhere, where the cursor is.
function insertFigure(editor, content, { outermost }) {
  const at = figureEnd(editor.state, { outermost });
  const chain = editor.chain().focus();
  return (at === null ? chain.insertContent(content) : chain.insertContentAt(at, content)).run();
}

// Enter in a caption starts a paragraph after the figure (after its gallery), rather than
// splitting the caption into a second, empty figure.
function leaveFigure(editor) {
  const at = figureEnd(editor.state, { outermost: true });
  if (at === null) return false;
  return editor
    .chain()
    .insertContentAt(at, { type: "paragraph" })
    .setTextSelection(at + 1)
    .scrollIntoView()
    .run();
}

// A figure with a caption written in place: a picture or an embed. ``insert(editor)`` asks for
// what it shows (a dialog) and inserts it.
function captionedFigure({ name, className, attributes, placeholder, fill, icon, label, insert }) {
  return Node.create({
    name,
    group: "block",
    content: "inline*",
    draggable: true,
    isolating: true,
    defining: true,
    addAttributes: () => attributes,
    parseHTML() {
      return [{ tag: `figure.${className}`, contentElement: "figcaption", priority: 60 }];
    },
    renderHTML({ HTMLAttributes }) {
      return ["figure", { class: className, ...HTMLAttributes }, ["figcaption", 0]];
    },
    addNodeView() {
      return ({ node, editor, getPos }) =>
        figureView({ node, editor, getPos, className: `editor-${name}`, placeholder, fill });
    },
    addKeyboardShortcuts() {
      return { Enter: ({ editor }) => leaveFigure(editor) };
    },
    addMenuItems({ buttons, menu }) {
      menu.defineItem({ name, groups: "nodes", command: insert, button: buttons.material(icon, label) });
    },
  });
}

function insertPicture(editor) {
  const ask = (title) =>
    updateAttrsDialog(
      {
        image: {
          type: "string",
          title: "Picture number in the library",
          description: "Choose one, or upload a new one, in the library's window.",
          required: true,
          picker: { label: "Choose or upload…", handler: ({ input }) => openLibrary(input) },
        },
        caption: {
          type: "string",
          title: "Caption",
          description: "Leave empty to show the library's caption. The credit comes from the library.",
          format: "textarea",
        },
        size: { type: "string", title: "Width", enum: Object.keys(WIDTHS) },
      },
      { title, submitText: "Insert" },
    )(editor, {}).then(async (attrs) => {
      if (!attrs) return;
      const id = String(attrs.image || "").trim();
      if (!(/^[1-9][0-9]*$/.test(id) && (await pictureSummary(id)))) {
        summaries.delete(id);
        ask(`No picture ${id || ""} in the library: choose one`);
        return;
      }
      const content = {
        type: "picture",
        attrs: { image: id, size: WIDTHS[attrs.size] || "column" },
        content: captionContent(attrs.caption.trim()),
      };
      insertFigure(editor, content, { outermost: false });
    });
  ask("Insert a picture from the library");
}

function insertEmbed(editor) {
  const ask = (title, values = {}) =>
    updateAttrsDialog(
      {
        address: {
          type: "string",
          title: "Address of the post or video",
          description: "YouTube, Vimeo, X, Bluesky or Instagram, as your browser shows it.",
          required: true,
        },
        caption: { type: "string", title: "Caption (optional)", format: "textarea" },
      },
      { title, submitText: "Embed" },
    )(editor, values).then(async (attrs) => {
      if (!attrs) return;
      const url = `${adminRoot()}articles/article/embed/?address=${encodeURIComponent(attrs.address)}`;
      const { ok, data } = await getJSON(url);
      if (!ok || data.error) {
        ask(data.error || "That address could not be checked; try again.", attrs);
        return;
      }
      const content = {
        type: "embed",
        attrs: { provider: data.provider, postId: data.id },
        content: captionContent(attrs.caption.trim()),
      };
      insertFigure(editor, content, { outermost: true });
    });
  ask("Embed a post or video");
}

export const Picture = captionedFigure({
  name: "picture",
  className: "picture",
  attributes: {
    image: {
      default: null,
      parseHTML: (element) => element.getAttribute("data-image"),
      renderHTML: (attrs) => (attrs.image ? { "data-image": attrs.image } : {}),
    },
    size: {
      default: "column",
      parseHTML: (element) => (element.getAttribute("data-size") === "full" ? "full" : "column"),
      renderHTML: (attrs) => ({ "data-size": attrs.size }),
    },
  },
  placeholder: "Caption (empty: the library's caption)",
  fill: fillPicture,
  icon: "add_photo_alternate",
  label: "Picture from the library",
  insert: insertPicture,
});

export const Embed = captionedFigure({
  name: "embed",
  className: "embed",
  attributes: {
    provider: {
      default: null,
      parseHTML: (element) => element.getAttribute("data-provider"),
      renderHTML: (attrs) => ({ "data-provider": attrs.provider }),
    },
    postId: {
      default: null,
      parseHTML: (element) => element.getAttribute("data-id"),
      renderHTML: (attrs) => ({ "data-id": attrs.postId }),
    },
  },
  placeholder: "Caption (optional)",
  fill: fillEmbed,
  icon: "smart_display",
  label: "Embed a post or video",
  insert: insertEmbed,
});

export const Gallery = Node.create({
  name: "gallery",
  group: "block",
  content: "picture+",
  defining: true,
  parseHTML() {
    return [{ tag: "figure.gallery", priority: 60 }];
  },
  renderHTML() {
    return ["figure", { class: "gallery" }, 0];
  },
  addMenuItems({ buttons, menu }) {
    menu.defineItem({
      name: "gallery",
      groups: "nodes",
      command(editor) {
        if (editor.isActive("gallery")) {
          editor.chain().focus().lift("gallery").run();
        } else if (!editor.chain().focus().wrapIn("gallery").run()) {
          window.alert(
            "To make a gallery, insert two or more pictures one after the other, select from " +
              "the first caption to the last, then press Gallery.",
          );
        }
      },
      button: buttons.material("photo_library", "Gallery: the selected pictures side by side"),
      active: (editor) => editor.isActive("gallery"),
    });
  },
});
