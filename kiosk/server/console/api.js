// The console's calls to /api/v1: the offline banner follows every answer, and a
// lost staff session (server restart, expiry) is renewed once with the PIN typed
// on this page, else the page goes back to sign-in.

import { ApiError, json, send } from "/js/http.js";
import { _ } from "./i18n.js";
import { updateButtons } from "./render.js";
import { signOut } from "./session.js";
import { $, desk } from "./state.js";

const API = "/api/v1";
let renewing = null;

export { ApiError };

function setOnline(value) {
  if (desk.online === value) return;
  desk.online = value;
  $("offline").hidden = value;
  document.body.classList.toggle("is-offline", !value);
  updateButtons();
}

// One call with this page's token; ApiError on refusal (status 0: offline).
export async function request(method, path, body, base = API) {
  let resp;
  try {
    resp = await send(method, base + path, { body, token: desk.token });
  } catch (err) {
    // a server that answered "cannot save" is reachable: no offline banner, the sentence says why
    setOnline(err.serverCode === "storage_unavailable");
    throw err;
  }
  setOnline(true);
  return json(resp);
}

// A call made as the signed-in counter.
export async function api(method, path, body) {
  try {
    return await request(method, path, body);
  } catch (err) {
    if (err.status !== 401 || $("desk").hidden) throw err;
    if (desk.pin !== null && (await renewSession())) return request(method, path, body);
    signOut(_("Your session has ended. Please sign in again."));
    throw err;
  }
}

// One renewal at a time: the poll and an action may both meet the lost session.
function renewSession() {
  if (!renewing) {
    renewing = (async () => {
      try {
        desk.token = null;
        const res = await request("POST", "/auth/pin", { counter: desk.counterId, pin: desk.pin });
        keepSession(res.token);
        return true;
      } catch (err) {
        if (err.status === 0) throw err;
        desk.pin = null;
        return false;
      } finally {
        renewing = null;
      }
    })();
  }
  return renewing;
}

export function keepSession(value) {
  desk.token = value;
  sessionStorage.setItem("kiosk.console.token", desk.token);
  sessionStorage.setItem("kiosk.console.counter", desk.counterId);
}

// One sentence for staff, in the console's language, for each refusal the server can give:
// its stable `error` code picks the sentence (docs/api.md#errors). A code this page does not
// know yet keeps the server's own sentence after ours (shown as text, never as HTML).
export function explain(err) {
  const known = {
    counter_paused: _("The counter is paused. Resume it first."),
    no_current_ticket: _("There is no ticket at this counter."),
    counter_busy: _("Finish the current ticket first."),
    not_recallable: _("This ticket can no longer be called back."),
    wrong_state: _("This cannot be done with the ticket as it is now."),
    unknown_ticket: _("This ticket no longer exists."),
    unknown_service: _("That service does not exist any more. Reload the page and try again."),
    unknown_counter: _("This counter is no longer in the centre's configuration. Ask the administrator."),
    forbidden: _("This page may not act for this counter. Please sign in again."),
    unauthorized: _("Your session has ended. Please sign in again."),
    invalid_request: _("The server did not accept this request. Reload the page and try again."),
    malformed_json: _("The server did not accept this request. Reload the page and try again."),
    body_too_large: _("The server did not accept this request. Reload the page and try again."),
    storage_unavailable: _("The server cannot save anything: its disk is full or damaged. Nothing was changed. Tell the IT officer."),
  };
  // A server error is "offline" (status 0) unless the server said why (err.serverCode).
  const code = err.status === 0 ? err.serverCode : err.code;
  if (known[code]) return known[code];
  if (err.status === 0) return _("No connection to the server.");
  if (err.status === 429) {
    return _("The server is busy. Try again in {seconds} seconds.", { seconds: Math.max(1, Math.ceil(err.retryAfter)) });
  }
  return _("The server refused: {detail}", { detail: err.message });
}
