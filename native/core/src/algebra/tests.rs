//! Unit tests of the algebra kernels, each generic over [`Curve`] and run on both
//! curves (A5): error variants for every malformed input (ADVERSARIAL B4), round trips
//! and algebraic identities (B9).
use ark_ec::pairing::Pairing;
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::{BigInteger, FftField, Field, One, PrimeField, UniformRand, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use ark_std::rand::{rngs::StdRng, SeedableRng};

use super::codec::{self, Layout, PointCodec};
use super::curve::{Bls12_381, Bn254, Curve};
use super::fft::{self, Transform};
use super::pairing::pairing_check;
use super::points;
use super::scalar::{self, SCALAR_BYTES};
use crate::error::CoreError;

fn rng() -> StdRng {
    // Tests only: reproducible randomness. Kernels use OsRng.
    StdRng::seed_from_u64(0x2c5ed17)
}

fn kind(e: &CoreError) -> &'static str {
    match e {
        CoreError::InvalidEncoding(_) => "InvalidEncoding",
        CoreError::NonCanonicalScalar(_) => "NonCanonicalScalar",
        CoreError::NonCanonicalCoordinate(_) => "NonCanonicalCoordinate",
        CoreError::PointNotOnCurve(_) => "PointNotOnCurve",
        CoreError::PointNotInSubgroup(_) => "PointNotInSubgroup",
        CoreError::InvalidDomain(_) => "InvalidDomain",
        CoreError::InvalidArgument(_) => "InvalidArgument",
        CoreError::DivisionByZero(_) => "DivisionByZero",
        #[allow(unreachable_patterns)]
        _ => "other",
    }
}

macro_rules! assert_err {
    ($res:expr, $kind:literal) => {
        match $res {
            Ok(_) => panic!("expected {}, got Ok", $kind),
            Err(e) => assert_eq!(kind(&e), $kind, "wrong error: {e}"),
        }
    };
}

fn enc_scalars<F: scalar::ScalarField>(v: &[F]) -> Vec<u8> {
    scalar::encode(v)
}

fn rand_scalars<C: Curve>(n: usize, rng: &mut StdRng) -> Vec<C::Fr> {
    (0..n).map(|_| C::Fr::rand(rng)).collect()
}

fn rand_points<P: SWCurveConfig>(n: usize, rng: &mut StdRng) -> Vec<Affine<P>> {
    let v: Vec<Projective<P>> = (0..n).map(|_| Projective::<P>::rand(rng)).collect();
    Projective::normalize_batch(&v)
}

// ---------------------------------------------------------------- scalars

fn scalar_cases<C: Curve>() {
    let mut r = rng();
    let a = rand_scalars::<C>(33, &mut r);
    let b = rand_scalars::<C>(33, &mut r);
    let (ea, eb) = (enc_scalars(&a), enc_scalars(&b));
    assert_eq!(scalar::decode::<C::Fr>(&ea).unwrap(), a);
    let dec = |v: Vec<u8>| scalar::decode::<C::Fr>(&v).unwrap();
    let sum: Vec<_> = a.iter().zip(&b).map(|(x, y)| *x + y).collect();
    let dif: Vec<_> = a.iter().zip(&b).map(|(x, y)| *x - y).collect();
    let prd: Vec<_> = a.iter().zip(&b).map(|(x, y)| *x * y).collect();
    assert_eq!(dec(scalar::add::<C::Fr>(&ea, &eb).unwrap()), sum);
    assert_eq!(dec(scalar::sub::<C::Fr>(&ea, &eb).unwrap()), dif);
    assert_eq!(dec(scalar::mul::<C::Fr>(&ea, &eb).unwrap()), prd);
    let negs = dec(scalar::neg::<C::Fr>(&ea).unwrap());
    assert!(negs.iter().zip(&a).all(|(n, x)| (*n + x).is_zero()));
    let invs = dec(scalar::inv::<C::Fr>(&ea).unwrap());
    assert!(invs.iter().zip(&a).all(|(i, x)| (*i * x).is_one()));
    // empty vectors are fine
    assert!(scalar::add::<C::Fr>(&[], &[]).unwrap().is_empty());

    // r itself and 2^256 - 1 are not canonical; never reduced
    let mut modulus = C::Fr::MODULUS.to_bytes_le();
    modulus.resize(SCALAR_BYTES, 0);
    let mut bad = ea.clone();
    bad[32..64].copy_from_slice(&modulus);
    assert_err!(scalar::decode::<C::Fr>(&bad), "NonCanonicalScalar");
    let e = scalar::add::<C::Fr>(&bad, &eb).unwrap_err();
    assert!(e.to_string().contains("scalar 1"), "{e}");
    assert_err!(scalar::neg::<C::Fr>(&[0xff; 32]), "NonCanonicalScalar");
    let mut r_minus_1 = modulus.clone();
    r_minus_1[0] -= 1;
    assert_eq!(
        scalar::decode::<C::Fr>(&r_minus_1).unwrap()[0],
        -C::Fr::one()
    );

    assert_err!(scalar::decode::<C::Fr>(&ea[..31]), "InvalidEncoding");
    assert_err!(scalar::add::<C::Fr>(&ea, &eb[..32]), "InvalidArgument");
    let mut with_zero = ea.clone();
    with_zero[64..96].fill(0);
    assert_err!(scalar::inv::<C::Fr>(&with_zero), "DivisionByZero");

    let rnd = scalar::random::<C::Fr>(1000);
    assert_eq!(rnd.len(), 1000 * SCALAR_BYTES);
    let vals = scalar::decode::<C::Fr>(&rnd).unwrap();
    let distinct: std::collections::HashSet<_> = vals.iter().map(|v| v.into_bigint().0).collect();
    assert_eq!(distinct.len(), 1000);
    // top bits are exercised: some value above r/2 should appear
    let half = C::Fr::MODULUS >> 1;
    assert!(vals.iter().any(|v| v.into_bigint() > half));
    assert!(scalar::random::<C::Fr>(0).is_empty());
}

