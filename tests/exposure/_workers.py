"""Lender processes for the concurrency tests, started with multiprocessing's "spawn"
context (a fresh interpreter each, so nothing is shared with the test but the database).
"""

from __future__ import annotations

from multiprocessing.connection import Connection
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import Any

from zkcredit.errors import ExposureCapReached, ZkCreditError
from zkcredit.exposure import ExposureRegistry


def race(url: str, lender_id: int, nullifiers: list[int], barrier: Barrier,
         out: Queue[Any]) -> None:
    """Claim every nullifier in order, one transaction each, after all racers are ready;
    report (lender_id, won nullifiers, number lost)."""
    try:
        with ExposureRegistry(url) as reg:
            epoch = reg.current_epoch()
            won: list[int] = []
            lost = 0
            barrier.wait(timeout=120)
            for i, n in enumerate(nullifiers):
                try:
                    reg.claim(n, epoch, lender_id, f"race-{lender_id}-{i}")
                    won.append(n)
                except ExposureCapReached:
                    lost += 1
        out.put((lender_id, won, lost))
    except BaseException as exc:
        out.put((lender_id, repr(exc), -1))


def first_open(url: str, slots: int, epoch_seconds: int, barrier: Barrier,
               out: Queue[Any]) -> None:
    """Open (and so maybe create) a registry at the same moment as another process."""
    barrier.wait(timeout=120)
    try:
        with ExposureRegistry(url, slots=slots, epoch_seconds=epoch_seconds) as reg:
            out.put((slots, "ok", reg.slots))
    except ZkCreditError as exc:
        out.put((slots, type(exc).__name__, str(exc)))


def lender(url: str, lender_id: int, conn: Connection) -> None:
    """Serve one lender's registry calls sent over ``conn`` until told to stop."""
    with ExposureRegistry(url) as reg:
        conn.send("ready")
        while True:
            op, *args = conn.recv()
            if op == "stop":
                return
            try:
                if op == "claim":
                    claim = reg.claim(args[0], reg.current_epoch(), lender_id, args[1])
                    conn.send(("ok", claim.fresh))
                elif op == "release":
                    conn.send(("ok", reg.release(args[0], lender_id, args[1])))
                elif op == "is_claimed":
                    conn.send(("ok", reg.is_claimed(args[0])))
                elif op == "claimed":
                    conn.send(("ok", sorted(reg.claimed(reg.current_epoch()))))
                else:
                    conn.send(("unknown op", op))
            except ZkCreditError as exc:
                conn.send((type(exc).__name__, str(exc)))


def open_ledger_with_registry(url: str, barrier: Barrier, out: Queue[Any]) -> None:
    """Open a new ledger and a new registry in one database at the same moment as another
    process (both create their tables on first open); report "ok" or the error."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (  # noqa: PLC0415
        Ed25519PrivateKey,
    )

    from zkcredit.ledger import Ed25519RecordSigner, Ledger, ManualFeed  # noqa: PLC0415

    try:
        barrier.wait(timeout=120)
        with ExposureRegistry(url, slots=3, epoch_seconds=3600) as reg:
            feed = ManualFeed(3_000_000, 1_700_000_000)
            ledger = Ledger(url, primary_feed=feed,
                            record_signer=Ed25519RecordSigner(Ed25519PrivateKey.generate()),
                            audit_key=Ed25519PrivateKey.generate(), exposure=reg)
            ledger.close()
        out.put("ok")
    except BaseException as exc:
        out.put(f"{type(exc).__name__}: {exc}")
