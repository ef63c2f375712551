// Staff console: one counter's desk. ES modules served as they are: no build step, no
// CDN (the centre LAN may have no internet). This module starts the page:
//   i18n.js    the staff language and its catalog     state.js   what the page knows
//   api.js     calls to /api/v1, session renewal       render.js  drawing the desk
//   actions.js what staff do at the desk                session.js sign-in and sign-out
//   events.js  following the centre live (/js/poll.js: the retry policy of every page)
// Staff sessions live in the server's memory: after a server restart the page
// signs in again with the PIN typed on this page (kept in memory only, never stored).

import { retry } from "/js/poll.js";
import { act, openTransfer } from "./actions.js";
import { request } from "./api.js";
import { applyTranslations, hasTranslations, loadTranslations, local } from "./i18n.js";
import { tickClock } from "./render.js";
import { signIn, signOut, startDesk } from "./session.js";
import { $, counterOf, desk } from "./state.js";

const TICK_MS = 15000;
const KEYS = { F1: "btn-next", F2: "btn-recall", F3: "btn-no-show", F4: "btn-done", F8: "btn-transfer", F9: "btn-pause" };

document.addEventListener("keydown", (ev) => {
  const id = KEYS[ev.key];
  if (!id || $("desk").hidden) return;
  ev.preventDefault(); // F1 would open the browser's help, F3 its search
  if ($("transfer-dialog").open || ev.repeat) return;
  if (!$(id).disabled) $(id).click();
});

// The centre's counters, services and clock; tried until the server answers.
async function loadInfo() {
  await retry(async () => {
    const asked = Date.now();
    desk.info = await request("GET", "/info");
    desk.clockOffset = Date.parse(desk.info.server_time) - (asked + Date.now()) / 2;
  });
}

async function boot() {
  await loadTranslations();
  applyTranslations();
  $("login-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", () => signOut());
  $("btn-next").addEventListener("click", () => act("next"));
  $("btn-recall").addEventListener("click", () => act("recall"));
  $("btn-no-show").addEventListener("click", () => act("no-show"));
  $("btn-undo").addEventListener("click", () => { if (desk.undo) act("recall", { ticket: desk.undo.id }); });
  $("btn-done").addEventListener("click", () => act("done"));
  $("btn-transfer").addEventListener("click", openTransfer);
  $("btn-pause").addEventListener("click", () => act(desk.state && desk.state.paused ? "resume" : "pause"));
  await loadInfo();
  if (!hasTranslations()) { await loadTranslations(); applyTranslations(); }
  $("centre-name").textContent = local(desk.info.centre && desk.info.centre.name);
  $("login-counter").replaceChildren(...(desk.info.counters || []).map((c) => {
    const option = document.createElement("option");
    option.value = c.id;
    option.textContent = local(c.name);
    return option;
  }));
  setInterval(tickClock, TICK_MS);
  tickClock();
  if (desk.token && desk.counterId && counterOf(desk.counterId)) {
    await startDesk();
  } else {
    signOut("");
  }
  document.body.classList.add("ready");
}

boot();
