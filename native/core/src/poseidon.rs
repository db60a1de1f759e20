//! Poseidon over the BN254 scalar field, bit-compatible with circomlib.
