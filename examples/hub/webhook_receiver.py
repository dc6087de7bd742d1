"""A webhook receiver for the tanglehub hub that checks every delivery's signature (standard library only).

Run: ``WEBHOOK_SECRET=whsec_... python examples/hub/webhook_receiver.py 9000`` and register
``http://127.0.0.1:9000/hook`` with ``POST /v1/webhooks``. Each verified event prints one line
``verified <seq> <kind>``; a bad or stale signature gets 400 and nothing is processed. Deliveries are
at-least-once: deduplicate on the event id (``Tanglehub-Event-Id``, the event's ``seq``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

SECRET = os.environ["WEBHOOK_SECRET"].encode()
TOLERANCE = 300  # seconds: refuse replays of old deliveries
seen: set[int] = set()  # a real receiver keeps this in its database, in the same transaction as the effect


def verify(header: str, body: bytes) -> bool:
    """True if ``Tanglehub-Signature: t=<ts>,v1=<hex>`` signs ``<ts>.<body>`` with our secret, recently."""
    parts = [p.split("=", 1) for p in header.split(",") if "=" in p]
    stamps = [v for k, v in parts if k.strip() == "t"]
    macs = [v for k, v in parts if k.strip() == "v1"]
    if len(stamps) != 1 or not stamps[0].isdigit() or not macs:
        return False
    if abs(time.time() - int(stamps[0])) > TOLERANCE:
        return False
    expected = hmac.new(SECRET, stamps[0].encode() + b"." + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, mac) for mac in macs)


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if not verify(self.headers.get("Tanglehub-Signature", ""), body):
            self.send_response(400)
            self.end_headers()
            return
        event = json.loads(body)
        if event["seq"] not in seen:  # a redelivery of an event already handled is acknowledged, not redone
            seen.add(event["seq"])
            print("verified", event["seq"], event["kind"], flush=True)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


if __name__ == "__main__":
    HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
