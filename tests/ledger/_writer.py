"""Subprocess writer for the crash (D11) and concurrency (D12) tests.

    python _writer.py crash URL RUN_ID LINE_ID        # write until SIGKILLed
    python _writer.py draw URL RUN_ID LINE_ID N AMOUNT START_AT  # N draws, prints successes
    python _writer.py batch URL RUN_ID LINE_ID SEED MAX_BATCHES START_AT
        # batches via submit_many (issue 13); after each commit prints
        # "B <batch no> <size> <id> <id> ..." (every command in these batches succeeds)
"""

from __future__ import annotations

import random
import sys
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from zkcredit import errors
from zkcredit.ledger import OK, Command, Ed25519RecordSigner, Ledger, PriceReading

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


def batch_commands(run: str, line: int, rng: random.Random, b: int) -> list[Command]:
    """Batch ``b`` of a writer: commands that cannot be refused (deposits, donations,
    small draws each followed by a larger repayment, accruals). The crash test replays
    the same ``rng`` to know every batch's commands, printed or not."""
    cmds = []
    for i in range(rng.randint(1, 12)):
        cid = f"{run}-{b}-{i}"
        step = rng.randrange(4)
        if step == 0:
            cmds.append(Command("deposit", cid, (f"lp-{i % 3}", 1000 + i)))
        elif step == 1:
            cmds.append(Command("draw", cid, (line, 100 + i)))
            cmds.append(Command("repay", cid + "r", (line, 200 + i)))
        elif step == 2:
            cmds.append(Command("donate", cid, (7,)))
        else:
            cmds.append(Command("accrue", cid, (line,)))
    return cmds


def batch(url: str, run: str, line: int, seed: int, max_batches: int, start_at: float) -> None:
    """Write batches; print each batch's ids once `submit_many` has returned, i.e. once
    the batch is durable. ``start_at`` < 0: start when a line arrives on stdin (so the
    crash test can start the next writer while it checks the last one)."""
    rng = random.Random(seed)
    L = open_ledger(url)
    print("ready", flush=True)
    if start_at < 0:
        sys.stdin.readline()
    while time.time() < start_at:
        time.sleep(0.001)
    for b in range(max_batches):
        cmds = batch_commands(run, line, rng, b)
        results = L.submit_many(cmds)
        bad = [r for r in results if r.status != OK]
        if bad:
            raise SystemExit(f"unexpected results: {bad[:3]}")
        print("B", b, len(cmds), *(c.command_id for c in cmds), flush=True)
    L.close()


if __name__ == "__main__":
    mode, url, run, line = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    if mode == "crash":
        crash(url, run, line)
    elif mode == "batch":
        batch(url, run, line, int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7]))
    else:
        draw(url, run, line, int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7]))
