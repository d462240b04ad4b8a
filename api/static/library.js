// The library: indexed articles, uploads with progress and per-file errors, delete.

import { getJSON, uploadFile } from "./api.js";
import { el } from "./dom.js";
import { forgetArticles } from "./sources.js";

const $ = (id) => document.getElementById(id);

export async function refreshLibrary() {
  const body = $("documents").querySelector("tbody");
  const caption = $("documents-caption");
  try {
    const documents = await getJSON("/documents");
    caption.textContent = `Indexed articles (${documents.length})`;
    body.replaceChildren(...documents.map(row));
    if (!documents.length) body.append(el("tr", {}, el("td", { colspan: 5, class: "muted" }, "No articles yet.")));
  } catch (error) {
    caption.textContent = "Indexed articles";
    body.replaceChildren(el("tr", {}, el("td", { colspan: 5, class: "error-text" }, error.message)));
  }
}

function row(doc) {
  const remove = el("button", { type: "button", class: "small danger", "aria-label": `Delete ${doc.title}`,
    onclick: () => removeDocument(doc, remove) }, "Delete");
  return el("tr", { "data-id": doc.article_id },
    el("th", { scope: "row" }, doc.url ? el("a", { href: doc.url, target: "_blank", rel: "noopener" }, doc.title)
      : doc.title),
    el("td", {}, doc.published || "—"), el("td", {}, doc.source || "—"),
    el("td", { class: "num" }, String(doc.chunks)), el("td", {}, remove));
}

async function removeDocument(doc, button) {
  if (!window.confirm(`Delete “${doc.title}” and all its passages from the index?`)) return;
  button.disabled = true;
  try {
    await getJSON(`/documents/${encodeURIComponent(doc.article_id)}`, { method: "DELETE" });
    forgetArticles();
    await refreshLibrary();
  } catch (error) {
    button.disabled = false;
    window.alert(error.message);
  }
}

/** Upload files one after another (indexing is CPU-bound: parallel uploads would only queue). */
export async function uploadAll(files) {
  const list = $("uploads");
  const items = [...files].map((file) => {
    const progress = el("progress", { max: 1, value: 0, "aria-label": `Uploading ${file.name}` });
    const note = el("span", { class: "upload-note" }, "waiting");
    const item = el("li", { class: "upload" }, el("span", { class: "upload-name" }, file.name), progress, note);
    list.prepend(item);
    return { file, item, progress, note };
  });
  for (const { file, item, progress, note } of items) {
    note.textContent = "uploading…";
    try {
      const result = await uploadFile(file, (fraction) => {
        progress.value = fraction;
        if (fraction >= 1) note.textContent = "indexing…";
      });
      progress.value = 1;
      note.textContent = result.documents.map((d) => `${d.article_id}: ${d.status}, ${d.chunks} chunk${d.chunks === 1 ? "" : "s"}`)
        .join("; ");
      item.classList.add("done");
    } catch (error) {
      progress.remove();
      note.textContent = error.message;
      item.classList.add("failed");
    }
  }
  forgetArticles();
  await refreshLibrary();
}

export function installLibrary() {
  const input = $("upload");
  input.addEventListener("change", () => {
    if (input.files.length) uploadAll(input.files).finally(() => { input.value = ""; });
  });
  const zone = $("dropzone");
  zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    if (event.dataTransfer.files.length) uploadAll(event.dataTransfer.files);
  });
}
