"""The fast curve kernels: Rust over arkworks 0.5, compiled into `zkcredit._native`.

One module per curve, each exporting the same API (E1) as
`zkcredit.hazmat.reference.<curve>`, so callers (and tests) pick an implementation by
importing a module; there is no ``backend=`` parameter anywhere:

- `zkcredit.hazmat.native.bn254` — BN254, the default curve;
- `zkcredit.hazmat.native.bls12_381` — BLS12-381.

Importing either raises `zkcredit.errors.NativeUnavailable` when the compiled core is
missing (for example a source checkout that was never built); the pure-Python
reference stays importable in that case.

The API of each curve module (docs/ARCHITECTURE.md, "Per-curve module API"):

Constants
    ``NAME``, ``SCALAR_MODULUS`` (r), ``BASE_MODULUS`` (q), ``TWO_ADICITY``,
    ``MULTIPLICATIVE_GENERATOR`` (g, also the coset offset), ``SCALAR_BYTES`` (32), and
    ``G1_COMPRESSED_BYTES``, ``G1_UNCOMPRESSED_BYTES``, ``G2_COMPRESSED_BYTES``,
    ``G2_UNCOMPRESSED_BYTES``.

Scalar vectors
    Packed `bytes`: 32-byte little-endian canonical elements (< r), concatenated.
    ``fr_add``, ``fr_sub``, ``fr_mul`` (elementwise, equal lengths or
    `InvalidArgument`), ``fr_neg``, ``fr_inv`` (zero raises `DivisionByZero`),
    ``fr_random(n)`` (n uniform scalars from the OS's randomness). A length that is not
    a multiple of 32 raises `InvalidEncoding`, an element >= r `NonCanonicalScalar`;
    nothing is ever reduced.

Points
    ``G1`` and ``G2`` are immutable vectors of validated points (on the curve, in the
    prime-order subgroup). ``from_bytes(data, *, compressed)`` decodes concatenated
    arkworks encodings, ``from_affine(points)`` takes ``(x, y)`` int pairs (G2:
    ``((x_c0, x_c1), (y_c0, y_c1))``) or ``None`` for infinity; ``to_bytes`` and
    ``to_affine`` invert them. Decoding raises `InvalidEncoding` (length, flags, a
    non-zero "infinity", a y-sign flag that disagrees with y),
    `NonCanonicalCoordinate` (a coordinate >= q), `PointNotOnCurve` and
    `PointNotInSubgroup`. ``generator()`` and ``identity()`` are vectors of length 1;
    ``len(v)``, ``v[i]`` (a length-1 vector; slices too), ``v + w``, ``-v`` and
    ``v == w`` work elementwise; ``v.mul(scalars)`` multiplies elementwise, a length-1
    side broadcasting; ``v.concat(w)`` concatenates.

Kernels
    ``g1_msm(points, scalars)`` / ``g2_msm`` return a length-1 vector (the identity
    when empty); ``pairing_check(g1s, g2s)`` is ``prod e(g1s[i], g2s[i]) == 1`` (True
    when empty) with one multi-Miller loop and one final exponentiation; ``fft``,
    ``ifft``, ``coset_fft`` and ``coset_ifft`` transform packed vectors whose length n
    is a power of two in [1, 2^TWO_ADICITY] (else `InvalidDomain`), over the domain
    ``ω^i`` with ``ω = g^((r-1)/n)``, the cosets over ``g·ω^i``.

Heavy calls (decoding, MSM, FFT, pairing) release the GIL and run on all cores.
"""

from __future__ import annotations
