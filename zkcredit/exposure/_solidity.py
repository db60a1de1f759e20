"""The exposure registry as a Solidity contract, for lenders that settle on chain (issue 12).

::

    from zkcredit.exposure import export_exposure_registry_solidity

    source = export_exposure_registry_solidity()      # contract ZkCreditExposureRegistry
    # deploy with constructor(uint8 slots, uint64 epochSeconds); the deployer is the owner

The contract keeps the claim rules of the Python registry, with the calling address as
the lender:

* ``claim(slotNullifier, epoch, claimRef) returns (bool fresh)``: only a registered
  lender; ``slotNullifier < r``; ``epoch`` is `currentEpoch()` or the one before (a grace
  for proofs made at the boundary), else ``ExposureEpochClosed(epoch, current)``. The
  same (lender, claimRef) naming another nullifier, or this one with another epoch,
  reverts ``IdempotencyConflict``. An unclaimed nullifier is stored and ``SlotClaimed``
  emitted (``true``); the same lender, claimRef and epoch again is a replay (``false``,
  nothing changes); anything else reverts ``ExposureCapReached(slotNullifier)``, which
  does not name the holder.
* ``release(slotNullifier, claimRef) returns (bool)``: deletes the claim only when the
  caller holds it under that claimRef (``SlotReleased``); otherwise ``false``, nothing
  changes. The claimRef is free again afterwards, as the nullifier is.
* ``isClaimed``, ``currentEpoch`` (``block.timestamp / epochSeconds``), ``slots``,
  ``epochSeconds``, and ``holds(lender, slotNullifier, claimRef)``.

There is no ``claimOf(slotNullifier)``: a lender reconciling its books (after a
transaction it did not see confirmed, or after the grace epoch when a replay would
revert) knows its own (nullifier, claimRef) pairs and needs only "is this claim still
mine", which ``holds`` answers; it says nothing about a nullifier to whoever does not
know the claimRef. The chain is public (a claim transaction's sender is visible), but
the interface does not offer "who holds this slot" as a lookup.

The contract does not see proofs: that ``slotNullifier`` comes from a valid borrower
proof for ``epoch`` and a slot below ``slots`` is the claiming lender's check (off chain
or with the exported Groth16 verifier) before it calls ``claim``; ``slots`` is published
here so every lender checks proofs against the same cap.

Storage: one word per claim (claimant address and epoch packed), one word per
(claimant, claimRef) in ``keccak256(abi.encode(claimant, claimRef)) => slotNullifier + 1``
(zero means unused), which also carries the claimRef a replay or release must match.

Lenders: the owner (the deployer; fixed) adds ``(address, lenderId)`` with
``lenderId < r``, one address per id and one id per address, and removes them. Claims and
releases revert ``NotALender`` for any other caller. A removed lender's claims stay in
place and keep counting against the cap (nobody can release them): removing a lender
never frees a borrower's slots.
"""

from __future__ import annotations

import re
from typing import Final

from zkcredit.errors import InvalidArgument
from zkcredit.hazmat.solidity import SCALAR_MODULUS

__all__ = ["export_exposure_registry_solidity"]

_IDENTIFIER: Final = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
# Elementary type names with a size suffix (uint8, bytes32, fixed128x18, ...).
_SIZED_TYPE: Final = re.compile(r"(?:u?int|bytes)[0-9]+|u?fixed[0-9]+x[0-9]+")
# Solidity keywords and reserved words: none of them can name a contract.
_RESERVED_WORDS: Final = """
    abstract address after alias anonymous apply as assembly auto bool break byte bytes
    calldata case catch constant constructor continue contract copyof days default define
    delete do else emit enum error ether event external fallback false final finney fixed
    for function gwei hex hours if immutable implements import in indexed inline interface
    internal is let library macro mapping match memory minutes modifier mutable new null of
    override partial payable pragma private promise public pure receive reference
    relocatable return returns revert sealed seconds sizeof static storage string struct
    super supports switch szabo this throw true try type typedef typeof ufixed uint int
    unchecked unicode using var view virtual weeks wei while years
"""
_RESERVED: Final = frozenset(_RESERVED_WORDS.split())


def _check_name(contract_name: object) -> str:
    if (
        not isinstance(contract_name, str)
        or _IDENTIFIER.fullmatch(contract_name) is None
        or contract_name in _RESERVED
        or _SIZED_TYPE.fullmatch(contract_name) is not None
    ):
        raise InvalidArgument(f"not a Solidity contract name: {contract_name!r}")
    return contract_name