#[test]
fn scalars_bn254() {
    scalar_cases::<Bn254>();
}

#[test]
fn scalars_bls12_381() {
    scalar_cases::<Bls12_381>();
}

// ---------------------------------------------------------------- point codecs

fn ark_bytes<P: SWCurveConfig>(p: &Affine<P>, compressed: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mode = if compressed {
        Compress::Yes
    } else {
        Compress::No
    };
    p.serialize_with_mode(&mut out, mode).unwrap();
    out
}

/// Flag bits of an encoding, by layout.
fn flag_mask<P: PointCodec>(bytes: &[u8]) -> (usize, u8) {
    match P::LAYOUT {
        Layout::ArkworksLe => (bytes.len() - 1, 0xc0),
        Layout::ZcashBe => (0, 0xe0),
    }
}

/// Overwrites the first serialized component of the x-coordinate with q, keeping flags.
fn with_x_component_q<P: PointCodec>(bytes: &[u8]) -> Vec<u8> {
    let cb = P::component_bytes();
    let mut q = <<P::BaseField as Field>::BasePrimeField as PrimeField>::MODULUS.to_bytes_le();
    q.resize(cb, 0);
    if P::LAYOUT == Layout::ZcashBe {
        q.reverse();
    }
    let mut out = bytes.to_vec();
    let (at, mask) = flag_mask::<P>(&out);
    let flags = out[at] & mask;
    out[..cb].copy_from_slice(&q);
    out[at] |= flags;
    out
}

/// A point on the curve (or twist) outside the prime-order subgroup.
fn off_subgroup<P: PointCodec>(rng: &mut StdRng) -> Affine<P> {
    loop {
        let x = P::BaseField::rand(rng);
        if let Some(p) = Affine::<P>::get_point_from_x_unchecked(x, false) {
            if !p.is_in_correct_subgroup_assuming_on_curve() {
                return p;
            }
        }
    }
}

