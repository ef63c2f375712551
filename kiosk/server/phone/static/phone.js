// The citizen's phone page: follows one ticket by long-polling /t/{id}/live.
// The server renders every word; this script swaps the status block, alerts
// when the ticket is called (vibration and a beep where the browser allows),
// and sends the rating. After sleep or a lost network it catches up at once.

import { send } from "/js/http.js";
import { follow } from "/js/poll.js";
import { ratingPayload } from "/t/static/rating.js";

const body = document.body;
const id = body.dataset.ticket;
const lang = body.dataset.lang;
const WAIT_S = 25;
// Retries every 0.5-2 s while the server cannot be reached (docs/phone.md).
const RETRY_MAX_MS = 2000;
let version = body.dataset.version;
let calls = Number(body.dataset.calls || 0);
let controller = null;
let audio = null;
const $ = (sel) => document.querySelector(sel);

function offline(on) { $("#offline").hidden = !on; }

function beep() {
  if (!audio || audio.state !== "running") return;
  const t = audio.currentTime;
  [0, 0.45, 0.9].forEach((at) => {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.0001, t + at);
    gain.gain.exponentialRampToValueAtTime(0.4, t + at + 0.03);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + at + 0.35);
    osc.connect(gain).connect(audio.destination);
    osc.start(t + at);
    osc.stop(t + at + 0.4);
  });
}

function alertCalled() {
  try { if (navigator.vibrate) navigator.vibrate([400, 200, 400, 200, 400]); } catch (e) { /* not allowed */ }
  beep();
}

function apply(answer) {
  if (answer.version === version) return;
  version = answer.version;
  $("#live").innerHTML = answer.html;
  document.title = answer.title;
  body.dataset.status = answer.status || "";
  if (answer.alert && answer.calls > calls) alertCalled();
  calls = answer.calls;
  const sound = $("#sound");
  if (sound && !answer.may_call) sound.hidden = true;
}

async function poll(wait) {
  controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), (wait + 10) * 1000);
  try {
    const url = `/t/${encodeURIComponent(id)}/live?lang=${lang}&v=${version}&wait=${wait}`;
    const resp = await send("GET", url, { signal: controller.signal });
    if (!resp.ok) throw new Error(String(resp.status));
    return await resp.json();
  } finally {
    clearTimeout(timer);
  }
}

function followTicket() {
  follow(async () => {
    const answer = await poll(WAIT_S);
    offline(false);
    apply(answer);
    return Boolean(answer.live);
  }, {
    maxMs: RETRY_MAX_MS,
    failed: (err) => { if (!navigator.onLine || !(err && err.name === "AbortError")) offline(true); },
  });
}

// Back from sleep or from a lost network: drop the stale request, ask again now.
function wake() { if (controller) controller.abort(); }
document.addEventListener("visibilitychange", () => { if (!document.hidden) wake(); });
window.addEventListener("online", wake);
window.addEventListener("pageshow", (e) => { if (e.persisted) wake(); });

const sound = $("#sound");
const Ctx = window.AudioContext || window.webkitAudioContext;
if (sound && Ctx) {
  sound.hidden = false;
  sound.addEventListener("click", () => {
    audio = audio || new Ctx();
    audio.resume().then(() => { sound.hidden = true; });
    try { if (navigator.vibrate) navigator.vibrate(60); } catch (e) { /* not allowed */ }
  });
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (form.id !== "rating") return;
  event.preventDefault();
  const payload = ratingPayload(form);
  if (!payload) return;
  form.querySelector("button").disabled = true;
  try {
    await send("POST", `/api/v1/tickets/${encodeURIComponent(id)}/rating`, { body: payload });
    offline(false);
    // 201 or 409 (rated already): the next answer shows the thanks either way.
    apply(await poll(0));
  } catch (err) {
    offline(true);
    form.querySelector("button").disabled = false;
  }
});

if (body.dataset.live) followTicket();