def export_exposure_registry_solidity(contract_name: str = "ZkCreditExposureRegistry") -> str:
    """Solidity (^0.8.20) source of the exposure registry contract (module docstring).

    Deterministic: the same name gives the same bytes. ``contract_name`` must be a
    Solidity identifier that is not a keyword (`InvalidArgument`)."""
    name = _check_name(contract_name)
    lines = [
        "// SPDX-License-Identifier: Apache-2.0",
        "// Generated by zkcredit (zkcredit.exposure). Do not edit.",
        "// Exposure registry (issue 12): each credit line claims one slot nullifier; a",
        "// nullifier already claimed is refused to every lender, so a borrower holds at",
        "// most `slots` lines per exposure epoch across all lenders sharing the registry.",
        "pragma solidity ^0.8.20;",
        "",
        f"contract {name} {{",
        "    /// r, the BN254 scalar field order: nullifiers and lender ids are field elements.",
        f"    uint256 internal constant R = {SCALAR_MODULUS};",
        "",
        "    /// One claim, packed into one storage word (160 + 64 bits). A zero claimant",
        "    /// means unclaimed (no transaction comes from address zero).",
        "    struct Claim {",
        "        address claimant;",
        "        uint64 epoch;",
        "    }",
        "",
        "    /// The deployer: the only account that adds and removes lenders.",
        "    address public immutable owner;",
        "    /// The cap k: a borrower's proof shows its slot index is below it.",
        "    uint8 public immutable slots;",
        "    /// Exposure epoch length: epoch = block.timestamp / epochSeconds.",
        "    uint64 public immutable epochSeconds;",
        "",
        "    /// lender address => lenderId + 1 (zero: not a lender).",
        "    mapping(address => uint256) private _lenderIdPlusOne;",
        "    /// lenderId => its lender address (one address per id).",
        "    mapping(uint256 => address) private _lenderAddress;",
        "    /// slotNullifier => its claim.",
        "    mapping(uint256 => Claim) private _claims;",
        "    /// keccak256(abi.encode(claimant, claimRef)) => slotNullifier + 1 (zero: unused).",
        "    /// Holds an entry exactly while that claimant holds that claim.",
        "    mapping(bytes32 => uint256) private _refs;",
        "",
        "    event LenderAdded(address indexed lender, uint256 lenderId);",
        "    event LenderRemoved(address indexed lender, uint256 lenderId);",
        "    event SlotClaimed(uint256 indexed slotNullifier, uint64 epoch);",
        "    event SlotReleased(uint256 indexed slotNullifier, uint64 epoch);",
        "",
        "    error InvalidSlots(uint8 slots);",
        "    error InvalidEpochSeconds(uint64 epochSeconds);",
        "    error NotOwner(address caller);",
        "    error NotALender(address caller);",
        "    error InvalidLender(address lender);",
        "    error LenderAlreadyRegistered(address lender);",
        "    error LenderIdTaken(uint256 lenderId);",
        "    error LenderIdOutOfField(uint256 lenderId);",
        "    error NullifierOutOfField(uint256 slotNullifier);",
        "    /// The claim names an epoch that is neither the current one nor the one before.",
        "    error ExposureEpochClosed(uint64 epoch, uint64 current);",
        "    /// The slot is held by another claim (the holder is not named).",
        "    error ExposureCapReached(uint256 slotNullifier);",
        "    /// The caller already holds a claim under claimRef, on another nullifier.",
        "    error IdempotencyConflict(bytes32 claimRef);",
        "",
        "    constructor(uint8 slots_, uint64 epochSeconds_) {",
        "        if (slots_ == 0) revert InvalidSlots(slots_);",
        "        if (epochSeconds_ == 0) revert InvalidEpochSeconds(epochSeconds_);",
        "        owner = msg.sender;",
        "        slots = slots_;",
        "        epochSeconds = epochSeconds_;",
        "    }",
        "",
        "    modifier onlyOwner() {",
        "        if (msg.sender != owner) revert NotOwner(msg.sender);",
        "        _;",
        "    }",
        "",
        "    modifier onlyLender() {",
        "        if (_lenderIdPlusOne[msg.sender] == 0) revert NotALender(msg.sender);",
        "        _;",
        "    }",
        "",
        "    /// Registers `lender` under `lenderId` (< r, the id lenders use off chain).",
        "    function addLender(address lender, uint256 lenderId) external onlyOwner {",
        "        if (lender == address(0)) revert InvalidLender(lender);",
        "        if (lenderId >= R) revert LenderIdOutOfField(lenderId);",
        "        if (_lenderIdPlusOne[lender] != 0) revert LenderAlreadyRegistered(lender);",
        "        if (_lenderAddress[lenderId] != address(0)) revert LenderIdTaken(lenderId);",
        "        _lenderIdPlusOne[lender] = lenderId + 1;",
        "        _lenderAddress[lenderId] = lender;",
        "        emit LenderAdded(lender, lenderId);",
        "    }",
        "",
        "    /// Unregisters `lender`. Its claims stay and keep counting against the cap.",
        "    function removeLender(address lender) external onlyOwner {",
        "        uint256 idPlusOne = _lenderIdPlusOne[lender];",
        "        if (idPlusOne == 0) revert NotALender(lender);",
        "        delete _lenderIdPlusOne[lender];",
        "        delete _lenderAddress[idPlusOne - 1];",
        "        emit LenderRemoved(lender, idPlusOne - 1);",
        "    }",
        "",
        "    /// Whether `lender` is registered, and its lenderId (0 when it is not).",
        "    function lenderIdOf(address lender) external view returns (bool, uint256) {",
        "        uint256 idPlusOne = _lenderIdPlusOne[lender];",
        "        return idPlusOne == 0 ? (false, 0) : (true, idPlusOne - 1);",
        "    }",
        "",
        "    /// block.timestamp / epochSeconds.",
        "    function currentEpoch() public view returns (uint64) {",
        "        return uint64(block.timestamp / epochSeconds);",
        "    }",
        "",
        "    /// Claims `slotNullifier` for the caller under `claimRef` (its own reference for",
        "    /// the credit line). True: newly claimed. False: the caller already holds it under",
        "    /// the same claimRef and epoch (a replay; nothing changes). Reverts",
        "    /// ExposureEpochClosed, IdempotencyConflict or ExposureCapReached otherwise.",
        "    function claim(uint256 slotNullifier, uint64 epoch, bytes32 claimRef)",
        "        external",
        "        onlyLender",
        "        returns (bool fresh)",
        "    {",
        "        if (slotNullifier >= R) revert NullifierOutOfField(slotNullifier);",
        "        uint64 current = currentEpoch();",
        "        if (epoch != current && (current == 0 || epoch != current - 1)) {",
        "            revert ExposureEpochClosed(epoch, current);",
        "        }",
        "        bytes32 key = _refKey(msg.sender, claimRef);",
        "        uint256 held = _refs[key];",
        "        if (held != 0 && held != slotNullifier + 1) revert IdempotencyConflict(claimRef);",
        "        Claim memory c = _claims[slotNullifier];",
        "        if (c.claimant == address(0)) {",
        "            _claims[slotNullifier] = Claim(msg.sender, epoch);",
        "            _refs[key] = slotNullifier + 1;",
        "            emit SlotClaimed(slotNullifier, epoch);",
        "            return true;",
        "        }",
        "        if (held == 0) revert ExposureCapReached(slotNullifier);",
        "        // The caller's own claimRef already holds this slot: a replay if the epoch",
        "        // matches; the same key with another payload otherwise.",
        "        if (c.epoch != epoch) revert IdempotencyConflict(claimRef);",
        "        return false;",
        "    }",
        "",
        "    /// Releases the caller's claim on `slotNullifier` made under `claimRef`. False,",
        "    /// changing nothing, when the caller does not hold it under that claimRef.",
        "    function release(uint256 slotNullifier, bytes32 claimRef)",
        "        external",
        "        onlyLender",
        "        returns (bool)",
        "    {",
        "        if (slotNullifier >= R) revert NullifierOutOfField(slotNullifier);",
        "        bytes32 key = _refKey(msg.sender, claimRef);",
        "        if (_refs[key] != slotNullifier + 1) return false;",
        "        Claim memory c = _claims[slotNullifier];",
        "        if (c.claimant != msg.sender) return false;",
        "        delete _claims[slotNullifier];",
        "        delete _refs[key];",
        "        emit SlotReleased(slotNullifier, c.epoch);",
        "        return true;",
        "    }",
        "",
        "    /// Whether `slotNullifier` is claimed (by anyone).",
        "    function isClaimed(uint256 slotNullifier) external view returns (bool) {",
        "        return _claims[slotNullifier].claimant != address(0);",
        "    }",
        "",
        "    /// Whether `lender` holds the claim on `slotNullifier` under `claimRef`: for a",
        "    /// lender reconciling its own lines (it knows both values). Answers nothing",
        "    /// about a nullifier to whoever does not know the claimRef.",
        "    function holds(address lender, uint256 slotNullifier, bytes32 claimRef)",
        "        external",
        "        view",
        "        returns (bool)",
        "    {",
        "        if (slotNullifier >= R || lender == address(0)) return false;",
        "        return _refs[_refKey(lender, claimRef)] == slotNullifier + 1",
        "            && _claims[slotNullifier].claimant == lender;",
        "    }",
        "",
        "    function _refKey(address claimant, bytes32 claimRef) private pure returns (bytes32) {",
        "        return keccak256(abi.encode(claimant, claimRef));",
        "    }",
        "}",
        "",
    ]
    return "\n".join(lines)
