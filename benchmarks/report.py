"""Write the figures table of docs/performance.md from benchmarks/results.json.

``make bench`` runs this after the suite, so the document always shows the
last run. Only the part between the two markers is rewritten; the prose
around it (what each figure means for a centre) is kept.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOC = HERE.parent / "docs" / "performance.md"
BEGIN, END = "<!-- figures:begin -->", "<!-- figures:end -->"


def meets(value: object, target: object) -> str:
    """'yes' / 'no' / '' for a value against a target like '<= 20' or '>= 500'."""
    if not isinstance(value, int | float) or not isinstance(target, str):
        return ""
    m = re.fullmatch(r"\s*(<=|>=|<|>|==)\s*([0-9.]+)\s*", target)
    if not m:
        return ""
    op, bound = m.group(1), float(m.group(2))
    ok = {
        "<=": value <= bound,
        ">=": value >= bound,
        "<": value < bound,
        ">": value > bound,
        "==": value == bound,
    }[op]
    return "yes" if ok else "**no**"


def table(results: dict) -> str:
    m = results["machine"]
    runs = {str(f.get("measured_at", results["generated_at"])) for f in results["figures"]}
    when = sorted(run[:16] for run in runs)
    span = when[0] if len(when) == 1 else f"{when[0]} to {when[-1]}"
    lines = [
        f"Measured {span} (UTC) on {m['cores']} cores, Python {m['python']}, "
        f"SQLite {m['sqlite']} ({m['platform']}).",
        "",
        "| suite | figure | value | unit | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for f in results["figures"]:
        value = f.get("value")
        shown = "error: " + str(f.get("error")) if value is None and f.get("error") else value
        suite = str(f.get("suite", "")).removeprefix("bench_")
        target = f.get("target") or ""
        lines.append(
            f"| {suite} | {f['name']} | {shown} | {f.get('unit', '')} | {target} | "
            f"{meets(value, f.get('target'))} |"
        )
    return "\n".join(lines)


def main() -> int:
    results = json.loads((HERE / "results.json").read_text(encoding="utf-8"))
    doc = DOC.read_text(encoding="utf-8")
    if BEGIN not in doc or END not in doc:
        print(f"{DOC}: the markers {BEGIN} / {END} are missing", file=sys.stderr)
        return 2
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{BEGIN}\n{table(results)}\n{END}{tail}", encoding="utf-8")
    print(f"updated {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
