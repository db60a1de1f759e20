"""B8: no toxic waste (tau, alpha, beta, gamma, delta) in any output, attribute or pickle;
randomness comes from the OS (getrandom in the core, `secrets` nowhere needed in Python,
never `random`)."""

from __future__ import annotations

import pickle
import re

from zkcredit.hazmat import groth16

from ._support import ROOT, keys, statement

DOCUMENTED_METADATA = {
    "format",
    "curve",
    "setup",
    "r1cs_sha256",
    "n_wires",
    "n_public",
    "n_constraints",
}


def test_B8_setup_says_it_is_a_development_setup() -> None:
    _, pk, _ = keys("bn254")
    assert pk.metadata["setup"] == groth16.DEVELOPMENT_SETUP
    assert "not for production" in groth16.DEVELOPMENT_SETUP
    assert "development" in repr(pk)


def test_B8_keys_expose_only_documented_fields() -> None:
    _, pk, vk = keys("bn254")
    assert set(pk.metadata) == DOCUMENTED_METADATA
    assert not hasattr(pk, "__dict__") and not hasattr(vk, "__dict__")
    assert set(groth16.ProvingKey.__slots__) == {"_native", "curve", "metadata", "vk"}
    public = {n for n in dir(pk._native) if not n.startswith("_")}
    assert public == {
        "domain_size",
        "from_bytes",
        "from_bytes_unchecked",
        "n_public",
        "n_wires",
        "to_bytes",
        "verifying_key_bytes",
    }
    secrets = re.compile(r"tau|alpha|beta|gamma|delta|toxic|secret|trapdoor", re.I)
    for obj in (pk, vk, pk._native):
        assert not [n for n in dir(obj) if secrets.search(n)]


def test_B8_pickles_hold_exactly_the_serialized_forms() -> None:
    _, pk, vk = keys("bn254")
    x, proof = statement("bn254")
    pk2 = pickle.loads(pickle.dumps(pk))
    assert pk2.to_bytes() == pk.to_bytes() and pk2.metadata == pk.metadata
    vk2 = pickle.loads(pickle.dumps(vk))
    assert vk2 == vk
    assert pickle.loads(pickle.dumps(proof)) == proof
    assert groth16.verify(vk2, x, proof)
    # The pickle of a key is the key file and nothing else.
    assert pk.__reduce__() == (groth16.ProvingKey.from_bytes, (pk.to_bytes(),))


def test_B8_two_setups_differ() -> None:
    r1cs, pk, vk = keys("bn254")
    pk2, vk2 = groth16.setup(r1cs)
    assert vk2 != vk
    assert pk2.to_bytes() != pk.to_bytes()


def test_B8_randomness_comes_from_the_os() -> None:
    rust = ROOT / "native" / "core" / "src" / "groth16"
    for path in rust.glob("*.rs"):
        text = path.read_text()
        assert not re.search(r"thread_rng|StdRng|SeedableRng|from_seed|test_rng", text), path
        if path.name in {"setup.rs", "prove.rs", "verify.rs"}:
            assert "OsRng" in text, path
    for name in ("groth16.py", "groth16_reference.py"):
        text = (ROOT / "zkcredit" / "hazmat" / name).read_text()
        assert not re.search(r"^\s*(import random|from random )", text, re.M)
    # Nothing in the core prints or logs.
    for path in rust.glob("*.rs"):
        assert not re.search(r"println!|eprintln!|dbg!|log::", path.read_text()), path
