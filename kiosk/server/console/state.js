// What the console knows: the centre (from /info), this counter's state, the session.
// One object, so that every module reads and changes the same values.

import { digits, local } from "./i18n.js";

export const $ = (id) => document.getElementById(id);

export const desk = {
  info: null,
  clockOffset: 0, // server clock - this PC's clock, ms
  state: null,
  token: sessionStorage.getItem("kiosk.console.token"),
  counterId: sessionStorage.getItem("kiosk.console.counter"),
  pin: null, // memory only: lets the page sign in again after a server restart
  online: true,
  busy: false,
  undo: null, // {id, number, until}: the last no-show, while it can be undone
};

export function serviceName(id) {
  const found = ((desk.info && desk.info.services) || []).find((s) => s.id === id);
  return found ? local(found.name) : id;
}

export function counterOf(id) {
  return ((desk.info && desk.info.counters) || []).find((c) => c.id === id);
}

export function serverNow() {
  return Date.now() + desk.clockOffset;
}

export function timeOfDay(iso) {
  if (!iso) return "";
  const timeZone = (desk.info && desk.info.timezone) || undefined;
  const options = { hour: "2-digit", minute: "2-digit", hour12: false, timeZone };
  return digits(new Date(Date.parse(iso)).toLocaleTimeString("en-GB", options));
}

export function minutesBetween(fromIso, toMs) {
  return Math.max(0, Math.floor((toMs - Date.parse(fromIso)) / 60000));
}
