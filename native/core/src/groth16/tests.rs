//! One generic test per property, run on both curves (STYLE A5).
use ark_ec::short_weierstrass::{Affine, SWCurveConfig};
use ark_ff::{One, PrimeField};

use super::data::{Matrices, Proof, ProvingKey, VerifyingKey};
use super::prove::{prove, prove_no_zk};
use super::setup::setup;
use super::verify::{batch_verify, prepare_verifying_key, verify_proof};
use crate::algebra::{Bls12_381, Bn254, Curve};

/// x * x = y with y public, plus y * 1 = y: wires [1, y, x].
fn square<C: Curve>() -> Matrices<C::Fr> {
    let one = C::Fr::one();
    Matrices {
        n_wires: 3,
        n_public: 1,
        a: vec![vec![(2, one)], vec![(1, one)]],
        b: vec![vec![(2, one)], vec![(0, one)]],
        c: vec![vec![(1, one)], vec![(1, one)]],
    }
}

fn round_trip<C: Curve>() {
    let m = square::<C>();
    let pk = setup::<C>(&m).unwrap();
    let x = C::Fr::from(7u64);
    let y = x * x;
    let w = vec![C::Fr::one(), y, x];
    let pvk = prepare_verifying_key(&pk.vk);
    let proof = prove(&pk, &m, &w).unwrap();
    assert!(verify_proof(&pvk, &proof, &[y]).unwrap());
    assert!(!verify_proof(&pvk, &proof, &[y + C::Fr::one()]).unwrap());
    assert!(verify_proof(&pvk, &proof, &[]).is_err());
    assert!(verify_proof(&pvk, &proof, &[y, y]).is_err());
    let p2 = prove_no_zk(&pk, &m, &w).unwrap();
    assert_eq!(p2, prove_no_zk(&pk, &m, &w).unwrap());
    assert!(verify_proof(&pvk, &p2, &[y]).unwrap());
    assert!(batch_verify(&pvk, &[(proof, vec![y]), (p2, vec![y])]).unwrap());
    assert!(!batch_verify(&pvk, &[(proof, vec![y]), (p2, vec![y + C::Fr::one()])]).unwrap());
    // An unsatisfying witness is refused.
    assert!(prove(&pk, &m, &[C::Fr::one(), y, x + C::Fr::one()]).is_err());
    // Byte forms round-trip.
    assert_eq!(Proof::<C>::from_bytes(&proof.to_bytes()).unwrap(), proof);
    assert_eq!(
        VerifyingKey::<C>::from_bytes(&pk.vk.to_bytes()).unwrap(),
        pk.vk
    );
    let body = pk.to_bytes();
    assert_eq!(ProvingKey::<C>::from_bytes(&body).unwrap(), pk);
    assert_eq!(ProvingKey::<C>::from_bytes_unchecked(&body).unwrap(), pk);
    assert!(ProvingKey::<C>::from_bytes(&body[..body.len() - 1]).is_err());
    // gamma == delta is refused.
    let mut bad = pk.vk.clone();
    bad.delta_g2 = bad.gamma_g2;
    assert!(VerifyingKey::<C>::from_bytes(&bad.to_bytes()).is_err());
    // delta == the G2 generator is refused.
    let mut bad = pk.vk.clone();
    bad.delta_g2 = <C::G2 as SWCurveConfig>::GENERATOR;
    assert!(VerifyingKey::<C>::from_bytes(&bad.to_bytes()).is_err());
    // A, B or C at infinity is refused when a proof is decoded.
    for which in 0..3 {
        let mut p = proof;
        match which {
            0 => p.a = Affine::identity(),
            1 => p.b = Affine::identity(),
            _ => p.c = Affine::identity(),
        }
        assert!(Proof::<C>::from_bytes(&p.to_bytes()).is_err());
    }
    // A non-canonical input count or an unknown wire in the matrices is refused.
    assert!(Matrices::<C::Fr>::from_bytes(&[0u8; 11]).is_err());
    let _ = C::Fr::MODULUS;
}

#[test]
fn round_trip_bn254() {
    round_trip::<Bn254>();
}

#[test]
fn round_trip_bls12_381() {
    round_trip::<Bls12_381>();
}
