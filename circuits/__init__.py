"""zkcredit.circuits: circuit gadgets and the credit statements built from them.

One module per concern (circomlib style); every gadget's docstring says what it
constrains, what it assumes and what it leaves free (STYLE G2):

- `boolean`: boolean, bool_and/or/not/xor
- `bits`: to_bits (non-strict, ≤ 253 bits), to_bits_strict (alias-checked), from_bits
- `range_check`: assert_bits, range_check
- `compare`: less_than & co., assert_lt & co. (range-check their own inputs, n ≤ 252)
- `is_zero`: is_zero, is_equal
- `select`: select, mux
- `sums`: sum_values, weighted_sum
- `minmax`: min_value, max_value, clamp
- `division`: inverse, div, int_divmod
- `poseidon`: poseidon (circomlib-compatible, arities 1–16)
- `merkle`: merkle_root, merkle_path_root, assert_merkle_inclusion
- `babyjub`: Baby Jubjub assert_on_curve, point_add, point_double, mul_by_cofactor,
  fixed_base_mul, scalar_mul
- `eddsa`: eddsa_poseidon_verify (EdDSA-Poseidon, circomlib-compatible)
"""
