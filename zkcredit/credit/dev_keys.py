"""A cached DEVELOPMENT setup of the threshold circuit, for the demo, tests and trials.

A single-party setup is fine for trying zkcredit and useless for production: whoever ran
it can forge proofs (docs/groth16.md). It takes seconds, so the demo and the CLI keep one
per circuit in a cache directory, keyed by the circuit's R1CS digest, and reuse it. The
cached file is the normal versioned proving-key file; its SHA-256 is checked when it is
loaded, and its metadata still says "development".
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

from zkcredit._files import write_file_atomic
from zkcredit.credit.model import ScoreModelV1
from zkcredit.credit.threshold import build_threshold_circuit
from zkcredit.errors import MalformedInput, OutputExists
from zkcredit.hazmat import groth16

__all__ = ["cache_dir", "development_keys"]


def cache_dir() -> Path:
    """``$ZKCREDIT_CACHE``, else ``$XDG_CACHE_HOME/zkcredit``, else ``~/.cache/zkcredit``."""
    explicit = os.environ.get("ZKCREDIT_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "zkcredit"


def development_keys(
    capacity: int = 32,
    model: ScoreModelV1 | None = None,
    *,
    directory: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> groth16.ProvingKey:
    """The threshold circuit's development proving key (its ``.vk`` is the verifying key),
    loaded from the cache or made once and cached. A corrupt cache file is replaced."""
    say = progress if progress is not None else (lambda _msg: None)
    compiled = build_threshold_circuit(capacity, model)
    folder = directory if directory is not None else cache_dir()
    path = folder / f"threshold-n{capacity}-{compiled.r1cs.digest()[:24]}.dev.zkey"
    if path.is_file():
        try:
            pk = groth16.ProvingKey.from_file(path)
            if pk.n_public == compiled.r1cs.n_public:
                say(f"using the cached development setup {path}")
                return pk
        except MalformedInput:
            pass
        say(f"the cached setup {path} is unreadable; making a new one")
    say(
        f"development setup of the threshold circuit ({compiled.r1cs.n_constraints} "
        "constraints; single party, NOT for production)"
    )
    pk, _vk = groth16.setup(compiled.r1cs)
    folder.mkdir(parents=True, exist_ok=True)
    # Another process may cache the same circuit first; its key is equally valid.
    with contextlib.suppress(OutputExists):
        write_file_atomic(path, pk.to_bytes(), replace=path.is_file())
    say(f"cached it in {path}")
    return pk