fn codec_cases<P: PointCodec>(has_cofactor: bool) {
    let mut r = rng();
    let mut pts = rand_points::<P>(20, &mut r);
    pts.push(Affine::<P>::identity());
    for compressed in [true, false] {
        let size = if compressed {
            P::compressed_bytes()
        } else {
            P::uncompressed_bytes()
        };
        let all = codec::encode_vec(&pts, compressed);
        assert_eq!(all.len(), pts.len() * size);
        // our bytes are arkworks' bytes, and both decoders agree
        for (p, chunk) in pts.iter().zip(all.chunks(size)) {
            assert_eq!(chunk, ark_bytes(p, compressed).as_slice());
            let mode = if compressed {
                Compress::Yes
            } else {
                Compress::No
            };
            let theirs = Affine::<P>::deserialize_with_mode(chunk, mode, Validate::Yes).unwrap();
            assert_eq!(theirs, *p);
        }
        assert_eq!(codec::decode_vec::<P>(&all, compressed).unwrap(), pts);
        assert!(codec::decode_vec::<P>(&[], compressed).unwrap().is_empty());

        // wrong length
        assert_err!(
            codec::decode_vec::<P>(&all[..size + 1], compressed),
            "InvalidEncoding"
        );
        assert_err!(
            codec::decode_one::<P>(&all[..size - 1], compressed),
            "InvalidEncoding"
        );
        // the other form's bytes
        let other = ark_bytes(&pts[0], !compressed);
        assert_err!(
            codec::decode_one::<P>(&other, compressed),
            "InvalidEncoding"
        );
        if P::LAYOUT == Layout::ZcashBe {
            // ZCash flags say which form it is; arkworks' BN254 bytes do not
            assert_err!(
                codec::decode_vec::<P>(&other[..size.min(other.len())], compressed),
                "InvalidEncoding"
            );
        }

        // coordinate >= q
        let good = ark_bytes(&pts[1], compressed);
        let e = codec::decode_vec::<P>(
            &[all.clone(), with_x_component_q::<P>(&good)].concat(),
            compressed,
        )
        .unwrap_err();
        assert_eq!(kind(&e), "NonCanonicalCoordinate");
        assert!(
            e.to_string().contains(&format!("point {}", pts.len())),
            "{e}"
        );

        // infinity flag with non-zero coordinates
        let (at, _) = flag_mask::<P>(&good);
        let mut inf = good.clone();
        match P::LAYOUT {
            Layout::ArkworksLe => inf[at] = (inf[at] & 0x3f) | 0x40,
            Layout::ZcashBe => inf[at] = (inf[at] & 0x1f) | if compressed { 0xc0 } else { 0x40 },
        }
        assert_err!(codec::decode_one::<P>(&inf, compressed), "InvalidEncoding");
    }

    // flags: both the sign and the infinity bit / wrong compression bit
    let good_c = ark_bytes(&pts[2], true);
    let good_u = ark_bytes(&pts[2], false);
    match P::LAYOUT {
        Layout::ArkworksLe => {
            let mut b = ark_bytes(&Affine::<P>::identity(), true);
            let last = b.len() - 1;
            b[last] |= 0x80;
            assert_err!(codec::decode_one::<P>(&b, true), "InvalidEncoding");
            // uncompressed with the sign flag flipped: a second encoding arkworks accepts
            let mut flipped = good_u.clone();
            let last = flipped.len() - 1;
            flipped[last] ^= 0x80;
            let mode = Compress::No;
            assert!(
                Affine::<P>::deserialize_with_mode(flipped.as_slice(), mode, Validate::Yes).is_ok()
            );
            assert_err!(codec::decode_one::<P>(&flipped, false), "InvalidEncoding");
        }
        Layout::ZcashBe => {
            let mut b = good_c.clone();
            b[0] &= 0x7f; // compressed point without the compression flag
            assert_err!(codec::decode_one::<P>(&b, true), "InvalidEncoding");
            let mut b = good_u.clone();
            b[0] |= 0x80;
            assert_err!(codec::decode_one::<P>(&b, false), "InvalidEncoding");
            let mut b = good_u.clone();
            b[0] |= 0x20; // sign flag on an uncompressed point
            assert_err!(codec::decode_one::<P>(&b, false), "InvalidEncoding");
            let mut b = ark_bytes(&Affine::<P>::identity(), true);
            b[0] |= 0x20;
            assert_err!(codec::decode_one::<P>(&b, true), "InvalidEncoding");
        }
    }

    // off-curve: y + 1
    let (x, y) = pts[3].xy().unwrap();
    let bumped = Affine::<P>::new_unchecked(x, y + P::BaseField::one());
    assert_err!(
        codec::decode_one::<P>(&ark_bytes(&bumped, false), false),
        "PointNotOnCurve"
    );
    assert_err!(
        codec::validate::<P>(x, y + P::BaseField::one()),
        "PointNotOnCurve"
    );
    // compressed x with no point: search for such an x
    let mut t = rng();
    let x_bad = loop {
        let x = P::BaseField::rand(&mut t);
        if Affine::<P>::get_ys_from_x_unchecked(x).is_none() {
            break x;
        }
    };
    let bad_c = ark_bytes(
        &Affine::<P>::new_unchecked(x_bad, P::BaseField::zero()),
        true,
    );
    assert_err!(codec::decode_one::<P>(&bad_c, true), "PointNotOnCurve");

    // on the curve, outside the subgroup
    if has_cofactor {
        let p = off_subgroup::<P>(&mut r);
        for compressed in [true, false] {
            assert_err!(
                codec::decode_one::<P>(&ark_bytes(&p, compressed), compressed),
                "PointNotInSubgroup"
            );
            let mode = if compressed {
                Compress::Yes
            } else {
                Compress::No
            };
            assert!(Affine::<P>::deserialize_with_mode(
                ark_bytes(&p, compressed).as_slice(),
                mode,
                Validate::Yes
            )
            .is_err());
        }
        let (x, y) = p.xy().unwrap();
        assert_err!(codec::validate::<P>(x, y), "PointNotInSubgroup");
    }

    // components round trip
    for p in &pts {
        let comps = codec::to_components(p);
        let back =
            codec::from_components::<P>(comps.as_ref().map(|(x, y)| (x.as_slice(), y.as_slice())));
        assert_eq!(back.unwrap(), *p);
    }
}

