"""Group commit: callers submit one command at a time, the ledger commits them in batches.

A durable commit costs one fsync whatever it holds, so `GroupCommitter` merges the
commands of concurrent callers into one `Ledger.submit_many` (one transaction). A
background thread takes whatever is queued, up to ``max_batch`` commands, waiting at
most ``max_delay`` seconds for more once the first arrives; while one batch commits, the
next one fills. `submit` blocks until the caller's batch has committed, so a result a
caller holds is durable. A batch-level failure (storage, a bug) is raised to every
caller whose command was in that batch: none of those commands was committed.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from zkcredit.errors import InvalidArgument, StorageError
from zkcredit.ledger._ledger import Command, CommandResult, Ledger

__all__ = ["GroupCommitter"]


@dataclass(slots=True)
class _Pending:
    command: Command
    done: threading.Event = field(default_factory=threading.Event)
    result: CommandResult | None = None
    error: BaseException | None = None


class GroupCommitter:
    """A thread-safe front that group-commits single commands into batches.

    Args:
        ledger: the `Ledger` the batches go to (its engine is thread-safe).
        max_batch: most commands in one transaction (1..100,000).
        max_delay: longest a queued command waits for company before its batch starts,
            in seconds (0..1). Commands that arrive while a batch commits form the next
            batch anyway, so a small value (the default, 1 ms) is usually right.
    """

    def __init__(self, ledger: Ledger, *, max_batch: int = 512,
                 max_delay: float = 0.001) -> None:
        if not isinstance(ledger, Ledger):
            raise InvalidArgument("GroupCommitter needs a Ledger")
        if type(max_batch) is not int or not 1 <= max_batch <= 100_000:
            raise InvalidArgument("max_batch must be an int in 1..100000")
        if type(max_delay) not in (int, float) or not 0 <= max_delay <= 1:
            raise InvalidArgument("max_delay must be a number of seconds in 0..1")
        self.ledger = ledger
        self.max_batch = max_batch
        self.max_delay = float(max_delay)
        self.batches = 0  # committed or failed batches, for tests and the benchmark
        self._queue: list[_Pending] = []
        self._cv = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="ledger-group-commit",
                                        daemon=True)
        self._thread.start()

    def submit(self, command: Command) -> CommandResult:
        """Queue ``command`` and block until its batch has committed; its result.

        Raises the batch's exception if the batch failed as a whole (nothing of it was
        committed), and `StorageError` if the committer is closed.
        """
        if not isinstance(command, Command):
            raise InvalidArgument(f"not a Command: {type(command).__name__}")
        pending = _Pending(command)
        with self._cv:
            if self._closed:
                raise StorageError("the group committer is closed")
            self._queue.append(pending)
            self._cv.notify_all()
        pending.done.wait()
        if pending.error is not None:
            raise pending.error
        if pending.result is None:  # pragma: no cover - set together with done
            raise StorageError("group commit finished without a result")
        return pending.result

    def close(self) -> None:
        """Stop accepting commands, commit everything already queued, stop the thread."""
        with self._cv:
            self._closed = True
            self._cv.notify_all()
        self._thread.join()

    def __enter__(self) -> GroupCommitter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _next_batch(self) -> list[_Pending] | None:
        """Wait for work; None once closed and drained."""
        with self._cv:
            while not self._queue and not self._closed:
                self._cv.wait()
            if not self._queue:
                return None
            deadline = time.monotonic() + self.max_delay
            while len(self._queue) < self.max_batch and not self._closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cv.wait(left)
            batch = self._queue[:self.max_batch]
            del self._queue[:self.max_batch]
            return batch

    def _loop(self) -> None:
        while (batch := self._next_batch()) is not None:
            try:
                results = self.ledger.submit_many([p.command for p in batch])
            except BaseException as exc:
                for p in batch:
                    p.error = exc
            else:
                for p, r in zip(batch, results, strict=True):
                    p.result = r
            self.batches += 1
            for p in batch:
                p.done.set()
