"""``credit_score_bench``: the benchmark statement of issue 3, fixed so tools compare.

Statement (public: commitment, as_of, threshold, borrower, nonce; the rest private):

* 32 records ``(timestamp < 2^40, amount < 2^64, days_late < 2^16, status ∈ {0 open,
  1 repaid on time, 2 repaid late, 3 defaulted})``, each with a private salt;
* ``leaf_i = Poseidon(timestamp, amount, days_late, status, salt)``;
* ``root`` = Merkle root of the 32 leaves with Poseidon(2) (depth 5);
* ``commitment = Poseidon(root, blinding)``;
* ``age_months = (as_of - min_i timestamp_i) div 2,592,000``, with
  ``0 <= as_of - oldest < 2^40`` (as_of is not before the oldest record);
* ``score = 300 + 15·on_time − 40·late − 120·defaulted + min(age_months, 100)``, counts
  over the 32 records, clamped to [300, 850];
* ``score >= threshold`` with ``0 <= threshold < 2^10`` (range-checked: a threshold
  given as r - 1 is refused, not read as -1);
* borrower and nonce are bound by the constraint ``borrower · nonce = bind``, so neither
  public input can be optimized out or left free.

Constrains everything above. Assumes nothing about the inputs. Leaves free: nothing
(``bind`` is a product wire fixed by its one constraint; the linter waiver records it).
The circom twin is ``bench/credit_score_bench.circom``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from zkcredit.circuit import Circuit, LinComb
from zkcredit.hazmat.poseidon import poseidon_hash_reference

from .bits import to_bits
from .compare import assert_ge
from .division import int_divmod
from .merkle import merkle_root
from .minmax import clamp, min_value
from .poseidon import poseidon
from .range_check import assert_bits

__all__ = [
    "AGE_CAP",
    "N_RECORDS",
    "SECONDS_PER_MONTH",
    "THRESHOLD_BITS",
    "credit_score_bench",
    "evaluate",
    "sample_inputs",
]

N_RECORDS = 32
DEPTH = 5
SECONDS_PER_MONTH = 2_592_000
AGE_CAP = 100
SCORE_MIN, SCORE_MAX = 300, 850
#: Scores are compared after adding 120 * 32 = 3840 (the largest possible penalty), so
#: every intermediate is a non-negative integer below 2^13.
_SCORE_BITS = 13
#: Thresholds are integers below 2^10 (scores never exceed 850).
THRESHOLD_BITS = 10


def credit_score_bench(c: Circuit) -> None:
    """Define the statement on ``c`` (inputs declared in the order of the docstring)."""
    commitment = c.public("commitment")
    as_of = c.public("as_of")
    threshold = c.public("threshold")
    borrower = c.public("borrower")
    nonce = c.public("nonce")
    ts = c.private_list("timestamp", N_RECORDS)
    amount = c.private_list("amount", N_RECORDS)
    days_late = c.private_list("days_late", N_RECORDS)
    status = c.private_list("status", N_RECORDS)
    salt = c.private_list("salt", N_RECORDS)
    blinding = c.private("blinding")

    leaves: list[LinComb] = []
    on_time: list[LinComb] = []
    late: list[LinComb] = []
    defaulted: list[LinComb] = []
    for i in range(N_RECORDS):
        with c.scope(f"record[{i}]"):
            assert_bits(c, ts[i], 40, "timestamp")
            assert_bits(c, amount[i], 64, "amount")
            assert_bits(c, days_late[i], 16, "days_late")
            b0, b1 = to_bits(c, status[i], 2, "status")
            d = c.mul(b0, b1, "defaulted")
            defaulted.append(d)
            on_time.append(b0 - d)
            late.append(b1 - d)
            leaves.append(poseidon(c, [ts[i], amount[i], days_late[i], status[i], salt[i]]))
    with c.scope("history"):
        root = merkle_root(c, leaves)
        c.assert_equal(poseidon(c, [root, blinding]), commitment, "commitment")
    with c.scope("age"):
        oldest = ts[0]
        for t in ts[1:]:
            oldest = min_value(c, oldest, t, 40)
        months, _ = int_divmod(c, as_of - oldest, SECONDS_PER_MONTH, 40, "months")
        capped = min_value(c, months, AGE_CAP, 40 - SECONDS_PER_MONTH.bit_length() + 1)
    with c.scope("score"):
        shift = 120 * N_RECORDS  # raw score + shift >= 300 > 0
        raw = (
            c.linear_combination(
                [(15, x) for x in on_time] + [(-40, x) for x in late]
                + [(-120, x) for x in defaulted],
                300 + shift,
            )
            + capped
        )
        shifted = clamp(c, raw, SCORE_MIN + shift, SCORE_MAX + shift, _SCORE_BITS)
        score = shifted - shift
        # The clamp proves 300 + shift <= shifted <= 850 + shift, so 300 <= score <= 850.
        c.note_bound(score, SCORE_MAX.bit_length())
        # threshold is range-checked to 10 bits here: a public r - 1 is refused, never
        # read as -1.
        assert_ge(c, score, threshold, THRESHOLD_BITS, "score_at_least_threshold")
    with c.scope("binding"):
        bind = c.mul(borrower, nonce, "borrower_nonce")
        c.waive(bind, "binds the public borrower and nonce; fixed by its one constraint")


def evaluate(inputs: Mapping[str, Any]) -> dict[str, int]:
    """Plain-Python evaluation of the statement: the score and the commitment.

    Raises ValueError when an input is out of its stated range."""
    ts = [int(v) for v in inputs["timestamp"]]
    amount = [int(v) for v in inputs["amount"]]
    late_days = [int(v) for v in inputs["days_late"]]
    status = [int(v) for v in inputs["status"]]
    salt = [int(v) for v in inputs["salt"]]
    for t, a, dl, s in zip(ts, amount, late_days, status, strict=True):
        if not (0 <= t < 2**40 and 0 <= a < 2**64 and 0 <= dl < 2**16 and s in (0, 1, 2, 3)):
            raise ValueError("record out of range")
    leaves = [
        poseidon_hash_reference([t, a, dl, s, k])
        for t, a, dl, s, k in zip(ts, amount, late_days, status, salt, strict=True)
    ]
    layer = leaves
    while len(layer) > 1:
        layer = [poseidon_hash_reference([layer[i], layer[i + 1]])
                 for i in range(0, len(layer), 2)]
    commitment = poseidon_hash_reference([layer[0], int(inputs["blinding"])])
    diff = int(inputs["as_of"]) - min(ts)
    if not 0 <= diff < 2**40:
        raise ValueError("as_of is before the oldest record or too far after it")
    months = diff // SECONDS_PER_MONTH
    score = (300 + 15 * status.count(1) - 40 * status.count(2) - 120 * status.count(3)
             + min(months, AGE_CAP))
    return {"score": min(max(score, SCORE_MIN), SCORE_MAX), "commitment": commitment}


def sample_inputs(seed: int = 1, threshold: int = 600) -> dict[str, Any]:
    """A deterministic valid assignment (mostly on-time history, five years old)."""
    import random  # noqa: PLC0415  (test data only; never used for secrets)

    rng = random.Random(seed)  # noqa: S311
    as_of = 1_700_000_000
    ts = [as_of - rng.randrange(1, 60 * SECONDS_PER_MONTH) for _ in range(N_RECORDS)]
    status = [1] * 28 + [2, 2, 0, 0]
    rng.shuffle(status)
    inputs: dict[str, Any] = {
        "as_of": as_of,
        "threshold": threshold,
        "borrower": rng.randrange(1, 2**160),
        "nonce": rng.randrange(1, 2**128),
        "timestamp": ts,
        "amount": [rng.randrange(0, 2**64) for _ in range(N_RECORDS)],
        "days_late": [rng.randrange(0, 90) if s == 2 else 0 for s in status],
        "status": status,
        "salt": [rng.randrange(0, 2**250) for _ in range(N_RECORDS)],
        "blinding": rng.randrange(0, 2**250),
    }
    inputs["commitment"] = evaluate(inputs)["commitment"]
    return inputs


def assignment_order() -> Sequence[str]:
    """Input names in declaration order (public first)."""
    return ("commitment", "as_of", "threshold", "borrower", "nonce", "timestamp", "amount",
            "days_late", "status", "salt", "blinding")
