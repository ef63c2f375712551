// Staff console: one counter's desk. No build step, no CDN: the centre LAN may have no internet.
//
// Live by long-polling GET /api/v1/events; every event that concerns this counter
// or its services re-reads GET /api/v1/counters/{c}. When the server or the
// network goes away the page says so, keeps trying, and carries on by itself.
// Staff sessions live in the server's memory: after a server restart the page
// signs in again with the PIN typed on this page (kept in memory only, never stored).
"use strict";

const API = "/api/v1";
const POLL_WAIT_S = 25;
const RETRY_MAX_MS = 5000;
const TICK_MS = 15000;
// A citizen needs time to walk to the counter: "no-show" waits this long after each call.
const NO_SHOW_AFTER_S = 20;
// How long a no-show can be undone with one click (after that: "Call back" in the list).
const UNDO_S = 60;
// Staff see the citizen's language by its name in the staff language and in its own script.
const N_ = (msgid) => msgid; // marks a msgid for extraction; translated where shown
const LANGUAGE_NAMES = { vi: N_("Vietnamese"), km: N_("Khmer"), en: N_("English") };
const NATIVE_NAMES = { vi: "Tiếng Việt", km: "ភាសាខ្មែរ", en: "English" };
const KEYS = { F1: "btn-next", F2: "btn-recall", F3: "btn-no-show", F4: "btn-done", F8: "btn-transfer", F9: "btn-pause" };

const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const params = new URLSearchParams(location.search);
const LANG = ["vi", "km", "en"].includes(params.get("lang")) ? params.get("lang") : "vi";

let I18N = {};
let info = null;
let clockOffset = 0; // server clock - this PC's clock, ms
let state = null;
let token = sessionStorage.getItem("kiosk.console.token");
let counterId = sessionStorage.getItem("kiosk.console.counter");
let pin = null; // memory only: lets the page sign in again after a server restart
let lastEvent = null;
let online = true;
let busy = false;
let pollGeneration = 0;
let refreshing = null;
let refreshAgain = false;
let renewing = null;
const procedureNames = new Map();
let undo = null; // {id, number, until}: the last no-show, while it can be undone
let secondTimer = null;

class ApiError extends Error {
  constructor(status, code, detail, retryAfter) {
    super(detail || code);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

// ---- text --------------------------------------------------------------

function digits(value) {
  const s = String(value);
  return LANG === "km" ? s.replace(/[0-9]/g, (d) => "០១២៣៤៥៦៧៨៩"[d]) : s;
}

// Translate (the msgid is English; babel extracts _() calls), then fill {placeholders}.
function _(msgid, values) {
  let text = I18N[msgid] || msgid;
  for (const [key, value] of Object.entries(values || {})) {
    text = text.split(`{${key}}`).join(typeof value === "number" ? digits(value) : value);
  }
  return text;
}

function applyTranslations() {
  document.documentElement.lang = LANG;
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = _(el.dataset.i18n); });
  document.title = _("Counter desk");
}

function local(names) {
  if (!names) return "";
  if (typeof names === "string") return names;
  return names[LANG] || names.vi || Object.values(names)[0] || "";
}

function serviceName(id) {
  const found = ((info && info.services) || []).find((s) => s.id === id);
  return found ? local(found.name) : id;
}

function counterOf(id) {
  return ((info && info.counters) || []).find((c) => c.id === id);
}

function serverNow() {
  return Date.now() + clockOffset;
}

function timeOfDay(iso) {
  if (!iso) return "";
  const options = { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: (info && info.timezone) || undefined };
  return digits(new Date(Date.parse(iso)).toLocaleTimeString("en-GB", options));
}

function minutesBetween(fromIso, toMs) {
  return Math.max(0, Math.floor((toMs - Date.parse(fromIso)) / 60000));
}

