// Drawing the desk from the counter's state: the ticket in hand, the waiting and
// today's counts, the no-shows, which buttons may be pressed, the clock and countdowns.

import { act } from "./actions.js";
import { request } from "./api.js";
import { _, digits, local, N_ } from "./i18n.js";
import {
  $, counterOf, desk, minutesBetween, serverNow, serviceName, timeOfDay,
} from "./state.js";

// A citizen needs time to walk to the counter: "no-show" waits this long after each call.
const NO_SHOW_AFTER_S = 20;
// Staff see the citizen's language by its name in the staff language and in its own script.
const LANGUAGE_NAMES = { vi: N_("Vietnamese"), km: N_("Khmer"), en: N_("English") };
const NATIVE_NAMES = { vi: "Tiếng Việt", km: "ភាសាខ្មែរ", en: "English" };

const procedureNames = new Map();
let secondTimer = null;

export function render() {
  const state = desk.state;
  if (!state) return;
  const counter = counterOf(desk.counterId);
  $("counter-name").textContent = counter ? local(counter.name) : _("Counter {counter}", { counter: desk.counterId });
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
  const live = !!(desk.undo && serverNow() < desk.undo.until);
  if (!live) desk.undo = null;
  $("undo-box").hidden = !live;
  if (live) $("undo-text").textContent = _("{number} was marked as a no-show.", { number: desk.undo.number });
}

// Countdowns (no-show, undo) move every second, only while one runs.
function tickSeconds() {
  const cur = desk.state && desk.state.current;
  const running = noShowWait(cur) > 0 || !!desk.undo;
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
  const reasons = (desk.info && desk.info.priority_reasons) || [];
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
  const entries = Object.entries(desk.state.waiting || {});
  const rows = entries.map(([service, n]) => row(serviceName(service), n));
  if (entries.length > 1) rows.push(row(_("Total"), entries.reduce((sum, [, n]) => sum + n, 0), "total"));
  $("waiting").tBodies[0].replaceChildren(...rows);
}

function renderToday() {
  const counts = desk.state.today || {};
  $("today").tBodies[0].replaceChildren(
    row(_("Called"), counts.called || 0),
    row(_("Done"), counts.done || 0),
    row(_("No-show"), counts.no_show || 0),
    row(_("Transferred"), counts.transferred || 0),
  );
}

function renderNoShows() {
  const list = desk.state.no_shows || [];
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

export function updateButtons() {
  const state = desk.state;
  const cur = state && state.current;
  const paused = !!(state && state.paused);
  const off = !desk.online || desk.busy || !state;
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

export function showMessage(text, kind) {
  const box = $("action-message");
  box.textContent = text || "";
  box.className = `message ${kind || ""}`;
}

export function tickClock() {
  const now = new Date(serverNow()).toISOString();
  $("clock").textContent = timeOfDay(now);
  if (desk.state && desk.state.current) renderCurrent(desk.state.current);
}
