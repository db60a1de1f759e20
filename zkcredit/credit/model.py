"""Score model v1: a public, versioned integer scorecard, and the two policy predicates.

The score is ``base`` plus points from five factors, each a set of piecewise-constant
bands (docs/score-model.md explains every number):

1. payment history: share of records paid as agreed (status CURRENT or CLOSED and
   ``days_late < late_days``), banded by cross-multiplication ``100 * on_time >=
   pct * n`` (no division);
2. recent defaults: records with status DEFAULT reported within ``default_window``
   seconds before as_of (``updated_at + default_window > as_of``); points by count;
3. delinquency: points for having no record ``days_late >= d`` for each band d;
4. history length: ``as_of - min(opened_at)`` against second thresholds;
5. repaid volume: ``sum(repaid)`` in minor units against thresholds.

Factors 1-4 award nothing to an empty history. Every band awards non-negative points
and the maxima sum to at most ``max_score - base``, so ``base <= score <= max_score``
without clamping. All arithmetic is on integers; there is no division anywhere.

`score` is the plain-Python definition; `zkcredit.circuits.score_model` is the gadget and
the two must agree on every input (property-tested).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from zkcredit.errors import InvalidArgument
from zkcredit.hazmat.poseidon import poseidon_hash

from .records import DAYS_BITS, MONEY_BITS, TIME_BITS, CreditRecord, RecordStatus

__all__ = [
    "DEFAULT_MODEL",
    "MODEL_ID_DOMAIN",
    "MONTHS_BITS",
    "SECONDS_PER_MONTH",
    "ScoreModelV1",
    "check_as_of",
    "check_months",
    "no_default_within",
    "score",
    "total_outstanding",
]

#: A scoring month is 30 days (contract §3).
SECONDS_PER_MONTH = 2_592_000
#: ``no_default_months`` is below 2^12 (341 years), so months * SECONDS_PER_MONTH < 2^34.
MONTHS_BITS = 12
#: First element hashed into every model id: ``int.from_bytes(b"zkcredit/score-model", "big")``.
MODEL_ID_DOMAIN = int.from_bytes(b"zkcredit/score-model", "big")
_CHUNK = 15  # fields per Poseidon call after the chaining value (arity 16 max)

Band = tuple[int, int]  # (threshold, points)


def _months(n: int) -> int:
    return n * SECONDS_PER_MONTH


@dataclass(frozen=True)
class ScoreModelV1:
    """Parameters of score model v1 (all public; they become circuit constants)."""

    base: int = 300
    max_score: int = 850
    #: a record is "paid as agreed" if its status is CURRENT/CLOSED and days_late < this
    late_days: int = 30
    #: (percent of records paid as agreed, points), percents increasing
    on_time_bands: tuple[Band, ...] = (
        (50, 20), (70, 25), (85, 35), (93, 35), (97, 25), (100, 25),
    )
    #: defaults reported within this many seconds before as_of count (7 scoring years)
    default_window: int = 84 * SECONDS_PER_MONTH
    #: points when the count of recent defaults is 0, 1, ... (a longer count gets 0)
    default_points: tuple[int, ...] = (140, 50)
    #: (days late, points when no record is at least that many days late), increasing
    delinquency_bands: tuple[Band, ...] = ((30, 40), (90, 40))
    #: (seconds since the oldest record was opened, points), increasing
    age_bands: tuple[Band, ...] = (
        (_months(6), 10), (_months(12), 15), (_months(24), 20), (_months(48), 20),
        (_months(84), 25),
    )
    #: (total repaid in minor units, points), increasing
    volume_bands: tuple[Band, ...] = (
        (50_000, 15), (250_000, 15), (1_000_000, 15), (5_000_000, 15), (25_000_000, 15),
    )
    version: int = field(default=1, init=False)

    def __post_init__(self) -> None:
        for name in ("base", "max_score", "late_days", "default_window"):
            v = getattr(self, name)
            if type(v) is not int or v < 0:
                raise InvalidArgument(f"model {name} must be a non-negative int")
        if not 0 <= self.base <= self.max_score < 1 << 16:
            raise InvalidArgument("model needs 0 <= base <= max_score < 2^16")
        if not 1 <= self.late_days < 1 << DAYS_BITS:
            raise InvalidArgument("model late_days must be in 1..65535")
        if not 1 <= self.default_window < 1 << TIME_BITS:
            raise InvalidArgument("model default_window must be in 1..2^40-1 seconds")
        _check_bands(self.on_time_bands, "on_time_bands", 1, 100)
        _check_bands(self.delinquency_bands, "delinquency_bands", 1, (1 << DAYS_BITS) - 1)
        _check_bands(self.age_bands, "age_bands", 1, (1 << TIME_BITS) - 1)
        _check_bands(self.volume_bands, "volume_bands", 1, (1 << MONEY_BITS) - 1)
        if not isinstance(self.default_points, tuple) or not all(
            type(p) is int and 0 <= p < 1 << 16 for p in self.default_points
        ):
            raise InvalidArgument("model default_points must be a tuple of ints in 0..65535")
        if self.max_points() > self.max_score - self.base:
            raise InvalidArgument(
                f"model points can reach {self.base + self.max_points()} > max_score "
                f"{self.max_score}"
            )

    def max_points(self) -> int:
        """The most points the factors can award together."""
        return (
            sum(p for _, p in self.on_time_bands)
            + max(self.default_points, default=0)
            + sum(p for _, p in self.delinquency_bands)
            + sum(p for _, p in self.age_bands)
            + sum(p for _, p in self.volume_bands)
        )

    def to_fields(self) -> list[int]:
        """The parameters as integers, in a fixed order with every list length-prefixed.

        ``[version, base, max_score, late_days, default_window, len(on_time_bands),
        *flat(on_time_bands), len(default_points), *default_points, len(delinquency),
        *flat(delinquency), len(age_bands), *flat(age_bands), len(volume_bands),
        *flat(volume_bands)]`` where ``flat`` lists threshold, points per band."""
        out = [self.version, self.base, self.max_score, self.late_days, self.default_window]
        for bands in (self.on_time_bands,):
            out += [len(bands), *(x for band in bands for x in band)]
        out += [len(self.default_points), *self.default_points]
        for bands in (self.delinquency_bands, self.age_bands, self.volume_bands):
            out += [len(bands), *(x for band in bands for x in band)]
        return out

    def model_id(self) -> int:
        """Poseidon chain over ``[MODEL_ID_DOMAIN, len(fields), *fields]``.

        The list is cut into chunks of 15; ``h = 0``, then ``h = Poseidon([h, *chunk])``
        for each chunk in order (the last may be shorter); the model id is the final h."""
        return model_id_of_fields(self.to_fields())


def model_id_of_fields(fields: Sequence[int]) -> int:
    """The chained Poseidon of `ScoreModelV1.model_id` over any field list."""
    items = [MODEL_ID_DOMAIN, len(fields), *fields]
    h = 0
    for i in range(0, len(items), _CHUNK):
        h = poseidon_hash([h, *items[i:i + _CHUNK]])
    return h


def _check_bands(bands: object, name: str, lo: int, hi: int) -> None:
    if not isinstance(bands, tuple) or not bands:
        raise InvalidArgument(f"model {name} must be a non-empty tuple of (threshold, points)")
    prev = lo - 1
    for band in bands:
        if (
            not isinstance(band, tuple) or len(band) != 2
            or type(band[0]) is not int or type(band[1]) is not int
        ):
            raise InvalidArgument(f"model {name}: each band is an (int, int) pair")
        t, p = band
        if not prev < t <= hi:
            raise InvalidArgument(f"model {name}: thresholds must increase within {lo}..{hi}")
        if not 0 <= p < 1 << 16:
            raise InvalidArgument(f"model {name}: points must be in 0..65535")
        prev = t


DEFAULT_MODEL = ScoreModelV1()
"""Score model v1 with the published parameters (docs/score-model.md)."""


def check_as_of(as_of: object) -> int:
    """Validate an as-of time: Unix seconds in 0..2^40-1."""
    if type(as_of) is not int or not 0 <= as_of < 1 << TIME_BITS:
        raise InvalidArgument(f"as_of must be an int in 0..2^40-1 Unix seconds, got {as_of!r}")
    return as_of


def check_months(months: object) -> int:
    """Validate a month count for `no_default_within`: 0..2^12-1."""
    if type(months) is not int or not 0 <= months < 1 << MONTHS_BITS:
        raise InvalidArgument(f"months must be an int in 0..{(1 << MONTHS_BITS) - 1}")
    return months


def _check_records(records: Sequence[CreditRecord]) -> None:
    for i, r in enumerate(records):
        if not isinstance(r, CreditRecord):
            raise InvalidArgument(f"record {i} is not a CreditRecord")


def paid_as_agreed(model: ScoreModelV1, record: CreditRecord) -> bool:
    """Whether ``record`` counts as on time for the payment-history factor."""
    return (
        record.status in (RecordStatus.CURRENT, RecordStatus.CLOSED)
        and record.days_late < model.late_days
    )


def score(model: ScoreModelV1, records: Sequence[CreditRecord], as_of: int) -> int:
    """The v1 score of ``records`` at ``as_of`` (the module docstring defines it)."""
    if not isinstance(model, ScoreModelV1):
        raise InvalidArgument("score needs a ScoreModelV1")
    _check_records(records)
    as_of = check_as_of(as_of)
    n = len(records)
    total = model.base
    if n:
        on_time = sum(1 for r in records if paid_as_agreed(model, r))
        total += sum(p for pct, p in model.on_time_bands if 100 * on_time >= pct * n)
        recent = sum(
            1 for r in records
            if r.status == RecordStatus.DEFAULT and r.updated_at + model.default_window > as_of
        )
        if recent < len(model.default_points):
            total += model.default_points[recent]
        worst = max(r.days_late for r in records)
        total += sum(p for days, p in model.delinquency_bands if worst < days)
        oldest = min(r.opened_at for r in records)
        total += sum(p for secs, p in model.age_bands if oldest + secs <= as_of)
    volume = sum(r.repaid for r in records)
    total += sum(p for amount, p in model.volume_bands if volume >= amount)
    return total


def no_default_within(records: Sequence[CreditRecord], as_of: int, months: int) -> bool:
    """No DEFAULT record with ``updated_at > as_of - months * 2_592_000`` (months 0: True)."""
    _check_records(records)
    as_of = check_as_of(as_of)
    months = check_months(months)
    if months == 0:
        return True
    cutoff = as_of - months * SECONDS_PER_MONTH
    return not any(r.status == RecordStatus.DEFAULT and r.updated_at > cutoff for r in records)


def total_outstanding(records: Sequence[CreditRecord]) -> int:
    """Sum over records not CLOSED of ``max(amount - repaid, 0)`` (minor units)."""
    _check_records(records)
    return sum(
        max(r.amount - r.repaid, 0) for r in records if r.status != RecordStatus.CLOSED
    )
