"""BLAKE-512: the original BLAKE hash (SHA-3 finalist, 16 rounds), not BLAKE2b.

Written from "SHA-3 proposal BLAKE" (Aumasson, Henzen, Meier, Phan; version 1.3, 2010),
section 2.2 (BLAKE-512). circomlibjs derives EdDSA keys and nonces with it (through the
``blake-hash`` npm package), so `zkcredit.hazmat.eddsa` needs it; neither ``hashlib`` nor
``cryptography`` provides it. Only the unsalted function is offered (salt = 0), which is
what circomlibjs uses, and only whole-byte messages.

The algorithm, briefly: 64-bit words, big-endian; the chain value starts at the SHA-512 IV;
each 128-byte block is compressed with the count t of message bits hashed so far (t = 0 for
a block holding padding only); the state v is h, the first four constants, and the
constants 4..7 XORed with (t0, t0, t1, t1); 16 rounds of four column and four diagonal
G functions use the permutations sigma[r mod 10]; h'_i = h_i ^ v_i ^ v_(i+8). Padding is a
1 bit, zeros, a 1 bit, then the message length in bits as 128 bits big-endian, to a
multiple of 1024 bits.

Pure Python, not constant time; meant for deriving keys and nonces from short inputs.
"""

from __future__ import annotations

__all__ = ["BLOCK_BYTES", "DIGEST_BYTES", "Blake512", "blake512"]

BLOCK_BYTES = 128
DIGEST_BYTES = 64
_MASK = (1 << 64) - 1

_IV = (
    0x6A09E667F3BCC908, 0xBB67AE8584CAA73B, 0x3C6EF372FE94F82B, 0xA54FF53A5F1D36F1,
    0x510E527FADE682D1, 0x9B05688C2B3E6C1F, 0x1F83D9ABFB41BD6B, 0x5BE0CD19137E2179,
)  # fmt: skip

# The first 1024 bits of the fractional part of pi, as sixteen 64-bit words.
_C = (
    0x243F6A8885A308D3, 0x13198A2E03707344, 0xA4093822299F31D0, 0x082EFA98EC4E6C89,
    0x452821E638D01377, 0xBE5466CF34E90C6C, 0xC0AC29B7C97C50DD, 0x3F84D5B5B5470917,
    0x9216D5D98979FB1B, 0xD1310BA698DFB5AC, 0x2FFD72DBD01ADFB7, 0xB8E1AFED6A267E96,
    0xBA7C9045F12C7F99, 0x24A19947B3916CF7, 0x0801F2E2858EFC16, 0x636920D871574E69,
)  # fmt: skip

_SIGMA = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
    (14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3),
    (11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4),
    (7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8),
    (9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13),
    (2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9),
    (12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11),
    (13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10),
    (6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5),
    (10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0),
)
_ROUNDS = 16

# G_i acts on (a, b, c, d) = these state indices: four columns, then four diagonals.
_G_INDICES = (
    (0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15),
    (0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14),
)  # fmt: skip


def _rotr(x: int, n: int) -> int:
    return ((x >> n) | (x << (64 - n))) & _MASK


def _compress(h: list[int], block: bytes, t: int) -> None:
    """Replace the chain value ``h`` by the compression of ``block`` with bit counter ``t``."""
    m = [int.from_bytes(block[8 * i : 8 * i + 8], "big") for i in range(16)]
    t0, t1 = t & _MASK, (t >> 64) & _MASK
    v = [*h, _C[0], _C[1], _C[2], _C[3], t0 ^ _C[4], t0 ^ _C[5], t1 ^ _C[6], t1 ^ _C[7]]
    for r in range(_ROUNDS):
        s = _SIGMA[r % 10]
        for i, (a, b, c, d) in enumerate(_G_INDICES):
            j, k = s[2 * i], s[2 * i + 1]
            v[a] = (v[a] + v[b] + (m[j] ^ _C[k])) & _MASK
            v[d] = _rotr(v[d] ^ v[a], 32)
            v[c] = (v[c] + v[d]) & _MASK
            v[b] = _rotr(v[b] ^ v[c], 25)
            v[a] = (v[a] + v[b] + (m[k] ^ _C[j])) & _MASK
            v[d] = _rotr(v[d] ^ v[a], 16)
            v[c] = (v[c] + v[d]) & _MASK
            v[b] = _rotr(v[b] ^ v[c], 11)
    for i in range(8):
        h[i] ^= v[i] ^ v[i + 8]  # the salt is zero


class Blake512:
    """Incremental BLAKE-512: ``Blake512(b"ab").update(b"c").digest() == blake512(b"abc")``.

    `digest` does not change the object; more data may be added after it.
    """

    __slots__ = ("_buffer", "_h", "_length")

    def __init__(self, data: bytes = b"") -> None:
        self._h = list(_IV)
        self._buffer = b""
        self._length = 0  # message bytes absorbed so far
        self.update(data)

    def update(self, data: bytes) -> Blake512:
        """Absorb ``data``; returns self."""
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError(f"data must be bytes-like, not {type(data).__name__}")
        chunk = bytes(data)
        buf = self._buffer + chunk
        self._length += len(chunk)
        # Keep up to one full block buffered: a full last block is compressed by digest()
        # with the same counter, so compressing eagerly only when more data follows is simplest.
        done = 0
        absorbed_before = self._length - len(buf)
        while len(buf) - done > BLOCK_BYTES:
            done += BLOCK_BYTES
            _compress(self._h, buf[done - BLOCK_BYTES : done], 8 * (absorbed_before + done))
        self._buffer = buf[done:]
        return self

    def copy(self) -> Blake512:
        """An independent copy of the running state."""
        other = Blake512.__new__(Blake512)
        other._h = list(self._h)
        other._buffer = self._buffer
        other._length = self._length
        return other

    def digest(self) -> bytes:
        """The 64-byte digest of everything absorbed so far."""
        h = list(self._h)
        total_bits = 8 * self._length
        tail = self._buffer  # 0..128 message bytes not yet compressed
        # Padding: 0x80, zeros, 0x01 (OR-ed into the same byte when only one is needed), and
        # the 128-bit length, so that the padded tail is 128 or 256 bytes.
        pad_len = (BLOCK_BYTES - 16 - 1 - len(tail)) % BLOCK_BYTES + 1
        padding = bytearray(pad_len)
        padding[0] |= 0x80
        padding[-1] |= 0x01
        padded = tail + bytes(padding) + total_bits.to_bytes(16, "big")
        start_bits = total_bits - 8 * len(tail)  # message bits before the tail
        for off in range(0, len(padded), BLOCK_BYTES):
            in_block = max(0, min(len(tail) - off, BLOCK_BYTES))  # message bytes in this block
            counter = start_bits + 8 * (off + in_block) if in_block else 0
            _compress(h, padded[off : off + BLOCK_BYTES], counter)
        return b"".join(w.to_bytes(8, "big") for w in h)

    def hexdigest(self) -> str:
        return self.digest().hex()


def blake512(data: bytes) -> bytes:
    """The 64-byte BLAKE-512 digest of ``data`` (circomlibjs ``createBlakeHash("blake512")``)."""
    return Blake512(data).digest()
