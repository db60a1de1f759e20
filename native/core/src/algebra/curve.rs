//! The two supported pairing-friendly curves, named once (E5: BN254, not "bn128").
use ark_ec::pairing::Pairing;
use ark_ec::short_weierstrass::{Affine, Projective};
use ark_ff::{BigInteger, FftField, PrimeField};

use super::codec::PointCodec;
use super::scalar::ScalarField;

/// A pairing-friendly curve with the groups and fields the kernels need.
pub trait Curve: Send + Sync + 'static {
    /// Lower-case name, equal to the Python submodule name.
    const NAME: &'static str;
    /// The scalar field (order r of G1, G2 and GT).
    type Fr: ScalarField + ark_ff::FftField;
    /// The prime base field (coordinates are over this field or its quadratic extension).
    type Fq: ark_ff::PrimeField;
    /// G1's curve configuration.
    type G1: PointCodec<ScalarField = Self::Fr, BaseField = Self::Fq>;
    /// G2's curve configuration.
    type G2: PointCodec<ScalarField = Self::Fr>;
    /// The pairing engine over G1 x G2.
    type Engine: Pairing<
        ScalarField = Self::Fr,
        G1 = Projective<Self::G1>,
        G1Affine = Affine<Self::G1>,
        G2 = Projective<Self::G2>,
        G2Affine = Affine<Self::G2>,
    >;

    /// The scalar-field modulus r, little-endian.
    fn scalar_modulus_le() -> Vec<u8> {
        Self::Fr::MODULUS.to_bytes_le()
    }
    /// The base-field modulus q, little-endian.
    fn base_modulus_le() -> Vec<u8> {
        Self::Fq::MODULUS.to_bytes_le()
    }
    /// The largest s with 2^s dividing r - 1 (the largest FFT domain is 2^s).
    fn two_adicity() -> u32 {
        <Self::Fr as FftField>::TWO_ADICITY
    }
    /// arkworks' multiplicative generator g of the scalar field (the coset offset),
    /// little-endian.
    fn multiplicative_generator_le() -> Vec<u8> {
        <Self::Fr as FftField>::GENERATOR
            .into_bigint()
            .to_bytes_le()
    }
}

/// BN254 (alt_bn128), the default curve: what Ethereum's precompiles and snarkjs use.
#[derive(Debug, Clone, Copy)]
pub struct Bn254;

impl Curve for Bn254 {
    const NAME: &'static str = "bn254";
    type Fr = ark_bn254::Fr;
    type Fq = ark_bn254::Fq;
    type G1 = ark_bn254::g1::Config;
    type G2 = ark_bn254::g2::Config;
    type Engine = ark_bn254::Bn254;
}

/// BLS12-381, the second curve.
#[derive(Debug, Clone, Copy)]
pub struct Bls12_381;

impl Curve for Bls12_381 {
    const NAME: &'static str = "bls12_381";
    type Fr = ark_bls12_381::Fr;
    type Fq = ark_bls12_381::Fq;
    type G1 = ark_bls12_381::g1::Config;
    type G2 = ark_bls12_381::g2::Config;
    type Engine = ark_bls12_381::Bls12_381;
}
