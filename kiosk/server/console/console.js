// Staff console: one counter's desk. No build step, no CDN: the centre LAN may have no internet.
// Live by long-polling /api/v1/events; recovers by itself when the server or network returns.
"use strict";

const API = "/api/v1";
const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let I18N = {};
let info = null;
let state = null;
let token = sessionStorage.getItem("kiosk.token");
let counterId = sessionStorage.getItem("kiosk.counter");
let lastEvent = null;
let online = true;
let busy = false;
let pollGeneration = 0;

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

function t(msgid, vars) {
  let s = I18N[msgid] || msgid;
  for (const [k, v] of Object.entries(vars || {})) s = s.replaceAll(`{${k}}`, v);
  return s;
}

function applyTranslations() {
  document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
  document.title = t("Counter desk");
}

function setOnline(value) {
  if (online === value) return;
  online = value;
  $("offline").hidden = value;
  updateButtons();
}

async function api(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  let resp;
  try {
    resp = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
  } catch (err) {
    setOnline(false);
    throw new ApiError(0, t("Offline: reconnecting…"));
  }
  if (resp.status >= 500) { setOnline(false); throw new ApiError(resp.status, t("Offline: reconnecting…")); }
  setOnline(true);
  if (resp.status === 204) return null;
  const data = await resp.json().catch(() => ({}));
  if (resp.status === 401 && token) { signOut(t("Your session has ended. Please sign in again.")); }
  if (!resp.ok) throw new ApiError(resp.status, data.error || resp.statusText);
  return data;
}

function name(obj) {
  if (!obj) return "";
  if (typeof obj === "string") return obj;
  return obj.vi || Object.values(obj)[0] || "";
}

function serviceName(id) {
  const s = (info && info.services || []).find((x) => x.id === id);
  return s ? name(s.name) : id;
}

function minutesSince(iso) {
  if (!iso) return "";
  const mins = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 60000));
  return t("{minutes} min", { minutes: mins });
}

// ---- rendering -----------------------------------------------------------

function render() {
  if (!state) return;
  const counter = (info.counters || []).find((c) => c.id === counterId);
  $("counter-name").textContent = counter ? name(counter.name) : counterId;
  $("paused-tag").hidden = !state.paused;
  $("pause-label").textContent = state.paused ? t("Resume") : t("Pause");
  const cur = state.current;
  $("current").hidden = !cur;
  $("current-empty").hidden = !!cur;
  if (cur) {
    $("cur-number").textContent = cur.number;
    $("cur-service").textContent = serviceName(cur.service);
    $("cur-priority").hidden = !cur.priority;
    $("cur-priority").textContent = cur.priority ? priorityText(cur) : "";
    $("cur-procedure").textContent = cur.procedure_name ? `${cur.procedure} · ${cur.procedure_name}` : (cur.procedure || "");
    $("cur-waited").textContent = minutesSince(cur.issued_at) + (cur.called_at ? "" : "");
    $("cur-print").hidden = cur.print_status !== "failed";
  }
  const waiting = $("waiting").tBodies[0];
  waiting.replaceChildren(...(state.waiting || []).map((w) => row(serviceName(w.service), w.waiting)));
  const today = $("today").tBodies[0];
  const counts = state.today || {};
  today.replaceChildren(
    row(t("Served"), counts.served ?? 0),
    row(t("No-show"), counts.no_show ?? 0),
    row(t("Transferred"), counts.transferred ?? 0),
  );
  updateButtons();
}

function priorityText(ticket) {
  const reasons = (info && info.priority_reasons) || [];
  const r = reasons.find((x) => x.id === ticket.priority_reason);
  return r ? `${t("Priority")}: ${name(r.name)}` : t("Priority");
}

function row(label, value) {
  const tr = document.createElement("tr");
  const a = document.createElement("td");
  const b = document.createElement("td");
  a.textContent = label;
  b.textContent = value;
  b.className = "n";
  tr.append(a, b);
  return tr;
}

function updateButtons() {
  const has = !!(state && state.current);
  const paused = !!(state && state.paused);
  const off = !online || busy || !state;
  $("btn-next").disabled = off || paused;
  $("btn-recall").disabled = off || !has;
  $("btn-no-show").disabled = off || !has;
  $("btn-done").disabled = off || !has;
  $("btn-transfer").disabled = off || !has;
  $("btn-pause").disabled = off;
}

// ---- actions -------------------------------------------------------------

