// Live without reload: long-poll GET /api/v1/events; every event that concerns this
// counter or its services re-reads the counter, and so does any gap (server restart,
// network drop). No `after` the first time: the server answers with the newest id.

import { follow } from "/js/poll.js";
import { refresh } from "./actions.js";
import { api } from "./api.js";
import { desk } from "./state.js";

const POLL_WAIT_S = 25;
let lastEvent = null;
let generation = 0;

function concernsMe(event) {
  const mine = (desk.state && desk.state.services) || [];
  return event.type === "day_reset" || event.counter === desk.counterId || mine.includes(event.service)
    || (event.data && mine.includes(event.data.from_service));
}

// Follows the events until signed out (a new sign-in starts a new follower).
export function followEvents() {
  const mine = ++generation;
  let stale = false;
  const current = () => desk.token && mine === generation;
  follow(async () => {
    if (!current()) return false;
    const query = lastEvent === null ? "" : `?after=${lastEvent}&wait=${POLL_WAIT_S}`;
    const res = await api("GET", "/events" + query);
    if (mine !== generation) return false;
    // A replaced database starts its ids again: follow the server's head.
    lastEvent = res.head < res.last ? res.head : res.last;
    if (stale || (res.events || []).some(concernsMe) || res.head < res.last) {
      stale = false;
      await refresh();
    }
    return true;
  }, {
    failed: (err) => {
      if (err.status === 401 || mine !== generation) return false;
      stale = true;
      return true;
    },
  });
}

export function stopFollowing() {
  generation += 1;
}
