// The conversation: asking, showing each sentence once it is verified (the draft only when asked for), history in localStorage.

import { askStream } from "./api.js";
import { el } from "./dom.js";
import { answerView, rewriteNote } from "./render.js";

const STORE = "news-rag.conversation.v1";
const HISTORY_TURNS = 20; // sent with a follow-up; the rewrite only needs the recent ones
const BUSY_AFTER_MS = 20000;

let turns = load(); // [{role: "user", content}, {role: "assistant", content, answer}]
let running = null; // the AbortController of the question being answered

function load() {
  try {
    return JSON.parse(localStorage.getItem(STORE)) || [];
  } catch {
    return [];
  }
}

function save() {
  try {
    localStorage.setItem(STORE, JSON.stringify(turns));
  } catch { /* storage full or disabled: the conversation still works, it just is not kept */ }
}

const $ = (id) => document.getElementById(id);

function announce(text) {
  $("chat-status").textContent = text;
}

function userView(text) {
  return el("article", { class: "turn user", "aria-label": "You asked" }, el("p", {}, text));
}

function answerArticle() {
  return el("article", { class: "turn assistant", "aria-label": "Answer" });
}

function show(node) {
  $("welcome").hidden = true;
  $("messages").append(node);
  node.scrollIntoView({ block: "end" });
}

export function restore() {
  for (const turn of turns) {
    if (turn.role === "user") {
      show(userView(turn.content));
    } else {
      const view = answerArticle();
      view.append(div(answerView(turn.answer)));
      show(view);
    }
  }
}

function div(children) {
  const wrapper = el("div", { class: "answer" });
  wrapper.append(...children.filter(Boolean));
  return wrapper;
}

export function clearConversation() {
  if (running) running.abort();
  turns = [];
  save();
  $("messages").replaceChildren($("welcome"));
  $("welcome").hidden = false;
  announce("Conversation cleared.");
  $("question").focus();
}

function setBusy(busy) {
  $("send").disabled = busy;
  $("stop").hidden = !busy;
  $("question").setAttribute("aria-busy", String(busy));
}

export async function ask(question) {
  const history = turns.slice(-HISTORY_TURNS).map(({ role, content }) => ({ role, content }));
  show(userView(question));
  const view = answerArticle();
  view.setAttribute("aria-busy", "true");
  const state = el("p", { class: "progress" }, "Searching the articles…");
  const verified = el("div", { class: "answer-text verified" });
  const draft = el("div", { class: "answer-text draft", "aria-label": "Unchecked draft" });
  view.append(state, verified, draft);
  show(view);
  announce("Searching the articles…");
  running = new AbortController();
  setBusy(true);
  const busy = setTimeout(() => {
    state.textContent = "Still working — the server may be busy with another question…";
  }, BUSY_AFTER_MS);
  try {
    const asOf = $("as-of").value || undefined;  // empty: the server's today
    const showDraft = $("show-draft").checked;
    await askStream({ question, history, as_of: asOf, draft: showDraft },
      handlers(view, state, { verified, draft }, busy, question), running.signal);
  } catch (error) {
    clearTimeout(busy);
    failed(view, error.name === "AbortError" ? "Stopped." : error.message, question);
  } finally {
    running = null;
    setBusy(false);
    view.removeAttribute("aria-busy");
  }
}

// What the page says while an answer is made. Only sentences that passed verification are shown as the
// answer; the model's draft appears only when the reader asked for it, marked as unchecked.
function progressText(data) {
  if (data.stage === "drafting") return `Writing a draft (${data.words} words); each sentence appears here once it is checked against the sources…`;
  return `Checking the draft against the sources: ${data.done} of ${data.total} sentences…`;
}

function handlers(view, state, parts, busy, question) {
  return {
    rewrite: (data) => view.insertBefore(rewriteNote(data.rewritten_question), state),
    progress: (data) => {
      clearTimeout(busy);
      state.textContent = progressText(data);
    },
    sentence: (data) => {
      parts.verified.textContent += (parts.verified.textContent ? " " : "") + data.text;
    },
    token: (data) => {
      clearTimeout(busy);
      if (!parts.draft.textContent) parts.draft.before(el("p", { class: "badge" }, "Unchecked draft:"));
      parts.draft.textContent += data.text;
    },
    answer: (answer) => {
      clearTimeout(busy);
      view.replaceChildren(div(answerView(answer)));
      turns.push({ role: "user", content: question }, { role: "assistant", content: answer.answer, answer });
      save();
      announce(answer.abstained ? "The articles do not say." : "Answer ready.");
      view.scrollIntoView({ block: "nearest" });
    },
    error: (data) => { throw new Error(data.detail); },
  };
}

function failed(view, message, question) {
  const retry = el("button", { type: "button", class: "small", onclick: () => { view.remove(); ask(question); } },
    "Try again");
  view.replaceChildren(el("p", { class: "badge error", role: "alert" }, message), retry);
  announce(message);
}

export function installChat() {
  const form = $("ask-form");
  const input = $("question");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question || running) return;
    input.value = "";
    ask(question);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  $("stop").addEventListener("click", () => running && running.abort());
  $("clear").addEventListener("click", clearConversation);
  restore();
}
