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
    setOnline(false);
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

// One sentence for staff for each refusal the queue can give.
export function explain(err) {
  if (err.status === 0) return _("No connection to the server.");
  const known = {
    counter_paused: _("The counter is paused. Resume it first."),
    no_current_ticket: _("There is no ticket at this counter."),
    counter_busy: _("Finish the current ticket first."),
    not_recallable: _("This ticket can no longer be called back."),
    wrong_state: _("This cannot be done with the ticket as it is now."),
    unknown_ticket: _("This ticket no longer exists."),
  };
  return known[err.code] || _("The server refused: {detail}", { detail: err.message });
}
