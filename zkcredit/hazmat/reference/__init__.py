"""Pure-Python reference implementations, the independent oracle for the native core.

`bn254` and `bls12_381` have the same API as `zkcredit.hazmat.native.bn254` /
`...bls12_381` (fields on Python ints, points and pairings through py_ecc, our own
FFT); `poseidon` is the reference circomlib Poseidon. They exist to check the native
core in tests and to verify without it; they are far too slow for proving. Import the
module you want::

    from zkcredit.hazmat.reference import bn254
"""