#[test]
fn codec_bn254_g1() {
    codec_cases::<ark_bn254::g1::Config>(false);
}
#[test]
fn codec_bn254_g2() {
    codec_cases::<ark_bn254::g2::Config>(true);
}
#[test]
fn codec_bls12_381_g1() {
    codec_cases::<ark_bls12_381::g1::Config>(true);
}
#[test]
fn codec_bls12_381_g2() {
    codec_cases::<ark_bls12_381::g2::Config>(true);
}

/// ADVERSARIAL B4: a G2 point with c0 and c1 swapped is rejected.
fn swapped_fp2<P: PointCodec>() {
    let mut r = rng();
    let mut seen = 0;
    for p in rand_points::<P>(8, &mut r) {
        let (x, y) = codec::to_components(&p).unwrap();
        let (xs, ys) = ([x[1], x[0]], [y[1], y[0]]);
        assert_err!(
            codec::from_components::<P>(Some((&xs, &ys))),
            "PointNotOnCurve"
        );
        let swapped = Affine::<P>::new_unchecked(
            P::BaseField::from_base_prime_field_elems(xs).unwrap(),
            P::BaseField::from_base_prime_field_elems(ys).unwrap(),
        );
        assert_err!(
            codec::decode_one::<P>(&ark_bytes(&swapped, false), false),
            "PointNotOnCurve"
        );
        match codec::decode_one::<P>(&ark_bytes(&swapped, true), true) {
            Err(CoreError::PointNotOnCurve(_)) | Err(CoreError::PointNotInSubgroup(_)) => seen += 1,
            other => panic!("swapped compressed G2 accepted or misclassified: {other:?}"),
        }
    }
    assert_eq!(seen, 8);
}

#[test]
fn swapped_fp2_order_rejected() {
    swapped_fp2::<ark_bn254::g2::Config>();
    swapped_fp2::<ark_bls12_381::g2::Config>();
}

#[test]
fn from_components_errors() {
    use ark_bn254::{g1::Config as G1, Fq};
    assert_err!(
        codec::from_components::<G1>(Some((&[Fq::one()], &[Fq::one()]))),
        "PointNotOnCurve"
    );
    assert_err!(
        codec::from_components::<G1>(Some((&[Fq::zero()], &[Fq::zero()]))),
        "PointNotOnCurve"
    );
    assert_err!(
        codec::from_components::<G1>(Some((&[Fq::one(), Fq::one()], &[Fq::one()]))),
        "InvalidEncoding"
    );
    assert!(codec::from_components::<G1>(None).unwrap().is_zero());
    let g = codec::from_components::<G1>(Some((&[Fq::one()], &[Fq::from(2u64)]))).unwrap();
    assert_eq!(g, points::generator::<G1>()[0]);
    let mut q = Fq::MODULUS.to_bytes_le();
    q.resize(32, 0);
    assert_err!(codec::prime_from_le::<Fq>(&q), "NonCanonicalCoordinate");
}

// ---------------------------------------------------------------- group ops and MSM

