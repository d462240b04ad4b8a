// One answer on the page: text with [n] chips, its verification state, timings, copy.

import { byline, el } from "./dom.js";
import { openSource } from "./sources.js";

const MARKER = /\[(\d+)\]/g;

/** The answer text as text nodes, each [n] a button opening source n. */
export function answerBody(text, citations) {
  const byN = new Map(citations.map((c) => [c.n, c]));
  const body = el("div", { class: "answer-text" });
  let last = 0;
  for (const match of text.matchAll(MARKER)) {
    body.append(text.slice(last, match.index));
    const citation = byN.get(Number(match[1]));
    body.append(citation ? chip(citation) : match[0]);
    last = match.index + match[0].length;
  }
  body.append(text.slice(last));
  return body;
}

function chip(citation) {
  const label = `Source ${citation.n}: ${citation.title}`;
  return el("button", {
    type: "button", class: "cite", "data-n": citation.n, title: label, "aria-label": label,
    onclick: (event) => openSource(citation, `Source [${citation.n}]`, event.currentTarget),
  }, String(citation.n));
}

/** The whole finished answer: rewrite note, text, verification state, passages when abstaining, tools. */
export function answerView(answer) {
  const removed = answer.sentences.filter((s) => s.verdict === "removed");
  return [
    rewriteNote(answer.rewritten_question),
    answerBody(answer.answer, answer.citations),
    status(answer, removed.length),
    disagreements(answer.conflicts || []),
    dating(answer),
    answer.citations.length ? references(answer.citations) : null,
    answer.abstained ? closestPassages(answer.passages) : null,
    answer.sentences.length ? checks(answer.sentences) : null,
    tools(answer),
  ];
}

export function rewriteNote(rewritten) {
  if (!rewritten) return null;
  return el("p", { class: "rewrite" }, "Searched for: ", el("q", {}, rewritten));
}

function status(answer, removed) {
  if (answer.abstained) {
    return el("p", { class: "badge warn" }, "Not found in the articles — no statement could be verified.");
  }
  const note = removed ? ` · ${removed} unsupported sentence${removed > 1 ? "s" : ""} removed` : "";
  return el("p", { class: "badge ok" }, `Verified against the cited passages${note}`);
}

/** Where the sources disagree on the answer: each side and the passage that gives it. */
function disagreements(conflicts) {
  if (!conflicts.length) return null;
  return el("div", { class: "badge warn conflicts", role: "note" }, "Sources disagree: ",
    ...conflicts.map((c, i) => el("span", {}, i ? "; " : "",
      ...c.sides.flatMap((side, j) => [j ? " vs " : "", el("q", {}, side.value), ` [${side.cited}]`]))));
}

/** When the answer is from: the day asked, the question's window, the newest cited article, undated evidence. */
function dating(answer) {
  const parts = [];
  if (answer.as_of) parts.push(`Asked as of ${answer.as_of}`);
  if (answer.time_window) parts.push(`articles of ${answer.time_window[0]} to ${answer.time_window[1]}`);
  if (answer.evidence_date) parts.push(`newest cited article ${answer.evidence_date}`);
  if (answer.undated_evidence) parts.push("some cited articles are undated");
  const untrusted = (answer.passages || []).filter((p) => p.untrusted).length;
  if (untrusted) parts.push(`${untrusted} passage${untrusted > 1 ? "s" : ""} held text addressed to AI systems (withheld)`);
  return parts.length ? el("p", { class: "muted dating" }, parts.join(" · ")) : null;
}

function references(citations) {
  return el("ol", { class: "references", "aria-label": "References" }, citations.map((c) => el("li", { value: c.n },
    el("button", { type: "button", class: "link", onclick: (e) => openSource(c, `Source [${c.n}]`, e.currentTarget) },
      c.title), " ", el("span", { class: "muted" }, byline(c.source, c.published, c.page ? `p. ${c.page}` : "")))));
}

function closestPassages(passages) {
  if (!passages.length) return el("p", { class: "muted" }, "Nothing in the index came close.");
  return el("details", { class: "closest", open: true }, el("summary", {}, "Closest passages"),
    el("ul", {}, passages.map((p) => el("li", {},
      el("button", { type: "button", class: "link", onclick: (e) => openSource(p, "Closest passage", e.currentTarget) },
        p.title),
      " ", el("span", { class: "muted" }, byline(p.source, p.published, `relevance ${p.score.toFixed(2)}`)),
      p.untrusted ? el("span", { class: "badge warn" }, "held instructions to AI (withheld)") : null,
      el("p", { class: "snippet" }, p.text.length > 240 ? `${p.text.slice(0, 240)}…` : p.text)))));
}

function checks(sentences) {
  const verdicts = { supported: "supported", repaired: "re-cited", quoted: "replaced by a quote",
    removed: "removed" };
  return el("details", { class: "checks" }, el("summary", {}, "How each sentence was checked"),
    el("ul", {}, sentences.map((s) => el("li", { class: `verdict-${s.verdict}` },
      el("span", { class: "verdict" }, verdicts[s.verdict] || s.verdict), " ", s.claim,
      el("span", { class: "muted" }, ` (support ${s.support.toFixed(2)}${s.reason ? `; ${s.reason}` : ""})`)))));
}

function tools(answer) {
  const copy = el("button", { type: "button", class: "small", onclick: () => copyAnswer(answer, copy) }, "Copy");
  return el("div", { class: "tools" }, copy, timings(answer));
}

function timings(answer) {
  const names = { retrieve: "retrieval", first_token: "first token", generate: "writing", verify: "verification",
    total: "total" };
  const rows = Object.entries(answer.timings).map(([k, v]) => [names[k] || k, `${v.toFixed(2)} s`]);
  rows.push(["tokens", `${answer.usage.prompt_tokens} in, ${answer.usage.completion_tokens} out`],
    ["model", answer.model]);
  return el("details", { class: "timings" }, el("summary", {}, "Timings"),
    el("dl", {}, rows.map(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])));
}

/** The answer as plain text with a references list, as copied to the clipboard. */
export function answerAsText(answer) {
  if (!answer.citations.length) return answer.answer;
  const lines = answer.citations.map((c) => `[${c.n}] ${c.title} — ${byline(c.source, c.published)}`
    + (c.url ? ` ${c.url}` : ""));
  return `${answer.answer}\n\nReferences:\n${lines.join("\n")}`;
}

async function copyAnswer(answer, button) {
  const text = answerAsText(answer);
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = el("textarea", { class: "sr-only" }, text); // clipboard API refused: the old way
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  button.textContent = "Copied";
  setTimeout(() => { button.textContent = "Copy"; }, 1500);
}
