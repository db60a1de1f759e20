"""The exported exposure registry contract (issue 12), compiled with the npm solc and run
on py-evm, with an owner, two lenders and an outsider as separate signed senders and the
block clock pinned to move across exposure epochs.

`SCENARIO` is one scripted run of claims, releases and clock moves across two lenders,
each step with its expected outcome; `test_scenario_contract_matches_model` runs it on the
contract and on `ModelRegistry` (the registry's semantics written plainly here) and
compares them step by step. `run_scenario` takes any `Driver`, so the same scenario can
be pointed at the Python `ExposureRegistry`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pytest
from groth16 import _evm

from zkcredit.errors import ExposureCapReached, ExposureEpochClosed, IdempotencyConflict
from zkcredit.exposure import export_exposure_registry_solidity, slot_nullifiers
from zkcredit.hazmat.solidity import SCALAR_MODULUS

pytestmark = pytest.mark.interop

R = SCALAR_MODULUS
NAME = "ZkCreditExposureRegistry"
SLOTS = 2
EPOCH_SECONDS = 1_000
# Deployment one second into epoch E0 (after the genesis block, 1_700_000_000); the
# scenario starts ten seconds in, after the deployment's three blocks.
E0 = 1_700_001
DEPLOY_AT = E0 * EPOCH_SECONDS + 1
T0 = E0 * EPOCH_SECONDS + 10
LENDER_A_ID, LENDER_B_ID = 11, 22


# --- ABI helpers (every argument of this contract is one static word) ----------------


def _word(x: int | bytes) -> bytes:
    if isinstance(x, bytes):
        assert len(x) in (20, 32), x
        return x.rjust(32, b"\x00")  # an address is left-padded; bytes32 is as is
    return x.to_bytes(32, "big")


def _calldata(signature: str, *args: int | bytes) -> bytes:
    return _evm.selector(signature) + b"".join(_word(a) for a in args)


def ref(text: str) -> bytes:
    """A claimRef (bytes32) from a short label."""
    raw = text.encode()
    assert len(raw) <= 32
    return raw.ljust(32, b"\x00")


def revert_data(signature: str, *args: int | bytes) -> bytes:
    """The revert data of the custom error ``signature`` with ``args``."""
    return _calldata(signature, *args)


def topic0(signature: str) -> int:
    from eth_utils import keccak  # noqa: PLC0415

    return int.from_bytes(keccak(text=signature), "big")


def _uint(output: bytes) -> int:
    assert len(output) == 32, output.hex()
    return int.from_bytes(output, "big")


@dataclass
class Registry:
    evm: _evm.Evm
    address: bytes
    errors: dict[bytes, str]  # error selector -> name, from the ABI

    def tx(self, sender: bytes, signature: str, *args: int | bytes) -> _evm.CallResult:
        return self.evm.call(self.address, _calldata(signature, *args), sender=sender)

    def view(self, signature: str, *args: int | bytes) -> bytes:
        return self.evm.view(self.address, _calldata(signature, *args))

    def claim(self, sender: bytes, n: int, epoch: int, claim_ref: bytes) -> _evm.CallResult:
        return self.tx(sender, "claim(uint256,uint64,bytes32)", n, epoch, claim_ref)

    def release(self, sender: bytes, n: int, claim_ref: bytes) -> _evm.CallResult:
        return self.tx(sender, "release(uint256,bytes32)", n, claim_ref)

    def is_claimed(self, n: int) -> bool:
        return _evm.decode_bool(self.view("isClaimed(uint256)", n))

    def holds(self, lender: bytes, n: int, claim_ref: bytes) -> bool:
        return _evm.decode_bool(self.view("holds(address,uint256,bytes32)", lender, n, claim_ref))

    def current_epoch(self) -> int:
        return _uint(self.view("currentEpoch()"))

    def error_name(self, res: _evm.CallResult) -> str:
        assert not res.success
        return self.errors[res.output[:4]]


@dataclass
class Parties:
    owner: bytes
    lender_a: bytes
    lender_b: bytes
    outsider: bytes


@pytest.fixture(scope="module")
def compiled() -> _evm.Compiled:
    _evm.require_tools()
    return _evm.compile_contract(export_exposure_registry_solidity(), NAME)


def _constructor(compiled: _evm.Compiled, slots: int, epoch_seconds: int) -> bytes:
    return compiled.bytecode + _word(slots) + _word(epoch_seconds)


def _error_names(compiled: _evm.Compiled) -> dict[bytes, str]:
    out = {}
    for item in compiled.abi:
        if item["type"] == "error":
            sig = f"{item['name']}({','.join(i['type'] for i in item['inputs'])})"
            out[_evm.selector(sig)] = item["name"]
    return out


@pytest.fixture
def deployed(compiled: _evm.Compiled) -> tuple[Registry, Parties]:
    evm = _evm.Evm(accounts=4)
    evm.set_time(DEPLOY_AT)
    p = Parties(*evm.senders)
    reg = Registry(
        evm, evm.deploy(_constructor(compiled, SLOTS, EPOCH_SECONDS), p.owner),
        _error_names(compiled),
    )
    for lender, lender_id in ((p.lender_a, LENDER_A_ID), (p.lender_b, LENDER_B_ID)):
        res = reg.tx(p.owner, "addLender(address,uint256)", lender, lender_id)
        assert res.success, res.output.hex()
    return reg, p


# --- deployment and lenders ------------------------------------------------------------


def test_interface(compiled: _evm.Compiled) -> None:
    functions = {i["name"] for i in compiled.abi if i["type"] == "function"}
    assert functions == {
        "addLender", "removeLender", "lenderIdOf", "owner", "slots", "epochSeconds",
        "currentEpoch", "claim", "release", "isClaimed", "holds",
    }
    events = {i["name"] for i in compiled.abi if i["type"] == "event"}
    assert events == {"LenderAdded", "LenderRemoved", "SlotClaimed", "SlotReleased"}


def test_constructor_refuses_bad_parameters(compiled: _evm.Compiled) -> None:
    evm = _evm.Evm()
    for slots, seconds, expected in (
        (0, EPOCH_SECONDS, revert_data("InvalidSlots(uint8)", 0)),
        (SLOTS, 0, revert_data("InvalidEpochSeconds(uint64)", 0)),
        (256, EPOCH_SECONDS, b""),  # not a uint8: the ABI decoder reverts without data
        (SLOTS, 1 << 64, b""),  # not a uint64
    ):
        address, res = evm.create(_constructor(compiled, slots, seconds))
        assert not res.success
        assert res.output == expected, (slots, seconds, res.output.hex())
        assert evm.chain.get_vm().state.get_code(address) == b""
    for slots, seconds in ((1, 1), (255, (1 << 64) - 1)):
        address, res = evm.create(_constructor(compiled, slots, seconds))
        assert res.success
        assert _uint(evm.view(address, _calldata("slots()"))) == slots
        assert _uint(evm.view(address, _calldata("epochSeconds()"))) == seconds


def test_parameters_and_clock(deployed: tuple[Registry, Parties]) -> None:
    reg, p = deployed
    assert _uint(reg.view("slots()")) == SLOTS
    assert _uint(reg.view("epochSeconds()")) == EPOCH_SECONDS
    assert reg.view("owner()") == _word(p.owner)
    assert reg.current_epoch() == reg.evm.timestamp // EPOCH_SECONDS == E0
    reg.evm.set_time((E0 + 1) * EPOCH_SECONDS - 1)
    assert reg.current_epoch() == E0
    reg.evm.set_time((E0 + 1) * EPOCH_SECONDS)
    assert reg.current_epoch() == E0 + 1


def test_custom_contract_name_compiles() -> None:
    _evm.require_tools()
    source = export_exposure_registry_solidity("Registry_2$")
    compiled = _evm.compile_contract(source, "Registry_2$")
    assert compiled.bytecode


def test_lender_management(deployed: tuple[Registry, Parties]) -> None:
    reg, p = deployed
    add, remove = "addLender(address,uint256)", "removeLender(address)"

    def lender_id(who: bytes) -> tuple[bool, int]:
        out = reg.view("lenderIdOf(address)", who)
        return _evm.decode_bool(out[:32]), _uint(out[32:])

    assert lender_id(p.lender_a) == (True, LENDER_A_ID)
    assert lender_id(p.outsider) == (False, 0)
    # Only the owner manages lenders.
    res = reg.tx(p.lender_a, add, p.outsider, 5)
    assert res.output == revert_data("NotOwner(address)", p.lender_a)
    res = reg.tx(p.outsider, remove, p.lender_a)
    assert res.output == revert_data("NotOwner(address)", p.outsider)
    # Ids are field elements, one address per id and one id per address.
    assert reg.tx(p.owner, add, p.outsider, R).output == revert_data(
        "LenderIdOutOfField(uint256)", R
    )
    assert reg.tx(p.owner, add, p.lender_a, 5).output == revert_data(
        "LenderAlreadyRegistered(address)", p.lender_a
    )
    assert reg.tx(p.owner, add, p.outsider, LENDER_B_ID).output == revert_data(
        "LenderIdTaken(uint256)", LENDER_B_ID
    )
    assert reg.tx(p.owner, add, b"\x00" * 20, 5).output == revert_data(
        "InvalidLender(address)", b"\x00" * 20
    )
    assert reg.tx(p.owner, remove, p.outsider).output == revert_data(
        "NotALender(address)", p.outsider
    )
    # Events name the lender and its id.
    res = reg.tx(p.owner, add, p.outsider, R - 1)
    assert res.success and lender_id(p.outsider) == (True, R - 1)
    (log,) = res.logs
    assert log.address == reg.address
    assert log.topics == (topic0("LenderAdded(address,uint256)"), int.from_bytes(p.outsider, "big"))
    assert log.data == _word(R - 1)
    res = reg.tx(p.owner, remove, p.outsider)
    assert res.success and lender_id(p.outsider) == (False, 0)
    (log,) = res.logs
    assert log.topics == (
        topic0("LenderRemoved(address,uint256)"), int.from_bytes(p.outsider, "big")
    )
    # A removed id is free for another address.
    assert reg.tx(p.owner, add, p.outsider, R - 1).success


def test_only_lenders_claim_and_release(deployed: tuple[Registry, Parties]) -> None:
    reg, p = deployed
    for who in (p.outsider, p.owner):  # the owner is not a lender unless added
        res = reg.claim(who, 1, E0, ref("x"))
        assert res.output == revert_data("NotALender(address)", who)
        res = reg.release(who, 1, ref("x"))
        assert res.output == revert_data("NotALender(address)", who)
    assert not reg.is_claimed(1)
    # A removed lender can neither claim nor release; its claim keeps the slot used.
    assert reg.claim(p.lender_a, 1, E0, ref("a")).success
    assert reg.tx(p.owner, "removeLender(address)", p.lender_a).success
    res = reg.release(p.lender_a, 1, ref("a"))
    assert res.output == revert_data("NotALender(address)", p.lender_a)
    res = reg.claim(p.lender_a, 2, E0, ref("b"))
    assert res.output == revert_data("NotALender(address)", p.lender_a)
    assert reg.is_claimed(1)
    assert reg.error_name(reg.claim(p.lender_b, 1, E0, ref("b"))) == "ExposureCapReached"


# --- claims ------------------------------------------------------------------------------


def test_claim_fresh_replay_cap_and_conflict(deployed: tuple[Registry, Parties]) -> None:
    reg, p = deployed
    n0, n1 = slot_nullifiers(0x5EC, E0, SLOTS)
    a1, a2, b1 = ref("a-1"), ref("a-2"), ref("b-1")

    res = reg.claim(p.lender_a, n0, E0, a1)
    assert res.success and _evm.decode_bool(res.output)  # fresh
    (log,) = res.logs
    assert log.address == reg.address
    assert log.topics == (topic0("SlotClaimed(uint256,uint64)"), n0)
    assert log.data == _word(E0)  # the event names neither lender nor claimRef
    assert reg.is_claimed(n0) and not reg.is_claimed(n1)

    res = reg.claim(p.lender_a, n0, E0, a1)  # replay: false, no event
    assert res.success and not _evm.decode_bool(res.output) and res.logs == ()

    # Another lender, or the same lender under another claimRef: the slot is used.
    for who, claim_ref in ((p.lender_b, b1), (p.lender_a, a2)):
        res = reg.claim(who, n0, E0, claim_ref)
        assert res.output == revert_data("ExposureCapReached(uint256)", n0)
    # The same lender and claimRef with another epoch (within grace) is not a replay: the
    # same key with another payload, as the Python registry and the ledger answer it.
    res = reg.claim(p.lender_a, n0, E0 - 1, a1)
    assert res.output == revert_data("IdempotencyConflict(bytes32)", a1)

    # One claimRef, one nullifier: a1 already holds n0.
    res = reg.claim(p.lender_a, n1, E0, a1)
    assert res.output == revert_data("IdempotencyConflict(bytes32)", a1)
    assert not reg.is_claimed(n1)
    # ...per lender: lender B may use the same claimRef bytes.
    assert _evm.decode_bool(reg.claim(p.lender_b, n1, E0, a1).output)
    # k = 2 slots both used: the borrower's third line is refused everywhere.
    for who in (p.lender_a, p.lender_b):
        for n in (n0, n1):
            assert reg.error_name(reg.claim(who, n, E0, ref("third"))) == "ExposureCapReached"


def test_nullifier_must_be_a_field_element(deployed: tuple[Registry, Parties]) -> None:
    reg, p = deployed
    for n in (R, R + 1, (1 << 256) - 1):
        res = reg.claim(p.lender_a, n, E0, ref("a"))
        assert res.output == revert_data("NullifierOutOfField(uint256)", n)
        res = reg.release(p.lender_a, n, ref("a"))
        assert res.output == revert_data("NullifierOutOfField(uint256)", n)
        assert not reg.is_claimed(n) and not reg.holds(p.lender_a, n, ref("a"))
    for n in (0, R - 1):  # the extremes of the field are ordinary nullifiers
        assert _evm.decode_bool(reg.claim(p.lender_a, n, E0, ref(f"a{n % 7}")).output)
        assert reg.is_claimed(n) and reg.holds(p.lender_a, n, ref(f"a{n % 7}"))
        assert _evm.decode_bool(reg.release(p.lender_a, n, ref(f"a{n % 7}")).output)
        assert not reg.is_claimed(n)


def test_epoch_grace(deployed: tuple[Registry, Parties]) -> None:
    reg, p = deployed
    closed = "ExposureEpochClosed(uint64,uint64)"
    assert _evm.decode_bool(reg.claim(p.lender_a, 100, E0, ref("now")).output)
    assert _evm.decode_bool(reg.claim(p.lender_a, 101, E0 - 1, ref("grace")).output)
    for epoch in (E0 - 2, E0 + 1, 0, (1 << 64) - 1):
        res = reg.claim(p.lender_a, 102, epoch, ref("out"))
        assert res.output == revert_data(closed, epoch, E0)
    assert not reg.is_claimed(102)

    # Last second of E0, then the first of E0 + 1: E0 is now the grace epoch.
    reg.evm.set_time((E0 + 1) * EPOCH_SECONDS - 1)
    res = reg.claim(p.lender_a, 103, E0 + 1, ref("early"))
    assert res.output == revert_data(closed, E0 + 1, E0)
    assert reg.current_epoch() == E0 + 1  # the failed claim mined the last E0 block
    assert not _evm.decode_bool(reg.claim(p.lender_a, 100, E0, ref("now")).output)  # replay
    assert _evm.decode_bool(reg.claim(p.lender_a, 103, E0 + 1, ref("early")).output)
    res = reg.claim(p.lender_a, 104, E0 - 1, ref("late"))
    assert res.output == revert_data(closed, E0 - 1, E0 + 1)

    # Two epochs on, E0 is closed: even a replay reverts, but releasing still works.
    reg.evm.set_time((E0 + 2) * EPOCH_SECONDS)
    res = reg.claim(p.lender_a, 100, E0, ref("now"))
    assert res.output == revert_data(closed, E0, E0 + 2)
    assert reg.holds(p.lender_a, 100, ref("now"))
    assert _evm.decode_bool(reg.release(p.lender_a, 100, ref("now")).output)


# --- releases ----------------------------------------------------------------------------


def test_release(deployed: tuple[Registry, Parties]) -> None:
    reg, p = deployed
    n, other = 7_777, 8_888
    a1 = ref("a-1")
    assert _evm.decode_bool(reg.claim(p.lender_a, n, E0, a1).output)

    # Wrong lender, wrong claimRef, unclaimed nullifier: false, no event, nothing changes.
    for who, nullifier, claim_ref in (
        (p.lender_b, n, a1),
        (p.lender_a, n, ref("a-2")),
        (p.lender_a, other, a1),
    ):
        res = reg.release(who, nullifier, claim_ref)
        assert res.success and not _evm.decode_bool(res.output) and res.logs == ()
    assert reg.is_claimed(n) and reg.holds(p.lender_a, n, a1)
    assert not reg.holds(p.lender_b, n, a1) and not reg.holds(p.lender_a, n, ref("a-2"))

    res = reg.release(p.lender_a, n, a1)
    assert res.success and _evm.decode_bool(res.output)
    (log,) = res.logs
    assert log.topics == (topic0("SlotReleased(uint256,uint64)"), n)
    assert log.data == _word(E0)
    assert not reg.is_claimed(n) and not reg.holds(p.lender_a, n, a1)
    assert not _evm.decode_bool(reg.release(p.lender_a, n, a1).output)  # once only

    # The slot is free for any lender, and the claimRef is free for another nullifier.
    assert _evm.decode_bool(reg.claim(p.lender_b, n, E0, ref("b-1")).output)
    assert _evm.decode_bool(reg.claim(p.lender_a, other, E0, a1).output)


def test_gas(deployed: tuple[Registry, Parties]) -> None:
    """Gas per call (tx gasUsed, intrinsic 21000 + calldata included)."""
    reg, p = deployed
    n = slot_nullifiers(0x5EC, E0, 1)[0]  # a realistic (mostly nonzero) calldata word
    fresh = reg.claim(p.lender_a, n, E0, ref("line-0001"))
    replay = reg.claim(p.lender_a, n, E0, ref("line-0001"))
    refused = reg.claim(p.lender_b, n, E0, ref("line-0002"))
    released = reg.release(p.lender_a, n, ref("line-0001"))
    assert fresh.success and replay.success and not refused.success and released.success
    print(
        "\nexposure registry gas (tx gasUsed / execution): "
        f"claim fresh {fresh.gas_used} / {fresh.execution_gas}, "
        f"claim replay {replay.gas_used} / {replay.execution_gas}, "
        f"claim refused (cap) {refused.gas_used} / {refused.execution_gas}, "
        f"release {released.gas_used} / {released.execution_gas}"
    )
    # Two new storage words (claim, claimRef) dominate a fresh claim; a release clears
    # both and is refunded (EIP-3529: up to a fifth of the gas used).
    assert 60_000 < fresh.gas_used < 85_000
    assert replay.gas_used < 35_000
    assert released.gas_used < 40_000


# --- the scripted scenario, on the contract and on a model ------------------------------

CAP, CLOSED, CONFLICT = "ExposureCapReached", "ExposureEpochClosed", "IdempotencyConflict"


@dataclass(frozen=True)
class Claim:
    lender: str  # "A" or "B"
    nullifier: str  # a label, resolved by `nullifiers`
    epoch_offset: int  # the claimed epoch relative to the current one
    claim_ref: str
    expect: str  # "fresh", "replay" or an error name


@dataclass(frozen=True)
class Release:
    lender: str
    nullifier: str
    claim_ref: str
    expect: bool


@dataclass(frozen=True)
class IsClaimed:
    nullifier: str
    expect: bool


@dataclass(frozen=True)
class Advance:
    seconds: int


Step = Claim | Release | IsClaimed | Advance


def nullifiers() -> dict[str, int]:
    """Labels of the scenario: n0, n1 the borrower's k = 2 slots in E0; m0, m1 in E0 + 1;
    x, w, z, q other field elements."""
    n0, n1 = slot_nullifiers(0xB0B, E0, SLOTS)
    m0, m1 = slot_nullifiers(0xB0B, E0 + 1, SLOTS)
    x, w, z, q = slot_nullifiers(0xCAFE, E0, 4)
    return {"n0": n0, "n1": n1, "m0": m0, "m1": m1, "x": x, "w": w, "z": z, "q": q}


SCENARIO: tuple[Step, ...] = (
    # Epoch E0 (the run starts 10 s into it; each step is one second later).
    Claim("A", "n0", 0, "a-1", "fresh"),
    Claim("A", "n0", 0, "a-1", "replay"),
    Claim("B", "n0", 0, "b-1", CAP),  # stacking: B refused the slot A holds
    Claim("B", "n1", 0, "b-1", "fresh"),  # the borrower's second (last) slot
    Claim("A", "n1", 0, "a-2", CAP),  # a third line: refused
    Claim("A", "n1", 0, "a-1", CONFLICT),  # a-1 already holds n0
    Release("B", "n0", "a-1", False),  # not B's claim
    Release("A", "n0", "a-x", False),  # not under that claimRef
    IsClaimed("n0", True),
    Release("A", "n0", "a-1", True),
    IsClaimed("n0", False),
    Release("A", "n0", "a-1", False),  # already released
    Claim("B", "n0", 0, "b-2", "fresh"),  # free again, for any lender
    Claim("A", "x", 0, "a-1", "fresh"),  # a released claimRef may name another nullifier
    Claim("A", "n0", -1, "a-3", CAP),
    Claim("A", "z", -2, "a-4", CLOSED),
    Claim("A", "z", 1, "a-4", CLOSED),
    IsClaimed("z", False),
    # Epoch E0 + 1: E0 is the grace epoch.
    Advance(EPOCH_SECONDS),
    Claim("B", "n0", -1, "b-2", "replay"),
    Claim("A", "m0", 0, "a-5", "fresh"),
    Claim("A", "w", -1, "a-6", "fresh"),  # a late claim for E0, within grace
    Claim("B", "n1", 0, "b-1", CONFLICT),  # same lender and claimRef, another epoch
    Claim("B", "q", -2, "b-3", CLOSED),
    # Epoch E0 + 2: E0 is closed.
    Advance(EPOCH_SECONDS),
    Claim("B", "n0", -2, "b-2", CLOSED),  # even a replay
    Release("B", "n0", "b-2", True),  # releasing has no epoch limit
    Claim("A", "m1", -1, "a-7", "fresh"),
    Claim("A", "m0", -1, "a-5", "replay"),
    Claim("B", "q", 0, "b-3", "fresh"),
    IsClaimed("n1", True),
    IsClaimed("n0", False),
)


class Driver(Protocol):
    """A registry under test, at a clock the runner sets."""

    def at(self, now: int) -> None: ...
    def claim(self, lender: str, nullifier: int, epoch: int, claim_ref: str) -> str: ...
    def release(self, lender: str, nullifier: int, claim_ref: str) -> bool: ...
    def is_claimed(self, nullifier: int) -> bool: ...


@dataclass
class ModelRegistry:
    """The registry's semantics (issue 12), as plainly as they can be written."""

    slots: int
    epoch_seconds: int
    now: int = 0
    # nullifier -> (lender, claim_ref, epoch)
    claims: dict[int, tuple[str, str, int]] = field(default_factory=dict)

    def at(self, now: int) -> None:
        self.now = now

    def _claim(self, lender: str, nullifier: int, epoch: int, claim_ref: str) -> bool:
        current = self.now // self.epoch_seconds
        if epoch not in (current, current - 1):
            raise ExposureEpochClosed(f"epoch {epoch}, current {current}")
        for other, (holder, held_ref, _) in self.claims.items():
            if (holder, held_ref) == (lender, claim_ref) and other != nullifier:
                raise IdempotencyConflict(claim_ref)
        held = self.claims.get(nullifier)
        if held is None:
            self.claims[nullifier] = (lender, claim_ref, epoch)
            return True
        if held[:2] == (lender, claim_ref):
            if held[2] != epoch:  # the same key with another payload
                raise IdempotencyConflict(claim_ref)
            return False
        raise ExposureCapReached("slot already claimed")

    def claim(self, lender: str, nullifier: int, epoch: int, claim_ref: str) -> str:
        try:
            return "fresh" if self._claim(lender, nullifier, epoch, claim_ref) else "replay"
        except (ExposureCapReached, ExposureEpochClosed, IdempotencyConflict) as exc:
            return type(exc).__name__

    def release(self, lender: str, nullifier: int, claim_ref: str) -> bool:
        held = self.claims.get(nullifier)
        if held is None or held[:2] != (lender, claim_ref):
            return False
        del self.claims[nullifier]
        return True

    def is_claimed(self, nullifier: int) -> bool:
        return nullifier in self.claims


