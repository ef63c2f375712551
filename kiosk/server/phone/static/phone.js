// The citizen's phone page: follows one ticket by long-polling /t/{id}/live.
// The server renders every word; this script swaps the status block, alerts
// when the ticket is called (vibration and a beep where the browser allows),
// and sends the rating. After sleep or a lost network it catches up at once.
"use strict";
(function () {
  const body = document.body;
  const id = body.dataset.ticket;
  const lang = body.dataset.lang;
  const WAIT_S = 25;
  const RETRY_MS = [500, 1000, 2000];
  let version = body.dataset.version;
  let calls = Number(body.dataset.calls || 0);
  let failures = 0;
  let controller = null;
  let audio = null;
  const $ = (sel) => document.querySelector(sel);
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

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
    if (answer.alert && answer.calls > calls) alertCalled();
    calls = answer.calls;
    const sound = $("#sound");
    if (sound && !answer.live) sound.hidden = true;
  }

  async function poll(wait) {
    controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), (wait + 10) * 1000);
    try {
      const url = `/t/${encodeURIComponent(id)}/live?lang=${lang}&v=${version}&wait=${wait}`;
      const resp = await fetch(url, { cache: "no-store", signal: controller.signal });
      if (!resp.ok) throw new Error(String(resp.status));
      return await resp.json();
    } finally {
      clearTimeout(timer);
    }
  }

  async function follow() {
    for (;;) {
      try {
        const answer = await poll(WAIT_S);
        failures = 0;
        offline(false);
        apply(answer);
        if (!answer.live) return;
      } catch (err) {
        if (!navigator.onLine || !(err && err.name === "AbortError")) offline(true);
        await sleep(RETRY_MS[Math.min(failures, RETRY_MS.length - 1)]);
        failures += 1;
      }
    }
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
    const error = form.querySelector(".error");
    const picked = form.querySelector("input[name=score]:checked");
    if (!picked) { error.textContent = error.dataset.choose; return; }
    const payload = {
      score: Number(picked.value),
      reasons: Array.from(form.querySelectorAll("input[name=reasons]:checked"), (el) => el.value),
    };
    const comment = form.querySelector("textarea[name=comment]").value.trim();
    if (comment) payload.comment = comment;
    form.querySelector("button").disabled = true;
    try {
      const resp = await fetch(`/api/v1/tickets/${encodeURIComponent(id)}/rating`, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload),
      });
      if (resp.status >= 500) throw new Error(String(resp.status));
      offline(false);
      // 201 or 409 (rated already): the next answer shows the thanks either way.
      apply(await poll(0));
    } catch (err) {
      offline(true);
      form.querySelector("button").disabled = false;
    }
  });

  if (body.dataset.live) follow();
})();