fn group_cases<P>()
where
    P: PointCodec,
    P::ScalarField: scalar::ScalarField,
{
    let mut r = rng();
    let pts = rand_points::<P>(17, &mut r);
    let ks: Vec<P::ScalarField> = (0..17).map(|_| P::ScalarField::rand(&mut r)).collect();
    let eks = scalar::encode(&ks);

    // MSM == naive sum, at several sizes, with zero scalars, identities and repeats
    for n in [0usize, 1, 2, 17] {
        let mut p = pts[..n].to_vec();
        let mut k = ks[..n].to_vec();
        if n >= 2 {
            p[1] = Affine::<P>::identity();
            k[0] = P::ScalarField::zero();
        }
        if n == 17 {
            p[5] = p[4];
        }
        let naive: Projective<P> = p.iter().zip(&k).map(|(a, b)| *a * b).sum();
        assert_eq!(
            points::msm(&p, &scalar::encode(&k)).unwrap(),
            naive.into_affine()
        );
    }
    assert!(points::msm::<P>(&[], &[]).unwrap().is_zero());
    assert_err!(points::msm(&pts, &eks[..32]), "InvalidArgument");
    assert_err!(points::msm(&pts[..1], &[0xff; 32]), "NonCanonicalScalar");
    assert_err!(points::msm(&pts[..1], &[0; 31]), "InvalidEncoding");

    // elementwise mul, with broadcasting either way
    let prods = points::mul(&pts, &eks).unwrap();
    for i in 0..17 {
        assert_eq!(prods[i], (pts[i] * ks[i]).into_affine());
    }
    let g = points::generator::<P>();
    let gk = points::mul(&g, &eks).unwrap();
    assert_eq!(gk.len(), 17);
    for i in 0..17 {
        assert_eq!(gk[i], (g[0] * ks[i]).into_affine());
    }
    let pk0 = points::mul(&pts, &eks[..32]).unwrap();
    assert_eq!(pk0[3], (pts[3] * ks[0]).into_affine());
    assert_err!(points::mul(&pts[..2], &eks[..96]), "InvalidArgument");

    // add / neg
    let sums = points::add(&pts, &prods).unwrap();
    assert_eq!(sums[2], (pts[2] + prods[2]).into_affine());
    let negs = points::neg(&pts);
    assert!(points::add(&pts, &negs)
        .unwrap()
        .iter()
        .all(|p| p.is_zero()));
    assert_err!(points::add(&pts, &negs[..3]), "InvalidArgument");
    assert_eq!(g[0], Projective::<P>::generator().into_affine());
}

#[test]
fn group_ops_bn254() {
    group_cases::<ark_bn254::g1::Config>();
    group_cases::<ark_bn254::g2::Config>();
}

#[test]
fn group_ops_bls12_381() {
    group_cases::<ark_bls12_381::g1::Config>();
    group_cases::<ark_bls12_381::g2::Config>();
}

// ---------------------------------------------------------------- FFT

fn fft_cases<C: Curve>() {
    let mut r = rng();
    for log_n in [0u32, 1, 3, 6] {
        let n = 1usize << log_n;
        let coeffs = rand_scalars::<C>(n, &mut r);
        let bytes = scalar::encode(&coeffs);
        let g = C::Fr::GENERATOR;
        let mut exp = C::Fr::MODULUS;
        exp.sub_with_borrow(&C::Fr::one().into_bigint());
        for _ in 0..log_n {
            exp.div2();
        }
        let omega = g.pow(exp);
        let eval = |x: C::Fr| {
            coeffs
                .iter()
                .rev()
                .fold(C::Fr::zero(), |acc, c| acc * x + c)
        };
        let naive: Vec<C::Fr> = (0..n).map(|i| eval(omega.pow([i as u64]))).collect();
        let naive_coset: Vec<C::Fr> = (0..n).map(|i| eval(g * omega.pow([i as u64]))).collect();
        let run =
            |b: &[u8], t| scalar::decode::<C::Fr>(&fft::transform::<C::Fr>(b, t).unwrap()).unwrap();
        assert_eq!(run(&bytes, Transform::Fft), naive);
        assert_eq!(run(&bytes, Transform::CosetFft), naive_coset);
        assert_eq!(run(&scalar::encode(&naive), Transform::Ifft), coeffs);
        assert_eq!(
            run(&scalar::encode(&naive_coset), Transform::CosetIfft),
            coeffs
        );
    }
    for bad_n in [0usize, 3, 6, 12] {
        let b = vec![0u8; bad_n * SCALAR_BYTES];
        assert_err!(fft::transform::<C::Fr>(&b, Transform::Fft), "InvalidDomain");
    }
    assert_err!(
        fft::domain::<C::Fr>(1 << (C::Fr::TWO_ADICITY + 1)),
        "InvalidDomain"
    );
    assert!(fft::domain::<C::Fr>(1 << C::Fr::TWO_ADICITY).is_ok());
    assert_err!(
        fft::transform::<C::Fr>(&[0u8; 33], Transform::Fft),
        "InvalidEncoding"
    );
    assert_err!(
        fft::transform::<C::Fr>(&[0xffu8; 64], Transform::Ifft),
        "NonCanonicalScalar"
    );
}

