// Embedded posts and videos (templates/articles/story/embed.html): each waits behind a placeholder
// naming the service, and its frame is made only when the reader presses "Load", so nothing is
// fetched from the service before. Without this script the placeholder's link still leads there.
for (const figure of document.querySelectorAll(".story-embed[data-frame]")) {
  const button = figure.querySelector(".embed-load");
  const placeholder = figure.querySelector(".embed-placeholder");
  button.hidden = false;
  button.addEventListener("click", () => {
    const frame = document.createElement("iframe");
    frame.src = figure.dataset.frame;
    frame.title = figure.dataset.title;
    frame.className = "embed-frame";
    frame.allow = "encrypted-media; fullscreen; picture-in-picture";
    frame.allowFullscreen = true;
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-popups allow-presentation");
    placeholder.replaceWith(frame);
    frame.focus();
  });
}