// One sentence for staff for each refusal the queue can give.
function explain(err) {
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

// ---- HTTP --------------------------------------------------------------

function setOnline(value) {
  if (online === value) return;
  online = value;
  $("offline").hidden = value;
  document.body.classList.toggle("is-offline", !value);
  updateButtons();
}

async function request(method, path, body, base = API) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  let resp;
  try {
    resp = await fetch(base + path, {
      method, headers, cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    setOnline(false);
    throw new ApiError(0, "offline", "");
  }
  if (resp.status >= 500) {
    setOnline(false);
    throw new ApiError(0, "offline", "");
  }
  setOnline(true);
  if (resp.status === 204) return null;
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) {
    throw new ApiError(resp.status, data.error || "error", data.detail || resp.statusText,
      Number(resp.headers.get("Retry-After")) || 0);
  }
  return data;
}

// A call made as the signed-in counter: a lost session (server restart, expiry)
// is renewed once with the PIN typed on this page, else back to sign-in.
async function api(method, path, body) {
  try {
    return await request(method, path, body);
  } catch (err) {
    if (err.status !== 401 || $("desk").hidden) throw err;
    if (pin !== null && (await renewSession())) return request(method, path, body);
    signOut(_("Your session has ended. Please sign in again."));
    throw err;
  }
}

// One renewal at a time: the poll and an action may both meet the lost session.
function renewSession() {
  if (!renewing) {
    renewing = (async () => {
      try {
        token = null;
        const res = await request("POST", "/auth/pin", { counter: counterId, pin });
        keepSession(res.token);
        return true;
      } catch (err) {
        if (err.status === 0) throw err;
        pin = null;
        return false;
      } finally {
        renewing = null;
      }
    })();
  }
  return renewing;
}

function keepSession(value) {
  token = value;
  sessionStorage.setItem("kiosk.console.token", token);
  sessionStorage.setItem("kiosk.console.counter", counterId);
}

// ---- rendering ---------------------------------------------------------

function render() {
  if (!state) return;
  const counter = counterOf(counterId);
  $("counter-name").textContent = counter ? local(counter.name) : _("Counter {counter}", { counter: counterId });
  $("paused-tag").hidden = !state.paused;
  $("pause-label").textContent = state.paused ? _("Resume") : _("Pause");
  $("btn-pause").classList.toggle("resume", !!state.paused);
  renderCurrent(state.current);
  renderWaiting();
  renderToday();
  renderNoShows();
  tickSeconds();
}

function renderCurrent(cur) {
  $("current").hidden = !cur;
  $("current-empty").hidden = !!cur;
  if (!cur) return;
  $("cur-number").textContent = cur.number;
  $("cur-service").textContent = serviceName(cur.service);
  $("cur-priority").hidden = !cur.priority;
  $("cur-priority").textContent = cur.priority ? priorityText(cur) : "";
  renderLanguage(cur.lang);
  renderProcedure(cur.procedure);
  const until = cur.called_at ? Date.parse(cur.called_at) : serverNow();
  $("cur-waited").textContent = _("{minutes} min", { minutes: minutesBetween(cur.issued_at, until) });
  let called = timeOfDay(cur.last_called_at || cur.called_at);
  if (cur.calls > 1) called += " · " + _("called {n} times", { n: cur.calls });
  $("cur-called").textContent = called;
  $("cur-print").hidden = cur.print_status !== "failed";
  $("cur-print").title = cur.print_error || "";
}

// The language the citizen used at the kiosk, so staff can prepare (an interpreter, a Khmer form).
function renderLanguage(lang) {
  const box = $("cur-lang");
  const code = lang || "vi";
  const name = _(LANGUAGE_NAMES[code] || code);
  const native = NATIVE_NAMES[code];
  const both = native && native !== name ? name + " (" + native + ")" : name;
  box.textContent = _("Language: {language}", { language: both });
  box.dataset.lang = code;
  box.classList.toggle("other", code !== "vi");
}

// Seconds until "no-show" may be pressed for the ticket in hand (0: now).
function noShowWait(cur) {
  if (!cur || cur.status !== "called") return 0;
  const since = cur.last_called_at || cur.called_at;
  if (!since) return 0;
  return Math.max(0, Math.ceil(NO_SHOW_AFTER_S - (serverNow() - Date.parse(since)) / 1000));
}

function renderUndo() {
  const live = !!(undo && serverNow() < undo.until);
  if (!live) undo = null;
  $("undo-box").hidden = !live;
  if (live) $("undo-text").textContent = _("{number} was marked as a no-show.", { number: undo.number });
}

// Countdowns (no-show, undo) move every second, only while one runs.
function tickSeconds() {
  const cur = state && state.current;
  const running = noShowWait(cur) > 0 || !!undo;
  renderUndo();
  updateButtons();
  if (running && secondTimer === null) {
    secondTimer = setInterval(tickSeconds, 1000);
  } else if (!running && secondTimer !== null) {
    clearInterval(secondTimer);
    secondTimer = null;
  }
}

function renderProcedure(code) {
  const box = $("cur-procedure");
  box.hidden = !code;
  if (!code) return;
  const names = procedureNames.get(code);
  box.textContent = names ? `${code} · ${local(names)}` : code;
  if (names === undefined) {
    procedureNames.set(code, null);
    request("GET", "procedures/" + encodeURIComponent(code), undefined, "")
      .then((res) => { procedureNames.set(code, res.name); render(); })
      .catch((err) => { if (err.status === 0) procedureNames.delete(code); });
  }
}

function priorityText(ticket) {
  const reasons = (info && info.priority_reasons) || [];
  const reason = reasons.find((r) => r.id === ticket.priority_reason);
  return reason ? `${_("Priority")}: ${local(reason.name)}` : _("Priority");
}

function row(label, value, extraClass) {
  const tr = document.createElement("tr");
  if (extraClass) tr.className = extraClass;
  const a = document.createElement("td");
  const b = document.createElement("td");
  a.textContent = label;
  b.textContent = digits(value);
  b.className = "n";
  tr.append(a, b);
  return tr;
}

function renderWaiting() {
  const entries = Object.entries(state.waiting || {});
  const rows = entries.map(([service, n]) => row(serviceName(service), n));
  if (entries.length > 1) rows.push(row(_("Total"), entries.reduce((sum, [, n]) => sum + n, 0), "total"));
  $("waiting").tBodies[0].replaceChildren(...rows);
}

function renderToday() {
  const counts = state.today || {};
  $("today").tBodies[0].replaceChildren(
    row(_("Called"), counts.called || 0),
    row(_("Done"), counts.done || 0),
    row(_("No-show"), counts.no_show || 0),
    row(_("Transferred"), counts.transferred || 0),
  );
}

function renderNoShows() {
  const list = state.no_shows || [];
  $("no-shows-box").hidden = list.length === 0;
  $("no-shows").replaceChildren(...list.map((ticket) => {
    const li = document.createElement("li");
    const label = document.createElement("span");
    label.textContent = `${ticket.number} · ${serviceName(ticket.service)}`;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "call-back";
    button.dataset.ticket = ticket.id;
    button.textContent = _("Call back");
    button.addEventListener("click", () => act("recall", { ticket: ticket.id }));
    li.append(label, button);
    return li;
  }));
}

function updateButtons() {
  const cur = state && state.current;
  const paused = !!(state && state.paused);
  const off = !online || busy || !state;
  $("btn-next").disabled = off || paused;
  $("btn-recall").disabled = off || !cur;
  const wait = noShowWait(cur);
  $("btn-no-show").disabled = off || !cur || cur.status !== "called" || wait > 0;
  $("no-show-wait").textContent = wait > 0 ? `(${digits(wait)})` : "";
  $("btn-undo").disabled = off || !!cur;
  $("btn-done").disabled = off || !cur;
  $("btn-transfer").disabled = off || !cur;
  $("btn-pause").disabled = off;
  document.querySelectorAll("button.call-back").forEach((b) => { b.disabled = off || !!cur; });
}

function showMessage(text, kind) {
  const box = $("action-message");
  box.textContent = text || "";
  box.className = `message ${kind || ""}`;
}

function tickClock() {
  const now = new Date(serverNow()).toISOString();
  $("clock").textContent = timeOfDay(now);
  if (state && state.current) renderCurrent(state.current);
}

// ---- actions -----------------------------------------------------------

// Re-read the counter; calls made while one is running are folded into one more.
function refresh() {
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = (async () => {
    try {
      do {
        refreshAgain = false;
        state = await api("GET", `/counters/${encodeURIComponent(counterId)}`);
        render();
      } while (refreshAgain);
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

async function act(action, body) {
  if (busy || !online) return;
  busy = true;
  updateButtons();
  showMessage("");
  try {
    const res = await api("POST", `/counters/${encodeURIComponent(counterId)}/${action}`, body);
    if (action === "next" && res === null) showMessage(_("Nobody is waiting."), "info");
    undo = null;
    if (action === "no-show" && res) undo = { id: res.id, number: res.number, until: serverNow() + UNDO_S * 1000 };
    if (action === "transfer" && res) {
      showMessage(_("{number} was sent to {service}.", { number: res.number, service: serviceName(res.service) }), "info");
    }
  } catch (err) {
    if (err.status !== 401) showMessage(explain(err), "error");
  } finally {
    busy = false;
  }
  try { await refresh(); } catch (err) { /* the poll loop reports and retries */ }
  updateButtons();
}

function openTransfer() {
  const cur = state && state.current;
  if (!cur) return;
  $("transfer-title").textContent = _("Send {number} to", { number: cur.number });
  const choices = ((info && info.services) || []).filter((s) => s.id !== cur.service);
  $("transfer-services").replaceChildren(...choices.map((service) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "choice";
    button.textContent = local(service.name);
    button.dataset.service = service.id;
    button.addEventListener("click", () => {
      $("transfer-dialog").close();
      act("transfer", { service: service.id });
    });
    return button;
  }));
  $("transfer-dialog").showModal();
}

// ---- session -----------------------------------------------------------

async function signIn(ev) {
  ev.preventDefault();
  $("login-error").textContent = "";
  const counter = $("login-counter").value;
  const typed = $("login-pin").value;
  $("login-submit").disabled = true;
  try {
    token = null;
    const res = await request("POST", "/auth/pin", { counter, pin: typed });
    counterId = counter;
    pin = typed;
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
    return _("Too many wrong PINs. Try again in {minutes} min.", { minutes: Math.max(1, Math.ceil(err.retryAfter / 60)) });
  }
  if (err.code === "pin_not_configured") return _("This counter has no PIN; ask the administrator.");
  return explain(err);
}

function signOut(message) {
  if (token && message === undefined) request("POST", "/auth/logout").catch(() => {});
  token = null;
  pin = null;
  state = null;
  pollGeneration += 1;
  sessionStorage.removeItem("kiosk.console.token");
  sessionStorage.removeItem("kiosk.console.counter");
  $("desk").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = message || "";
  if (counterId) $("login-counter").value = counterId;
  $("login-pin").focus();
}

async function startDesk() {
  $("login").hidden = true;
  $("desk").hidden = false;
  showMessage("");
  pollEvents(++pollGeneration);
  try {
    await refresh();
  } catch (err) {
    /* offline: the poll loop shows it and refreshes when the server answers */
  }
}

function concernsMe(event) {
  const mine = (state && state.services) || [];
  return event.type === "day_reset" || event.counter === counterId || mine.includes(event.service)
    || (event.data && mine.includes(event.data.from_service));
}

// Long-poll for ever. No `after` the first time: the server answers with the
// newest id. After any gap (server restart, network drop) re-read the counter.
async function pollEvents(generation) {
  let delay = 500;
  let stale = false;
  while (token && generation === pollGeneration) {
    try {
      const query = lastEvent === null ? "" : `?after=${lastEvent}&wait=${POLL_WAIT_S}`;
      const res = await api("GET", "/events" + query);
      if (generation !== pollGeneration) return;
      delay = 500;
      const events = res.events || [];
      // A replaced database starts its ids again: follow the server's head.
      lastEvent = res.head < res.last ? res.head : res.last;
      if (stale || events.some(concernsMe) || res.head < res.last) {
        stale = false;
        await refresh();
      }
    } catch (err) {
      if (err.status === 401 || generation !== pollGeneration) return;
      stale = true;
      await sleep(delay);
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    }
  }
}

// ---- start -------------------------------------------------------------

document.addEventListener("keydown", (ev) => {
  const id = KEYS[ev.key];
  if (!id || $("desk").hidden) return;
  ev.preventDefault(); // F1 would open the browser's help, F3 its search
  if ($("transfer-dialog").open || ev.repeat) return;
  if (!$(id).disabled) $(id).click();
});

async function loadInfo() {
  for (let delay = 500; ; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
    try {
      const asked = Date.now();
      info = await request("GET", "/info");
      clockOffset = Date.parse(info.server_time) - (asked + Date.now()) / 2;
      return;
    } catch (err) {
      await sleep(delay);
    }
  }
}

async function loadTranslations() {
  try {
    const resp = await fetch(`i18n.json?lang=${LANG}`, { cache: "no-store" });
    if (resp.ok) I18N = await resp.json();
  } catch (err) {
    I18N = {}; // English msgids until the server answers; the page reloads nothing
  }
}

async function boot() {
  await loadTranslations();
  applyTranslations();
  $("login-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", () => signOut());
  $("btn-next").addEventListener("click", () => act("next"));
  $("btn-recall").addEventListener("click", () => act("recall"));
  $("btn-no-show").addEventListener("click", () => act("no-show"));
  $("btn-undo").addEventListener("click", () => { if (undo) act("recall", { ticket: undo.id }); });
  $("btn-done").addEventListener("click", () => act("done"));
  $("btn-transfer").addEventListener("click", openTransfer);
  $("btn-pause").addEventListener("click", () => act(state && state.paused ? "resume" : "pause"));
  await loadInfo();
  if (Object.keys(I18N).length === 0) { await loadTranslations(); applyTranslations(); }
  $("centre-name").textContent = local(info.centre && info.centre.name);
  $("login-counter").replaceChildren(...(info.counters || []).map((c) => {
    const option = document.createElement("option");
    option.value = c.id;
    option.textContent = local(c.name);
    return option;
  }));
  setInterval(tickClock, TICK_MS);
  tickClock();
  if (token && counterId && counterOf(counterId)) {
    await startDesk();
  } else {
    signOut("");
  }
  document.body.classList.add("ready");
}

boot();
