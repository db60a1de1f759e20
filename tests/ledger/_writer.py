"""Subprocess writer for the crash (D11) and concurrency (D12) tests.

    python _writer.py crash URL RUN_ID LINE_ID        # write until SIGKILLed
    python _writer.py draw URL RUN_ID LINE_ID N AMOUNT START_AT  # N draws, prints successes
"""

from __future__ import annotations

import sys
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from zkcredit import errors
from zkcredit.ledger import Ed25519RecordSigner, Ledger, PriceReading

PRICE = 3_000_000


class LiveFeed:
    def latest(self) -> PriceReading:
        return PriceReading(PRICE, int(time.time()) - 2)  # never "from the future"


def open_ledger(url: str) -> Ledger:
    return Ledger(url, primary_feed=LiveFeed(), fallback_feed=LiveFeed(),
                  record_signer=Ed25519RecordSigner(
                      Ed25519PrivateKey.from_private_bytes(b"\x02" * 32)),
                  audit_key=Ed25519PrivateKey.from_private_bytes(b"\x01" * 32),
                  clock=lambda: int(time.time()))


def crash(url: str, run: str, line: int) -> None:
    L = open_ledger(url)
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        cid = f"{run}-{i}"
        step = i % 4
        try:
            if step == 0:
                L.deposit(cid, f"lp-{i % 3}", 1000 + i)
            elif step == 1:
                L.draw(cid, line, 100 + i)
            elif step == 2:
                L.repay(cid, line, 50 + i)
            else:
                L.donate(cid, 7)
        except errors.LedgerError:
            pass


def draw(url: str, run: str, line: int, n: int, amount: int, start_at: float) -> None:
    L = open_ledger(url)
    while time.time() < start_at:
        time.sleep(0.001)
    ok = 0
    for i in range(n):
        try:
            L.draw(f"{run}-{i}", line, amount)
            ok += 1
        except errors.CreditLimitExceeded:
            pass
    print(ok, flush=True)
    L.close()


if __name__ == "__main__":
    mode, url, run, line = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    if mode == "crash":
        crash(url, run, line)
    else:
        draw(url, run, line, int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7]))
