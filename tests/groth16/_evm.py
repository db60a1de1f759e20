"""Compile Solidity with the npm `solc` and run it on py-evm (test tooling for B11).

`compile_contract` runs tests/interop/solc_compile.js (solc 0.8.28, optimizer on).
`Evm` is a fresh in-memory py-evm chain (Shanghai rules; the BN254 precompiles 0x06-0x08
are py-evm's, on py_ecc: ~1-3 s per pairing call) with funded accounts (one unless asked
for more) that deploy contracts and send calls as real signed transactions, one per
block, so receipts give gasUsed and logs. `Evm.set_time` pins block timestamps (the
exposure registry's epochs); `Evm.view` runs a call on the pending block without mining.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOLC_JS = ROOT / "tests" / "interop" / "solc_compile.js"
SOLC_PKG = ROOT / "tests" / "interop" / "node_modules" / "solc"

# Intrinsic cost of a transaction (EIP-2028 calldata prices): what gasUsed adds on top
# of the execution itself.
TX_BASE_GAS = 21_000


def require_tools() -> None:
    """Skip unless node, the npm solc package and py-evm are installed."""
    if shutil.which("node") is None or not SOLC_PKG.is_dir():
        pytest.skip("node and tests/interop/node_modules/solc are needed (bash .ci/setup)")
    pytest.importorskip("eth", reason="py-evm is needed (pip install -e '.[test]')")


@dataclass(frozen=True)
class Compiled:
    abi: list[dict[str, Any]]
    bytecode: bytes
    version: str


def compile_contract(source: str, contract: str) -> Compiled:
    proc = subprocess.run(
        ["node", str(SOLC_JS)],
        input=json.dumps({"source": source, "contract": contract}),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=SOLC_JS.parent,
    )
    if proc.returncode != 0:
        raise AssertionError(f"solc failed:\n{proc.stderr}")
    out = json.loads(proc.stdout)
    return Compiled(out["abi"], bytes.fromhex(out["bytecode"][2:]), out["version"])


def intrinsic_gas(data: bytes) -> int:
    """21000 + 4 per zero calldata byte + 16 per nonzero byte (EIP-2028)."""
    return TX_BASE_GAS + sum(4 if x == 0 else 16 for x in data)


@dataclass(frozen=True)
class Log:
    address: bytes
    topics: tuple[int, ...]
    data: bytes


@dataclass(frozen=True)
class CallResult:
    success: bool
    output: bytes  # return data, or revert data when not success
    gas_used: int  # the transaction's gasUsed (receipt), intrinsic gas included
    execution_gas: int  # gas_used minus the intrinsic cost of a call (not of a creation)
    logs: tuple[Log, ...] = ()


class Evm:
    """A fresh py-evm chain with ``accounts`` funded senders (`senders`; `sender` is the
    first, the default for `deploy` and `call`)."""

    def __init__(self, accounts: int = 1) -> None:
        from eth import constants  # noqa: PLC0415
        from eth.chains.base import MiningChain  # noqa: PLC0415
        from eth.db.atomic import AtomicDB  # noqa: PLC0415
        from eth.vm.forks import ShanghaiVM  # noqa: PLC0415
        from eth_keys import keys  # noqa: PLC0415

        if not 1 <= accounts <= 255:
            raise ValueError("accounts must be in 1..255")
        self._keys: dict[bytes, Any] = {}
        for i in range(accounts):
            key = keys.PrivateKey(bytes([i + 1]) * 32)
            self._keys[bytes(key.public_key.to_canonical_address())] = key
        self.senders = list(self._keys)
        self.sender = self.senders[0]
        chain_class = MiningChain.configure(
            __name__="B11Chain", vm_configuration=((constants.GENESIS_BLOCK_NUMBER, ShanghaiVM),)
        )
        genesis = {
            "difficulty": 0,
            "gas_limit": 30_000_000,
            "timestamp": 1_700_000_000,
            "coinbase": constants.ZERO_ADDRESS,
            "extra_data": b"",
            "nonce": b"\x00" * 8,
        }
        state = {
            s: {"balance": 10**24, "nonce": 0, "code": b"", "storage": {}} for s in self.senders
        }
        self.chain = chain_class.from_genesis(AtomicDB(), genesis, state)
        self._nonces = dict.fromkeys(self.senders, 0)
        # False: py-evm's default block times (from the wall clock); True after set_time.
        self._pinned = False

    @property
    def timestamp(self) -> int:
        """The timestamp the next transaction (and `view`) executes at."""
        return int(self.chain.header.timestamp)

    def set_time(self, timestamp: int) -> None:
        """Runs the next block at ``timestamp`` (later than the last mined block) and each
        block after it one second after its parent, so tests control ``block.timestamp``."""
        parent = self.chain.get_canonical_head().timestamp
        if timestamp <= parent:
            raise ValueError(f"timestamp {timestamp} is not after the last block ({parent})")
        self.chain.set_header_timestamp(timestamp)
        self._pinned = True

    def _tx(self, sender: bytes | None, to: bytes, data: bytes, gas: int) -> Any:
        sender = self.sender if sender is None else sender
        return (
            self.chain.get_vm()
            .create_unsigned_transaction(
                nonce=self._nonces[sender],
                gas_price=10**10,
                gas=gas,
                to=to,
                value=0,
                data=data,
            )
            .as_signed_transaction(self._keys[sender])
        )

    def _send(
        self, to: bytes, data: bytes, gas: int, sender: bytes | None = None
    ) -> tuple[Any, Any]:
        tx = self._tx(sender, to, data, gas)
        self._nonces[bytes(tx.sender)] += 1
        _, receipt, computation = self.chain.apply_transaction(tx)
        # A receipt's gas_used is cumulative within its block: one transaction a block.
        block = self.chain.mine_block()
        if self._pinned:
            self.chain.set_header_timestamp(block.header.timestamp + 1)
        return receipt, computation

    def create(
        self, bytecode: bytes, sender: bytes | None = None, gas: int = 10_000_000
    ) -> tuple[bytes, CallResult]:
        """Deploys ``bytecode`` (constructor arguments appended); the address it gets (no
        code there when the result is not a success) and the transaction's result."""
        from eth._utils.address import generate_contract_address  # noqa: PLC0415

        sender = self.sender if sender is None else sender
        address = bytes(generate_contract_address(sender, self._nonces[sender]))
        return address, self._result(bytecode, *self._send(b"", bytecode, gas, sender))

    def deploy(self, bytecode: bytes, sender: bytes | None = None) -> bytes:
        address, result = self.create(bytecode, sender)
        if not result.success:
            raise AssertionError(f"deployment failed: {result.output.hex()}")
        return address

    def call(
        self, to: bytes, data: bytes, gas: int = 3_000_000, sender: bytes | None = None
    ) -> CallResult:
        return self._result(data, *self._send(to, data, gas, sender))

    def view(self, to: bytes, data: bytes, sender: bytes | None = None) -> bytes:
        """The return data of a call executed on the pending block, not mined (eth_call)."""
        tx = self._tx(sender, to, data, 3_000_000)
        # Not in_costless_state: that runs in a new child block (another timestamp) and
        # re-prices a copy of the transaction, whose signature then names another sender.
        state = self.chain.get_vm().state
        snapshot = state.snapshot()
        try:
            computation = state.apply_transaction(tx)
        finally:
            state.revert(snapshot)
        if not computation.is_success:
            raise AssertionError(f"view reverted: {bytes(computation.output).hex()}")
        return bytes(computation.output)

    @staticmethod
    def _result(data: bytes, receipt: Any, computation: Any) -> CallResult:
        used = int(receipt.gas_used)
        logs = tuple(
            Log(bytes(log.address), tuple(int(t) for t in log.topics), bytes(log.data))
            for log in receipt.logs
        )
        return CallResult(
            bool(computation.is_success),
            bytes(computation.output),
            used,
            used - intrinsic_gas(data),
            logs,
        )


def selector(signature: str) -> bytes:
    from eth_utils import keccak  # noqa: PLC0415

    return bytes(keccak(text=signature)[:4])


def encode_words(*groups: Any) -> bytes:
    """ABI encoding of static uint256 arrays (nested lists of ints, in order)."""
    out = bytearray()

    def walk(x: Any) -> None:
        if isinstance(x, list | tuple):
            for y in x:
                walk(y)
        else:
            out.extend(int(x).to_bytes(32, "big"))

    for g in groups:
        walk(g)
    return bytes(out)


def decode_bool(output: bytes) -> bool:
    assert len(output) == 32, output.hex()
    word = int.from_bytes(output, "big")
    assert word in (0, 1), output.hex()
    return word == 1
