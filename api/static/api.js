// Talking to the server: JSON calls, the /ask/stream event stream, uploads with progress.
// Every failure becomes an ApiError whose message can be shown to the user as-is.

export class ApiError extends Error {
  constructor(message, code, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

const NETWORK = "Cannot reach the server: it may still be starting (loading the model), be stopped, or the network is down.";

function explain(status, body) {
  const detail = body && body.detail;
  if (status === 503 && body && body.code === "model_unavailable") {
    return "The model is still loading or unavailable; try again in a moment.";
  }
  if (status === 503 || status === 429) return detail || "The server is busy; try again in a moment.";
  return detail || `The server answered ${status}.`;
}

async function failure(response) {
  let body = null;
  try { body = await response.json(); } catch { /* not JSON: a proxy error page */ }
  return new ApiError(explain(response.status, body), (body && body.code) || "http_error", response.status);
}

export async function getJSON(path, options = {}) {
  let response;
  try {
    response = await fetch(path, options);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(NETWORK, "network", 0);
  }
  if (!response.ok) throw await failure(response);
  return response.json();
}

/** POST /ask/stream and call `on[event](data)` for each server-sent event (rewrite, token, answer, error). */
export async function askStream(body, on, signal) {
  let response;
  try {
    response = await fetch("/ask/stream", {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal,
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(NETWORK, "network", 0);
  }
  if (!response.ok) throw await failure(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch (error) {
      if (error.name === "AbortError") throw error;
      throw new ApiError("The connection was lost while the answer was being written.", "network", 0);
    }
    if (chunk.done) break;
    buffer += chunk.value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      dispatch(buffer.slice(0, end), on);
      buffer = buffer.slice(end + 2);
    }
  }
}

function dispatch(block, on) {
  let name = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event: ")) name = line.slice(7);
    else if (line.startsWith("data: ")) data.push(line.slice(6));
  }
  if (on[name] && data.length) on[name](JSON.parse(data.join("\n")));
}

/** Upload one file to POST /documents, reporting progress (0-1); fetch cannot report upload progress. */
export function uploadFile(file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/documents");
    xhr.responseType = "json";
    xhr.upload.onprogress = (event) => { if (event.lengthComputable) onProgress(event.loaded / event.total); };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.response);
      else reject(new ApiError(explain(xhr.status, xhr.response), (xhr.response || {}).code, xhr.status));
    };
    xhr.onerror = () => reject(new ApiError(NETWORK, "network", 0));
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}
