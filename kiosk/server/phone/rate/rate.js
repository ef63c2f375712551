// Counter-side rating terminal. No build step, no CDN.
//
// Signed in with the counter's PIN (like the staff console). Long-polls
// /api/v1/events; when this counter marks a ticket done it shows that ticket's
// rating question (server-rendered, in the ticket's language), sends the answer
// with the counter's session, and goes back to idle after a rating or after
// the idle time without one. A rating given on the phone meanwhile ends it too.

import { send } from "/js/http.js";
import { follow, retry } from "/js/poll.js";
import { ratingPayload } from "/t/static/rating.js";

const API = "/api/v1";
const LANGS = ["vi", "km", "en"];
const POLL_WAIT_S = 25;
const THANKS_MS = 5000;
const $ = (id) => document.getElementById(id);

const I18N = {};
let info = null;
let token = sessionStorage.getItem("kiosk.rate.token");
let counterId = sessionStorage.getItem("kiosk.rate.counter");
let pin = null; // memory only: signs in again after a server restart
let lastEvent = null;
let current = null; // { id, lang }
let idleTimer = null;
let idleSeconds = 30;

function _(msgid, lang) {
  const found = (I18N[lang || "vi"] || {})[msgid];
  return found || msgid;
}

function local(names, lang) {
  if (!names) return "";
  return names[lang] || names.vi || Object.values(names)[0] || "";
}

function show(name) {
  for (const id of ["login", "idle", "ask", "thanks"]) $(id).hidden = id !== name;
}

function offline(on) { $("offline").hidden = !on; }

function api(method, path, body) {
  return send(method, path.startsWith("/") ? path : `${API}/${path}`, { body, token });
}

function translate() {
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = _(el.dataset.i18n, "vi"); });
}

function idleScreen() {
  clearTimeout(idleTimer);
  current = null;
  const counter = ((info && info.counters) || []).find((c) => c.id === counterId);
  $("idle-counter").textContent = counter ? local(counter.name, "vi") : "";
  const box = $("idle-texts");
  box.textContent = "";
  for (const lang of LANGS) {
    const p = document.createElement("p");
    p.lang = lang;
    p.textContent = _("After your service, please tell us how satisfied you are.", lang);
    box.appendChild(p);
  }
  show("idle");
}

function armIdle() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(idleScreen, idleSeconds * 1000);
}

async function ask(ticketId, lang) {
  const resp = await api("GET", `/rate/question/${encodeURIComponent(ticketId)}?lang=${lang}`);
  if (!resp.ok) return; // already rated on the phone, or not ratable
  idleSeconds = Number(resp.headers.get("X-Idle-Seconds")) || idleSeconds;
  current = { id: ticketId, lang };
  const box = $("ask");
  box.innerHTML = await resp.text();
  box.lang = lang;
  show("ask");
  armIdle();
}

function thanks(lang) {
  $("thanks-text").textContent = _("Thank you for your rating!", lang);
  $("thanks-text").lang = lang;
  show("thanks");
  clearTimeout(idleTimer);
  idleTimer = setTimeout(idleScreen, THANKS_MS);
}

document.addEventListener("input", () => { if (current) armIdle(); });

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (form.id !== "rating") return;
  event.preventDefault();
  if (!current) return;
  const error = form.querySelector(".error");
  const payload = ratingPayload(form);
  if (!payload) return;
  const { id, lang } = current;
  try {
    const resp = await api("POST", `tickets/${encodeURIComponent(id)}/rating`, payload);
    if (resp.status === 201 || resp.status === 409) thanks(lang);
    else error.textContent = error.dataset.choose;
  } catch (err) {
    offline(true);
  }
});

// In the staff's language (Vietnamese, as the rest of this screen for staff), by the
// answer's error code; the server's own sentence only for a code not known here.
function signInProblem(resp, body) {
  if (resp.status === 401) return _("Wrong PIN", "vi");
  if (resp.status === 429) {
    const seconds = Math.max(1, Math.ceil(Number(resp.headers.get("Retry-After")) || 1));
    return _("Too many wrong PINs. Try again in {seconds} seconds.", "vi").replace("{seconds}", seconds);
  }
  if (body.error === "pin_not_configured") return _("This counter has no PIN; ask the administrator.", "vi");
  return _("The server refused: {detail}", "vi").replace("{detail}", body.detail || String(resp.status));
}

async function signIn(counter, secret) {
  const resp = await api("POST", "auth/pin", { counter, pin: secret });
  if (!resp.ok) {
    const body = await resp.json().catch(() => ({}));
    throw new Error(signInProblem(resp, body));
  }
  const body = await resp.json();
  token = body.token;
  counterId = counter;
  sessionStorage.setItem("kiosk.rate.token", token);
  sessionStorage.setItem("kiosk.rate.counter", counterId);
}

function loginScreen() {
  token = null;
  sessionStorage.removeItem("kiosk.rate.token");
  const select = $("login-counter");
  select.textContent = "";
  for (const c of info.counters) {
    const option = document.createElement("option");
    option.value = c.id;
    option.textContent = local(c.name, "vi");
    select.appendChild(option);
  }
  if (counterId) select.value = counterId;
  show("login");
  $("login-pin").focus();
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("login-error").textContent = "";
  try {
    const secret = $("login-pin").value;
    await signIn($("login-counter").value, secret);
    pin = secret;
    $("login-pin").value = "";
    start();
  } catch (err) {
    $("login-error").textContent = err.message;
  }
});

function followEvents() {
  follow(async () => {
    const path = lastEvent === null ? "events" : `events?after=${lastEvent}&wait=${POLL_WAIT_S}`;
    const resp = await api("GET", path);
    if (resp.status === 401) {
      if (pin) { await signIn(counterId, pin); return true; }
      loginScreen();
      return false;
    }
    const body = await resp.json();
    offline(false);
    lastEvent = body.last;
    for (const event of body.events || []) {
      if (event.type === "done" && event.counter === counterId && event.ticket) {
        await ask(event.ticket.id, event.ticket.lang);
      } else if (event.type === "rated" && current && event.data && event.data.ticket === current.id && $("ask").hidden === false) {
        idleScreen(); // rated on the phone meanwhile
      }
    }
    return true;
  }, { failed: () => offline(true) });
}

function start() {
  idleScreen();
  followEvents();
}

async function boot() {
  await retry(async () => {
    const [catalogs, about] = await Promise.all([
      Promise.all(LANGS.map((l) => fetch(`/console/i18n.json?lang=${l}`).then((r) => r.json()))),
      fetch(`${API}/info`).then((r) => r.json()),
    ]);
    LANGS.forEach((l, i) => { I18N[l] = catalogs[i]; });
    info = about;
  }, { failed: () => offline(true) });
  offline(false);
  translate();
  document.title = _("Rating terminal", "vi");
  $("centre-name").textContent = local(info.centre.name, "vi");
  if (token && counterId) start();
  else loginScreen();
}

boot();
