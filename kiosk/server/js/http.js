// One call to the centre as every page makes it (staff console, /rate/ terminal, phone page):
// JSON body, the bearer token when signed in, never from the browser's cache.
// No connection and a server error (5xx: restarting, overloaded, disk full) are both "offline"
// (status 0): the caller keeps trying. An aborted call is rethrown as it is.

export class ApiError extends Error {
  constructor(status, code, detail, retryAfter) {
    super(detail || code);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

export async function send(method, url, { body, token, signal } = {}) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  let resp;
  try {
    resp = await fetch(url, {
      method, headers, signal, cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    throw new ApiError(0, "offline", "");
  }
  if (resp.status >= 500) {
    // Still "offline" to the caller, who keeps trying; the server's error code, when it sent
    // one (storage_unavailable: its disk is full), lets a page say why instead of "no connection".
    const data = await resp.json().catch(() => ({}));
    const err = new ApiError(0, "offline", "");
    err.serverCode = typeof data.error === "string" ? data.error : null;
    throw err;
  }
  return resp;
}

// The answer's JSON, or an ApiError with the server's code, sentence and Retry-After.
export async function json(resp) {
  if (resp.status === 204) return null;
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) {
    throw new ApiError(resp.status, data.error || "error", data.detail || resp.statusText,
      Number(resp.headers.get("Retry-After")) || 0);
  }
  return data;
}
