"""A month of a busy commune centre, written by the real queue engine under a manual clock.

    python -m tests.reports.seed DB [--config config/center.toml] [--per-day 300]
        [--start 2026-11-01] [--days 30] [--seed 7]

Opening hours Monday-Friday 07:30-11:30 and 13:30-17:00, Saturday mornings; arrivals
follow a morning peak (8-10 h) and a smaller afternoon one; services are picked by
weight, 12 % of tickets are priority, 15 % Khmer and 5 % English. Each counter calls
the next ticket of its services when free: 5 % do not come (called, recalled after
2 minutes, no-show 3 minutes later), 4 % are transferred to another service, the
rest are served in 4-20 minutes; 45 % of served tickets are rated (some with
reasons, one in 25 with a comment); 2 % of prints fail. Everything goes through
:class:`QueueEngine`, so the tickets, the event log and the ratings are exactly
what a real day writes.
"""

from __future__ import annotations

import argparse
import heapq
import random
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from kiosk.config import Config, load_config
from kiosk.queue import IssueOrder, ManualClock, QueueEngine
from kiosk.queue.errors import QueueError

# Share of the day's arrivals in each local hour (morning peak, afternoon bump).
HOURLY = {7: 0.06, 8: 0.20, 9: 0.21, 10: 0.15, 11: 0.04, 13: 0.08, 14: 0.12, 15: 0.09, 16: 0.05}
OPEN = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))
SATURDAY = ((time(7, 30), time(11, 30)),)
SERVICE_WEIGHTS = {"ho-tich": 0.34, "chung-thuc": 0.30, "dat-dai": 0.16}
RATING_SCORES = (4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 2, 2, 1)
# What citizens write, by score (1..4). Picked by the rating's number, not the random
# generator, so that the rest of the seeded month stays what it was.
COMMENT_EVERY = 25
COMMENTS = {
    1: ("Chờ gần một tiếng mà không ai giải thích vì sao.", "Waited an hour, nobody said why."),
    2: ("Phải về lấy thêm giấy tờ, lẽ ra nên được dặn từ đầu.", "ខ្ញុំរង់ចាំយូរពេក។"),
    3: ("Được, nhưng nên có thêm ghế ngồi chờ.", "ល្អ ប៉ុន្តែគួរមានកៅអីបន្ថែម។"),
    4: ("Cán bộ hướng dẫn tận tình, cảm ơn!", "មន្ត្រីបានជួយខ្ញុំយ៉ាងល្អ អរគុណ។"),
}


@dataclass(order=True)
class _Job:
    at: datetime
    order: int
    kind: str = field(compare=False)
    data: dict[str, Any] = field(compare=False, default_factory=dict)


def _opening(day: date) -> tuple[tuple[time, time], ...]:
    if day.weekday() == 6:
        return ()
    return SATURDAY if day.weekday() == 5 else OPEN