#[test]
fn fft_bn254() {
    assert_eq!(<Bn254 as Curve>::Fr::GENERATOR, ark_bn254::Fr::from(5u64));
    fft_cases::<Bn254>();
}

#[test]
fn fft_bls12_381() {
    assert_eq!(
        <Bls12_381 as Curve>::Fr::GENERATOR,
        ark_bls12_381::Fr::from(7u64)
    );
    fft_cases::<Bls12_381>();
}

// ---------------------------------------------------------------- pairing

fn pairing_cases<C: Curve>() {
    let mut r = rng();
    let (a, b) = (C::Fr::rand(&mut r), C::Fr::rand(&mut r));
    let p = points::generator::<C::G1>()[0];
    let q = points::generator::<C::G2>()[0];
    let pa = (p * a).into_affine();
    let qb = (q * b).into_affine();
    let minus_pab = (-(p * (a * b))).into_affine();
    // bilinearity: e(aP, bQ) * e(-abP, Q) == 1
    assert!(pairing_check::<C::Engine>(&[pa, minus_pab], &[qb, q]).unwrap());
    assert!(!pairing_check::<C::Engine>(&[pa, pa], &[qb, q]).unwrap());
    // non-degeneracy
    assert!(!pairing_check::<C::Engine>(&[p], &[q]).unwrap());
    // identities contribute 1; empty product is 1
    assert!(pairing_check::<C::Engine>(&[Affine::<C::G1>::identity()], &[q]).unwrap());
    assert!(pairing_check::<C::Engine>(&[p], &[Affine::<C::G2>::identity()]).unwrap());
    assert!(pairing_check::<C::Engine>(&[], &[]).unwrap());
    assert_err!(pairing_check::<C::Engine>(&[p], &[]), "InvalidArgument");
    // e(g1, g2)^r == 1 : r * P is the identity
    let r_big = C::Fr::MODULUS;
    assert!(Projective::<C::G1>::generator().mul_bigint(r_big).is_zero());
    let gt = C::Engine::pairing(p, q);
    assert!(gt.mul_bigint(r_big).is_zero());
}

#[test]
fn pairing_bn254() {
    pairing_cases::<Bn254>();
}

#[test]
fn pairing_bls12_381() {
    pairing_cases::<Bls12_381>();
}

// ---------------------------------------------------------------- batch-affine MSM

fn batch_affine_msm_cases<P>()
where
    P: PointCodec,
    P::ScalarField: scalar::ScalarField,
{
    use ark_ec::scalar_mul::variable_base::VariableBaseMSM;
    let mut r = rng();
    for n in [1usize, 2, 3, 17, 100, 1000, 3000] {
        let mut p = rand_points::<P>(n, &mut r);
        let mut k: Vec<P::ScalarField> = (0..n).map(|_| P::ScalarField::rand(&mut r)).collect();
        if n >= 17 {
            // identities, zero and extreme scalars, repeats, P and -P, many equal digits
            p[0] = Affine::<P>::identity();
            k[1] = P::ScalarField::zero();
            k[2] = -P::ScalarField::one();
            p[3] = p[4];
            k[3] = k[4];
            p[5] = -p[6];
            k[5] = k[6];
            p[7] = p[8];
            k[7] = -k[8];
            for i in 9..17 {
                p[i] = p[9];
                k[i] = P::ScalarField::from(12345u64);
            }
        }
        let ints: Vec<_> = k.iter().map(|v| v.into_bigint()).collect();
        let ours = super::msm::msm_bigint(&p, &ints).into_affine();
        let theirs = Projective::<P>::msm_bigint(&p, &ints).into_affine();
        assert_eq!(ours, theirs, "n = {n}");
    }
    // all bases equal and all scalars equal: every window's buckets collide
    let g = points::generator::<P>()[0];
    let p = vec![g; 500];
    let k = vec![P::ScalarField::from(3u64).into_bigint(); 500];
    let expected = (g * P::ScalarField::from(1500u64)).into_affine();
    assert_eq!(super::msm::msm_bigint(&p, &k).into_affine(), expected);
}

#[test]
fn batch_affine_msm_matches_arkworks() {
    batch_affine_msm_cases::<ark_bn254::g1::Config>();
    batch_affine_msm_cases::<ark_bn254::g2::Config>();
    batch_affine_msm_cases::<ark_bls12_381::g1::Config>();
    batch_affine_msm_cases::<ark_bls12_381::g2::Config>();
}
