// Signing a counter in with its PIN, out again, and opening the desk.

import { explain, keepSession, request } from "./api.js";
import { refresh } from "./actions.js";
import { followEvents, stopFollowing } from "./events.js";
import { _ } from "./i18n.js";
import { showMessage } from "./render.js";
import { $, desk } from "./state.js";

export async function signIn(ev) {
  ev.preventDefault();
  $("login-error").textContent = "";
  const counter = $("login-counter").value;
  const typed = $("login-pin").value;
  $("login-submit").disabled = true;
  try {
    desk.token = null;
    const res = await request("POST", "/auth/pin", { counter, pin: typed });
    desk.counterId = counter;
    desk.pin = typed;
    keepSession(res.token);
    $("login-pin").value = "";
    await startDesk();
  } catch (err) {
    $("login-error").textContent = signInProblem(err);
    $("login-pin").select();
  } finally {
    $("login-submit").disabled = false;
  }
}

function signInProblem(err) {
  if (err.status === 401) return _("Wrong PIN");
  if (err.status === 429) {
    // The wait doubles from one second: say seconds while it is short, not "1 min".
    const wait = Math.max(1, Math.ceil(err.retryAfter));
    if (wait < 60) return _("Too many wrong PINs. Try again in {seconds} seconds.", { seconds: wait });
    return _("Too many wrong PINs. Try again in {minutes} min.", { minutes: Math.ceil(wait / 60) });
  }
  if (err.code === "pin_not_configured") return _("This counter has no PIN; ask the administrator.");
  return explain(err);
}

export function signOut(message) {
  if (desk.token && message === undefined) request("POST", "/auth/logout").catch(() => {});
  desk.token = null;
  desk.pin = null;
  desk.state = null;
  stopFollowing();
  sessionStorage.removeItem("kiosk.console.token");
  sessionStorage.removeItem("kiosk.console.counter");
  $("desk").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = message || "";
  if (desk.counterId) $("login-counter").value = desk.counterId;
  $("login-pin").focus();
}

export async function startDesk() {
  $("login").hidden = true;
  $("desk").hidden = false;
  showMessage("");
  followEvents();
  try {
    await refresh();
  } catch (err) {
    /* offline: the poll loop shows it and refreshes when the server answers */
  }
}