class Simulation:
    def __init__(self, cfg: Config, db: Path, rng: random.Random, clock: ManualClock) -> None:
        self.cfg, self.rng, self.clock = cfg, rng, clock
        self.engine = QueueEngine(cfg, db, clock=clock)
        self.jobs: list[_Job] = []
        self.order = 0
        self.services = [s.id for s in cfg.services]
        self.weights = [
            SERVICE_WEIGHTS.get(s, 0.2 / max(1, len(self.services))) for s in self.services
        ]
        self.reasons = [r.id for r in cfg.queue.priority_reasons]
        self.rating_reasons = [r.id for r in cfg.satisfaction.reasons]
        self.kiosks = ["kiosk-1", "kiosk-2"]
        self.idle: set[str] = set()
        self.closes: datetime | None = None
        self.counts = {"issued": 0, "rated": 0}

    def push(self, at: datetime, kind: str, **data: Any) -> None:
        self.order += 1
        heapq.heappush(self.jobs, _Job(at, self.order, kind, data))

    def plan_day(self, day: date, per_day: int) -> None:
        tz = self.cfg.tz
        opening = _opening(day)
        if not opening:
            return
        scale = 0.55 if day.weekday() == 5 else 1.0
        for hour, share in HOURLY.items():
            start = datetime.combine(day, time(hour), tz)
            for _ in range(round(self.rng.gauss(per_day * share * scale, 3))):
                at = start + timedelta(seconds=self.rng.uniform(0, 3600))
                if any(a <= at.timetz().replace(tzinfo=None) < b for a, b in opening):
                    self.push(at, "arrive")
        for a, b in opening:
            for counter in self.cfg.counters:
                self.push(datetime.combine(day, a, tz), "open", counter=counter.id)
            self.push(datetime.combine(day, b, tz), "close")

    def run(self) -> None:
        while self.jobs:
            job = heapq.heappop(self.jobs)
            self.clock.set(job.at)
            getattr(self, f"_{job.kind}")(job)

    # -- the jobs ------------------------------------------------------------
    def _arrive(self, job: _Job) -> None:
        rng = self.rng
        priority = rng.random() < 0.12
        lang = rng.choices(["vi", "km", "en"], [0.80, 0.15, 0.05])[0]
        ticket = self.engine.issue(
            IssueOrder(
                rng.choices(self.services, self.weights)[0],
                priority=priority,
                priority_reason=rng.choice(self.reasons) if priority and self.reasons else None,
                lang=lang,
                kiosk=rng.choice(self.kiosks),
            )
        )
        self.counts["issued"] += 1
        self.engine.record_print(ticket["id"], rng.random() >= 0.02, None)
        for counter in sorted(self.idle):
            self.push(job.at + timedelta(seconds=rng.uniform(5, 40)), "call", counter=counter)
        self.idle.clear()

    def _open(self, job: _Job) -> None:
        self.closes = None
        self.push(job.at + timedelta(seconds=self.rng.uniform(0, 120)), "call", **job.data)

    def _close(self, job: _Job) -> None:
        self.closes = job.at
        self.idle.clear()

    def _call(self, job: _Job) -> None:
        counter = job.data["counter"]
        if self.closes is not None and job.at >= self.closes:
            return
        ticket = self.engine.call_next(counter)
        if ticket is None:
            self.idle.add(counter)
            return
        rng = self.rng
        if rng.random() < 0.05:
            self.push(job.at + timedelta(minutes=2), "recall", counter=counter)
            return
        self.push(job.at + timedelta(seconds=rng.uniform(20, 90)), "start", counter=counter)

    def _recall(self, job: _Job) -> None:
        self.engine.recall(job.data["counter"])
        self.push(job.at + timedelta(minutes=3), "no_show", **job.data)

    def _no_show(self, job: _Job) -> None:
        self.engine.no_show(job.data["counter"])
        self.push(job.at + timedelta(seconds=10), "call", **job.data)

    def _start(self, job: _Job) -> None:
        counter = job.data["counter"]
        ticket = self.engine.start(counter)
        rng = self.rng
        if rng.random() < 0.04:
            others = [s for s in self.services if s != ticket["service"]]
            self.push(
                job.at + timedelta(minutes=3), "transfer", counter=counter, to=rng.choice(others)
            )
            return
        minutes = min(20.0, max(4.0, rng.lognormvariate(2.05, 0.35)))
        self.push(job.at + timedelta(minutes=minutes), "done", counter=counter)

    def _transfer(self, job: _Job) -> None:
        self.engine.transfer(job.data["counter"], job.data["to"])
        self.push(job.at + timedelta(seconds=10), "call", counter=job.data["counter"])

    def _done(self, job: _Job) -> None:
        ticket = self.engine.done(job.data["counter"])
        rng = self.rng
        if rng.random() < 0.45:
            self.push(job.at + timedelta(seconds=rng.uniform(10, 300)), "rate", ticket=ticket["id"])
        self.push(job.at + timedelta(seconds=rng.uniform(10, 60)), "call", **job.data)

    def _rate(self, job: _Job) -> None:
        rng = self.rng
        score = rng.choice(RATING_SCORES)
        reasons = (
            rng.sample(self.rating_reasons, k=min(len(self.rating_reasons), rng.randint(1, 2)))
            if score <= 2 and self.rating_reasons
            else []
        )
        source = "terminal" if rng.random() < 0.3 else "phone"
        n = self.counts["rated"]
        said = COMMENTS.get(score, ("",))
        comment = said[(n // COMMENT_EVERY) % len(said)] if n % COMMENT_EVERY == 0 else None
        try:
            self.engine.rate(
                job.data["ticket"], score, reasons=reasons, source=source, comment=comment
            )
        except QueueError:
            return  # rating closed (e.g. the scale changed): a citizen would see the same
        self.counts["rated"] += 1


def seed_month(
    cfg: Config, db: Path, *, start: date, days: int, per_day: int, seed: int = 7
) -> dict[str, int]:
    """Write ``days`` days of traffic from ``start`` into the queue database ``db``."""
    rng = random.Random(seed)
    clock = ManualClock(datetime.combine(start, time(6), cfg.tz))
    sim = Simulation(cfg, db, rng, clock)
    try:
        for offset in range(days):
            sim.plan_day(start + timedelta(days=offset), per_day)
        sim.run()
    finally:
        sim.engine.close()
    return sim.counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.reports.seed", description=__doc__)
    parser.add_argument("db", type=Path)
    parser.add_argument("--config", type=Path, default=Path("config/center.toml"))
    parser.add_argument("--per-day", type=int, default=300)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 11, 1))
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    counts = seed_month(
        load_config(args.config),
        args.db,
        start=args.start,
        days=args.days,
        per_day=args.per_day,
        seed=args.seed,
    )
    print(f"{args.db}: {counts['issued']} tickets, {counts['rated']} ratings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
