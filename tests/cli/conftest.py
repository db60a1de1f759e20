"""CLI fixtures: one tiny circuit with one development setup and one proof per session,
and a runner parameter that runs each case through CliRunner and as a subprocess."""

from __future__ import annotations

import json

import pytest
from _cli_support import Runner, Tiny, as_subprocess, in_process, run, tiny_inputs
from zkcredit.circuits.poseidon import poseidon
from zkcredit.circuits.range_check import assert_bits

from zkcredit.circuit import Circuit, write_r1cs


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Tiny:
    """y = Poseidon(x, n) with x < 2^32 private; y, n public — via `circuit setup` and
    `proof create` on the command line."""
    d = tmp_path_factory.mktemp("tiny")
    c = Circuit("tiny")
    y = c.public("y")
    n = c.public("n")
    x = c.private("x")
    assert_bits(c, x, 32)
    c.assert_equal(poseidon(c, [x, n]), y, "y = Poseidon(x, n)")
    compiled = c.compile()
    (d / "tiny.r1cs").write_bytes(write_r1cs(compiled.r1cs))
    (d / "tiny.program.json").write_text(compiled.program.to_json())
    r = run("circuit", "setup", str(d / "tiny.r1cs"), "--out", str(d / "keys"))
    assert r.exit_code == 0, r.output
    (d / "input.json").write_text(json.dumps(tiny_inputs(12345, 7)))
    r = run("proof", "create", str(d / "tiny.program.json"), str(d / "keys/proving_key.bin"),
            str(d / "input.json"), "--proof", str(d / "proof.json"),
            "--public", str(d / "public.json"))
    assert r.exit_code == 0, r.output
    return Tiny(d, d / "tiny.r1cs", d / "tiny.program.json", d / "keys/proving_key.bin",
                d / "keys/verification_key.json", d / "input.json", d / "proof.json",
                d / "public.json", 12345, 7)


@pytest.fixture(params=["clirunner", "subprocess"])
def runner(request: pytest.FixtureRequest) -> Runner:
    """Each adversarial case runs in-process through CliRunner and as a real process."""
    return in_process if request.param == "clirunner" else as_subprocess