@dataclass
class ContractDriver:
    reg: Registry
    lenders: dict[str, bytes]

    def at(self, now: int) -> None:
        self.reg.evm.set_time(now)

    def claim(self, lender: str, nullifier: int, epoch: int, claim_ref: str) -> str:
        res = self.reg.claim(self.lenders[lender], nullifier, epoch, ref(claim_ref))
        if res.success:
            return "fresh" if _evm.decode_bool(res.output) else "replay"
        return self.reg.error_name(res)

    def release(self, lender: str, nullifier: int, claim_ref: str) -> bool:
        res = self.reg.release(self.lenders[lender], nullifier, ref(claim_ref))
        assert res.success, res.output.hex()
        return _evm.decode_bool(res.output)

    def is_claimed(self, nullifier: int) -> bool:
        return self.reg.is_claimed(nullifier)


def run_scenario(
    driver: Driver,
    steps: Sequence[Step] = SCENARIO,
    start: int = T0,
    epoch_seconds: int = EPOCH_SECONDS,
) -> list[object]:
    """Runs ``steps`` on ``driver``, one second apart from ``start`` (plus each Advance),
    and returns each step's outcome (None for Advance)."""
    labels = nullifiers()
    now = start
    outcomes: list[object] = []
    for step in steps:
        if isinstance(step, Advance):
            now += step.seconds
            outcomes.append(None)
            continue
        t, now = now, now + 1
        driver.at(t)
        if isinstance(step, Claim):
            epoch = t // epoch_seconds + step.epoch_offset
            outcomes.append(
                driver.claim(step.lender, labels[step.nullifier], epoch, step.claim_ref)
            )
        elif isinstance(step, Release):
            outcomes.append(driver.release(step.lender, labels[step.nullifier], step.claim_ref))
        else:
            outcomes.append(driver.is_claimed(labels[step.nullifier]))
    return outcomes


def expected_outcomes(steps: Sequence[Step] = SCENARIO) -> list[object]:
    return [None if isinstance(s, Advance) else s.expect for s in steps]


def _compare(name: str, got: list[object], steps: Sequence[Step] = SCENARIO) -> None:
    for i, (step, want, have) in enumerate(zip(steps, expected_outcomes(steps), got, strict=True)):
        assert have == want, f"{name}, step {i} {step}: {have!r}, expected {want!r}"


def test_scenario_model_matches_expectations() -> None:
    _compare("model", run_scenario(ModelRegistry(SLOTS, EPOCH_SECONDS)))


def test_scenario_contract_matches_model(deployed: tuple[Registry, Parties]) -> None:
    reg, p = deployed
    model = run_scenario(ModelRegistry(SLOTS, EPOCH_SECONDS))
    contract = run_scenario(ContractDriver(reg, {"A": p.lender_a, "B": p.lender_b}))
    for i, (step, m, c) in enumerate(zip(SCENARIO, model, contract, strict=True)):
        assert c == m, f"step {i} {step}: contract {c!r}, model {m!r}"
    _compare("contract", contract)
