// What staff do at the desk (call next, recall, no-show, done, transfer, pause) and the
// re-read of the counter after each action or event.

import { api, explain } from "./api.js";
import { _, local } from "./i18n.js";
import { render, showMessage, updateButtons } from "./render.js";
import { $, desk, serverNow, serviceName } from "./state.js";

// How long a no-show can be undone with one click (after that: "Call back" in the list).
const UNDO_S = 60;

let refreshing = null;
let refreshAgain = false;

// Re-read the counter; calls made while one is running are folded into one more.
export function refresh() {
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = (async () => {
    try {
      do {
        refreshAgain = false;
        desk.state = await api("GET", `/counters/${encodeURIComponent(desk.counterId)}`);
        render();
      } while (refreshAgain);
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export async function act(action, body) {
  if (desk.busy || !desk.online) return;
  desk.busy = true;
  updateButtons();
  showMessage("");
  try {
    const res = await api("POST", `/counters/${encodeURIComponent(desk.counterId)}/${action}`, body);
    if (action === "next" && res === null) showMessage(_("Nobody is waiting."), "info");
    desk.undo = null;
    if (action === "no-show" && res) desk.undo = { id: res.id, number: res.number, until: serverNow() + UNDO_S * 1000 };
    if (action === "transfer" && res) {
      showMessage(_("{number} was sent to {service}.", { number: res.number, service: serviceName(res.service) }), "info");
    }
  } catch (err) {
    if (err.status !== 401) showMessage(explain(err), "error");
  } finally {
    desk.busy = false;
  }
  try { await refresh(); } catch (err) { /* the poll loop reports and retries */ }
  updateButtons();
}

export function openTransfer() {
  const cur = desk.state && desk.state.current;
  if (!cur) return;
  $("transfer-title").textContent = _("Send {number} to", { number: cur.number });
  const choices = ((desk.info && desk.info.services) || []).filter((s) => s.id !== cur.service);
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
