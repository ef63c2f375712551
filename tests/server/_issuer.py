"""A kiosk process for the crash test: issue tickets over HTTP until a stop file appears.

Writes every ticket the server acknowledged (201) as one JSON line, flushed at
once; connection errors (the server being killed) are retried with a new request.
Usage: python -m tests.server._issuer URL OUT_FILE STOP_FILE KIOSK_ID
"""

from __future__ import annotations

import json
import os
import sys
import time

import requests

SERVICES = ("ho-tich", "dat-dai", "van-hoa-xa-hoi")


def main(url: str, out_path: str, stop_path: str, kiosk: str) -> int:
    session = requests.Session()
    headers = {"Authorization": "Bearer dev-kiosk"}
    i = 0
    with open(out_path, "a", encoding="utf-8") as out:
        while not os.path.exists(stop_path):
            # The token names the kiosk (kiosk-1); ``kiosk`` only labels this process.
            body = {"service": SERVICES[i % len(SERVICES)]}
            i += 1
            try:
                r = session.post(f"{url}/api/v1/tickets", json=body, headers=headers, timeout=10)
            except requests.RequestException:
                session.close()
                session = requests.Session()
                time.sleep(0.02)
                continue
            if r.status_code == 201:
                t = r.json()
                out.write(json.dumps({k: t[k] for k in ("id", "number", "service", "day")}) + "\n")
                out.flush()
            elif r.status_code >= 500:
                out.write(json.dumps({"server_error": r.status_code, "body": r.text}) + "\n")
                out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