async function refresh() {
  state = await api("GET", `/counters/${encodeURIComponent(counterId)}`);
  render();
}

async function act(action, body) {
  if (busy) return;
  busy = true;
  updateButtons();
  $("action-error").textContent = "";
  try {
    const res = await api("POST", `/counters/${encodeURIComponent(counterId)}/${action}`, body);
    if (action === "next" && res === null) $("action-error").textContent = t("Nobody is waiting.");
    await refresh();
  } catch (err) {
    $("action-error").textContent = err.message;
  } finally {
    busy = false;
    updateButtons();
  }
}

function openTransfer() {
  const box = $("transfer-services");
  const cur = state && state.current;
  const choices = (info.services || []).filter((s) => !cur || s.id !== cur.service);
  box.replaceChildren(...choices.map((s) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = name(s.name);
    b.dataset.service = s.id;
    b.addEventListener("click", () => { $("transfer-dialog").close(); act("transfer", { service: s.id }); });
    return b;
  }));
  $("transfer-dialog").showModal();
}

// ---- session -------------------------------------------------------------

async function signIn(ev) {
  ev.preventDefault();
  $("login-error").textContent = "";
  const counter = $("login-counter").value;
  const pin = $("login-pin").value;
  try {
    const res = await api("POST", "/auth/pin", { counter, pin });
    token = res.token;
    counterId = counter;
    sessionStorage.setItem("kiosk.token", token);
    sessionStorage.setItem("kiosk.counter", counterId);
    $("login-pin").value = "";
    await startDesk();
  } catch (err) {
    $("login-error").textContent = err.status === 401 || err.status === 403 ? t("Wrong PIN") : err.message;
  }
}

function signOut(message) {
  token = null;
  state = null;
  pollGeneration += 1;
  sessionStorage.removeItem("kiosk.token");
  sessionStorage.removeItem("kiosk.counter");
  $("desk").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = message || "";
}

async function startDesk() {
  $("login").hidden = true;
  $("desk").hidden = false;
  await refresh();
  pollEvents(++pollGeneration);
}

// Long-poll forever; after any gap (server restart, network drop) re-read the whole state.
async function pollEvents(generation) {
  let delay = 500;
  let needRefresh = false;
  while (token && generation === pollGeneration) {
    try {
      const after = lastEvent === null ? -1 : lastEvent;
      const res = await api("GET", `/events?after=${after}&wait=25`);
      delay = 500;
      const fresh = lastEvent !== null && res.events && res.events.length > 0;
      lastEvent = res.last;
      if (fresh || needRefresh) { needRefresh = false; await refresh(); }
    } catch (err) {
      if (err.status === 401) return;
      needRefresh = true;
      await sleep(delay);
      delay = Math.min(delay * 2, 5000);
    }
  }
}

// ---- start ---------------------------------------------------------------

document.addEventListener("keydown", (ev) => {
  if ($("desk").hidden || $("transfer-dialog").open) return;
  const keys = { F1: "btn-next", F2: "btn-recall", F3: "btn-no-show", F4: "btn-done", F6: "btn-transfer", F8: "btn-pause" };
  const id = keys[ev.key];
  if (!id) return;
  ev.preventDefault();
  if (!$(id).disabled) $(id).click();
});

async function boot() {
  try { I18N = await (await fetch("i18n.json", { cache: "no-store" })).json(); } catch (e) { I18N = {}; }
  applyTranslations();
  for (;;) {
    try { info = await api("GET", "/info"); break; } catch (e) { await sleep(2000); }
  }
  $("centre-name").textContent = name(info.centre && info.centre.name);
  $("login-counter").replaceChildren(...(info.counters || []).map((c) => {
    const o = document.createElement("option");
    o.value = c.id;
    o.textContent = name(c.name);
    return o;
  }));
  $("login-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", () => signOut());
  $("btn-next").addEventListener("click", () => act("next"));
  $("btn-recall").addEventListener("click", () => act("recall"));
  $("btn-no-show").addEventListener("click", () => act("no-show"));
  $("btn-done").addEventListener("click", () => act("done"));
  $("btn-transfer").addEventListener("click", openTransfer);
  $("btn-pause").addEventListener("click", () => act(state && state.paused ? "resume" : "pause"));
  if (token && counterId) {
    try { await startDesk(); } catch (e) { if (!token) return; $("login").hidden = true; $("desk").hidden = false; pollEvents(++pollGeneration); }
  }
}

boot();
