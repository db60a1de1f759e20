"""Compile Solidity with the npm `solc` and run it on py-evm (test tooling for B11).

`compile_contract` runs tests/interop/solc_compile.js (solc 0.8.28, optimizer on).
`Evm` is a fresh in-memory py-evm chain (Shanghai rules; the BN254 precompiles 0x06-0x08
are py-evm's, on py_ecc: ~1-3 s per pairing call) with one funded account that deploys
contracts and sends calls as real signed transactions, so receipts give gasUsed.
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
class CallResult:
    success: bool
    output: bytes
    gas_used: int  # the transaction's gasUsed (receipt), intrinsic gas included
    execution_gas: int  # gas_used minus the intrinsic cost of the transaction


class Evm:
    """A fresh py-evm chain with one funded sender."""

    def __init__(self) -> None:
        from eth import constants  # noqa: PLC0415
        from eth.chains.base import MiningChain  # noqa: PLC0415
        from eth.db.atomic import AtomicDB  # noqa: PLC0415
        from eth.vm.forks import ShanghaiVM  # noqa: PLC0415
        from eth_keys import keys  # noqa: PLC0415

        self._key = keys.PrivateKey(b"\x01" * 32)
        self.sender = self._key.public_key.to_canonical_address()
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
            self.sender: {"balance": 10**24, "nonce": 0, "code": b"", "storage": {}},
        }
        self.chain = chain_class.from_genesis(AtomicDB(), genesis, state)
        self._nonce = 0

    def _send(self, to: bytes, data: bytes, gas: int) -> tuple[Any, Any]:
        vm = self.chain.get_vm()
        tx = vm.create_unsigned_transaction(
            nonce=self._nonce,
            gas_price=10**10,
            gas=gas,
            to=to,
            value=0,
            data=data,
        ).as_signed_transaction(self._key)
        self._nonce += 1
        _, receipt, computation = self.chain.apply_transaction(tx)
        # A receipt's gas_used is cumulative within its block: one transaction a block.
        self.chain.mine_block()
        return receipt, computation

    def deploy(self, bytecode: bytes) -> bytes:
        from eth._utils.address import generate_contract_address  # noqa: PLC0415

        address = generate_contract_address(self.sender, self._nonce)
        _, computation = self._send(b"", bytecode, 10_000_000)
        if not computation.is_success:
            raise AssertionError(f"deployment failed: {computation.error!r}")
        return bytes(address)

    def call(self, to: bytes, data: bytes, gas: int = 3_000_000) -> CallResult:
        receipt, computation = self._send(to, data, gas)
        used = int(receipt.gas_used)
        return CallResult(
            bool(computation.is_success),
            bytes(computation.output),
            used,
            used - intrinsic_gas(data),
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
