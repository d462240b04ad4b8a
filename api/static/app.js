// The page's entry point: views, server health, connection banner.

import { getJSON } from "./api.js";
import { installChat } from "./chat.js";
import { installLibrary, refreshLibrary } from "./library.js";
import { installSourcePanel } from "./sources.js";

const $ = (id) => document.getElementById(id);
const HEALTH_RETRY_MS = 5000;

function showView(name) {
  for (const view of ["chat", "library"]) {
    const active = view === name;
    $(`${view}-view`).hidden = !active;
    const tab = $(`tab-${view}`);
    if (active) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  if (name === "library") refreshLibrary();
  else $("question").focus();
}

function banner(message) {
  $("banner").hidden = !message;
  $("banner").textContent = message || "";
}

/** Poll /health until the server answers; while it does not, say why the page cannot work yet. */
async function checkHealth() {
  try {
    const health = await getJSON("/health");
    $("health").textContent = `${health.model} · ${health.index_articles} articles`;
    $("health").className = "health ok";
    banner(navigator.onLine === false ? "You are offline." : "");
  } catch (error) {
    $("health").textContent = error.status === 503 ? "Model loading…" : "Server unreachable";
    $("health").className = "health down";
    banner(`${error.message} Retrying…`);
    setTimeout(checkHealth, HEALTH_RETRY_MS);
  }
}

function install() {
  $("tab-chat").addEventListener("click", () => showView("chat"));
  $("tab-library").addEventListener("click", () => showView("library"));
  installSourcePanel();
  installChat();
  // The date control shows today by default (the browser's day); the server reads "this week" from it.
  const today = new Date();
  $("as-of").value = new Date(today.getTime() - today.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  installLibrary();
  window.addEventListener("offline", () => banner("Network connection lost: answers cannot be fetched until it "
    + "returns."));
  window.addEventListener("online", () => { banner(""); checkHealth(); });
  checkHealth();
  $("question").focus();
}

install();
