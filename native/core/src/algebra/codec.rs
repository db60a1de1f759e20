//! Validated point decoding and encoding in arkworks 0.5's `CanonicalSerialize` forms.
//!
//! arkworks' own deserializers collapse every failure into `SerializationError::
//! InvalidData` (and for BLS12-381 uncompressed points skip the curve-equation check),
//! so decoding is re-done here step by step, each failure with its own variant:
//!
//! 1. length and flag bits                       -> `InvalidEncoding`
//! 2. the point at infinity must be all zeros     -> `InvalidEncoding`
//! 3. each coordinate component `< q`            -> `NonCanonicalCoordinate`
//! 4. curve equation (compressed: x has a y)     -> `PointNotOnCurve`
//! 5. uncompressed BN254 sign flag matches y     -> `InvalidEncoding`
//! 6. prime-order subgroup membership            -> `PointNotInSubgroup`
//!
//! Encoding uses arkworks' serializer, so the bytes are exactly arkworks' and every
//! point has exactly one accepted encoding per form (steps 2 and 5 are stricter than
//! arkworks, which ignores those bits).
use ark_ec::short_weierstrass::{Affine, SWCurveConfig, SWFlags};
use ark_ec::AffineRepr;
use ark_ff::{BigInteger, Field, PrimeField};
use ark_serialize::{CanonicalSerialize, Compress};
use rayon::prelude::*;

use crate::error::{CoreError, CoreResult};

/// Layout of a curve's serialized points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// arkworks' generic short-Weierstrass form (BN254): little-endian components
    /// in order c0, c1; flags in the two top bits of the last byte (bit 7: y is the
    /// larger root, bit 6: infinity).
    ArkworksLe,
    /// The ZCash form of BLS12-381: big-endian components in order c1, c0; flags in
    /// the three top bits of the first byte (compressed, infinity, y is the larger).
    ZcashBe,
}

/// A short-Weierstrass group with a fixed byte format.
pub trait PointCodec: SWCurveConfig {
    /// How points of this group are laid out.
    const LAYOUT: Layout;
    /// "G1" or "G2", for messages.
    const LABEL: &'static str;

    /// Bytes of one base-prime-field component (32 for BN254, 48 for BLS12-381).
    fn component_bytes() -> usize {
        let bits = <Self::BaseField as Field>::BasePrimeField::MODULUS_BIT_SIZE as usize;
        bits.div_ceil(8)
    }
    /// Components per coordinate (1 for G1, 2 for G2).
    fn degree() -> usize {
        <Self::BaseField as Field>::extension_degree() as usize
    }
    /// Bytes of one compressed point.
    fn compressed_bytes() -> usize {
        Self::component_bytes() * Self::degree()
    }
    /// Bytes of one uncompressed point.
    fn uncompressed_bytes() -> usize {
        2 * Self::compressed_bytes()
    }
}

impl PointCodec for ark_bn254::g1::Config {
    const LAYOUT: Layout = Layout::ArkworksLe;
    const LABEL: &'static str = "G1";
}
impl PointCodec for ark_bn254::g2::Config {
    const LAYOUT: Layout = Layout::ArkworksLe;
    const LABEL: &'static str = "G2";
}
impl PointCodec for ark_bls12_381::g1::Config {
    const LAYOUT: Layout = Layout::ZcashBe;
    const LABEL: &'static str = "G1";
}
impl PointCodec for ark_bls12_381::g2::Config {
    const LAYOUT: Layout = Layout::ZcashBe;
    const LABEL: &'static str = "G2";
}

/// The prime field under a group's coordinates.
pub type Fp<P> = <<P as ark_ec::CurveConfig>::BaseField as Field>::BasePrimeField;
/// Affine coordinates as base-prime-field components, c0 before c1: `(x, y)`.
pub type Components<P> = (Vec<Fp<P>>, Vec<Fp<P>>);
/// Borrowed [`Components`].
pub type ComponentsRef<'a, P> = (&'a [Fp<P>], &'a [Fp<P>]);

/// One base-prime-field element from canonical little-endian bytes of the exact size.
pub fn prime_from_le<F: PrimeField>(bytes: &[u8]) -> CoreResult<F> {
    F::deserialize_uncompressed(bytes).map_err(|_| {
        CoreError::NonCanonicalCoordinate("coordinate is not below the base-field modulus q".into())
    })
}

/// The canonical little-endian bytes of a base-prime-field element.
pub fn prime_to_le<F: PrimeField>(value: &F) -> Vec<u8> {
    value.into_bigint().to_bytes_le()
}

fn prime_from_be<F: PrimeField>(bytes: &[u8]) -> CoreResult<F> {
    let mut le = bytes.to_vec();
    le.reverse();
    prime_from_le(&le)
}

/// A coordinate (an element of the base field) from its serialized components.
fn read_coordinate<P: PointCodec>(bytes: &[u8]) -> CoreResult<P::BaseField> {
    let cb = P::component_bytes();
    let mut comps: Vec<Fp<P>> = bytes
        .chunks_exact(cb)
        .map(|c| match P::LAYOUT {
            Layout::ArkworksLe => prime_from_le(c),
            Layout::ZcashBe => prime_from_be(c),
        })
        .collect::<CoreResult<_>>()?;
    if P::LAYOUT == Layout::ZcashBe {
        comps.reverse();
    }
    Ok(P::BaseField::from_base_prime_field_elems(comps).expect("component count fixed by layout"))
}

/// Validates affine coordinates: on the curve, then in the prime-order subgroup.
pub fn validate<P: PointCodec>(x: P::BaseField, y: P::BaseField) -> CoreResult<Affine<P>> {
    let p = Affine::<P>::new_unchecked(x, y);
    if !p.is_on_curve() {
        return Err(CoreError::PointNotOnCurve(format!(
            "the {} coordinates do not satisfy the curve equation",
            P::LABEL
        )));
    }
    check_subgroup(p)
}

fn check_subgroup<P: PointCodec>(p: Affine<P>) -> CoreResult<Affine<P>> {
    if !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(CoreError::PointNotInSubgroup(format!(
            "the {} point is on the curve but outside the prime-order subgroup",
            P::LABEL
        )));
    }
    Ok(p)
}

/// Builds a validated point from base-prime-field components (c0 before c1);
/// `None` is the point at infinity.
pub fn from_components<P: PointCodec>(xy: Option<ComponentsRef<'_, P>>) -> CoreResult<Affine<P>> {
    let Some((x, y)) = xy else {
        return Ok(Affine::<P>::identity());
    };
    let d = P::degree();
    if x.len() != d || y.len() != d {
        return Err(CoreError::InvalidEncoding(format!(
            "a {} coordinate has {d} component(s)",
            P::LABEL
        )));
    }
    let x = P::BaseField::from_base_prime_field_elems(x.iter().copied()).expect("length checked");
    let y = P::BaseField::from_base_prime_field_elems(y.iter().copied()).expect("length checked");
    validate(x, y)
}

/// The base-prime-field components (c0 before c1) of a point, `None` at infinity.
pub fn to_components<P: PointCodec>(p: &Affine<P>) -> Option<Components<P>> {
    let (x, y) = p.xy()?;
    Some((
        x.to_base_prime_field_elements().collect(),
        y.to_base_prime_field_elements().collect(),
    ))
}

fn encoding_error(msg: impl Into<String>) -> CoreError {
    CoreError::InvalidEncoding(msg.into())
}

/// Decodes one point from exactly `compressed_bytes()` / `uncompressed_bytes()` bytes.
pub fn decode_one<P: PointCodec>(bytes: &[u8], compressed: bool) -> CoreResult<Affine<P>> {
    let want = if compressed {
        P::compressed_bytes()
    } else {
        P::uncompressed_bytes()
    };
    if bytes.len() != want {
        return Err(encoding_error(format!(
            "a {} {} point is {want} bytes, got {}",
            if compressed {
                "compressed"
            } else {
                "uncompressed"
            },
            P::LABEL,
            bytes.len()
        )));
    }
    match P::LAYOUT {
        Layout::ArkworksLe => decode_arkworks_le::<P>(bytes, compressed),
        Layout::ZcashBe => decode_zcash_be::<P>(bytes, compressed),
    }
}

fn decode_arkworks_le<P: PointCodec>(bytes: &[u8], compressed: bool) -> CoreResult<Affine<P>> {
    let mut buf = bytes.to_vec();
    let last = buf.len() - 1;
    let flags = buf[last] >> 6;
    buf[last] &= 0x3f;
    let (larger, infinity) = (flags & 0b10 != 0, flags & 0b01 != 0);
    if larger && infinity {
        return Err(encoding_error(
            "both the infinity and the y-sign flag are set",
        ));
    }
    if infinity {
        if buf.iter().any(|b| *b != 0) {
            return Err(encoding_error(
                "the point at infinity must encode all-zero coordinates",
            ));
        }
        return Ok(Affine::<P>::identity());
    }
    let half = P::compressed_bytes();
    let x = read_coordinate::<P>(&buf[..half])?;
    let p = if compressed {
        let (smaller, greater) = Affine::<P>::get_ys_from_x_unchecked(x).ok_or_else(|| {
            CoreError::PointNotOnCurve(format!("no {} point has this x-coordinate", P::LABEL))
        })?;
        Affine::<P>::new_unchecked(x, if larger { greater } else { smaller })
    } else {
        let y = read_coordinate::<P>(&buf[half..])?;
        let p = Affine::<P>::new_unchecked(x, y);
        if !p.is_on_curve() {
            return Err(CoreError::PointNotOnCurve(format!(
                "the {} coordinates do not satisfy the curve equation",
                P::LABEL
            )));
        }
        let expected = if larger {
            SWFlags::YIsNegative
        } else {
            SWFlags::YIsPositive
        };
        if p.to_flags() != expected {
            return Err(encoding_error(
                "the y-sign flag does not match the y-coordinate",
            ));
        }
        p
    };
    check_subgroup(p)
}

fn decode_zcash_be<P: PointCodec>(bytes: &[u8], compressed: bool) -> CoreResult<Affine<P>> {
    let mut buf = bytes.to_vec();
    let flags = buf[0] >> 5;
    buf[0] &= 0x1f;
    let (c_flag, infinity, larger) = (flags & 0b100 != 0, flags & 0b010 != 0, flags & 0b001 != 0);
    if c_flag != compressed {
        return Err(encoding_error(if compressed {
            "the compression flag is not set on a compressed point"
        } else {
            "the compression flag is set on an uncompressed point"
        }));
    }
    if larger && (!compressed || infinity) {
        return Err(encoding_error(
            "the y-sign flag is set where it is not allowed",
        ));
    }
    if infinity {
        if buf.iter().any(|b| *b != 0) {
            return Err(encoding_error(
                "the point at infinity must encode all-zero coordinates",
            ));
        }
        return Ok(Affine::<P>::identity());
    }
    let half = P::compressed_bytes();
    let x = read_coordinate::<P>(&buf[..half])?;
    if compressed {
        let p = Affine::<P>::get_point_from_x_unchecked(x, larger).ok_or_else(|| {
            CoreError::PointNotOnCurve(format!("no {} point has this x-coordinate", P::LABEL))
        })?;
        check_subgroup(p)
    } else {
        let y = read_coordinate::<P>(&buf[half..])?;
        validate(x, y)
    }
}

/// Decodes a concatenation of points, in parallel. The error names the first bad index.
pub fn decode_vec<P: PointCodec>(bytes: &[u8], compressed: bool) -> CoreResult<Vec<Affine<P>>> {
    let size = if compressed {
        P::compressed_bytes()
    } else {
        P::uncompressed_bytes()
    };
    if !bytes.len().is_multiple_of(size) {
        return Err(encoding_error(format!(
            "{} bytes is not a multiple of the {size}-byte {} {} encoding",
            bytes.len(),
            if compressed {
                "compressed"
            } else {
                "uncompressed"
            },
            P::LABEL
        )));
    }
    let decoded = bytes
        .par_chunks_exact(size)
        .with_min_len(16)
        .map(|c| decode_one::<P>(c, compressed))
        .collect::<CoreResult<Vec<_>>>();
    decoded.map_err(|_| {
        // Recompute deterministically which element fails first, for the message.
        let i = bytes
            .par_chunks_exact(size)
            .position_first(|c| decode_one::<P>(c, compressed).is_err())
            .expect("an element failed above");
        let e = decode_one::<P>(&bytes[i * size..(i + 1) * size], compressed)
            .expect_err("failed above");
        prefix_error(e, i)
    })
}

fn prefix_error(e: CoreError, index: usize) -> CoreError {
    let ctx = |m: String| format!("point {index}: {m}");
    match e {
        CoreError::InvalidEncoding(m) => CoreError::InvalidEncoding(ctx(m)),
        CoreError::NonCanonicalCoordinate(m) => CoreError::NonCanonicalCoordinate(ctx(m)),
        CoreError::PointNotOnCurve(m) => CoreError::PointNotOnCurve(ctx(m)),
        CoreError::PointNotInSubgroup(m) => CoreError::PointNotInSubgroup(ctx(m)),
        other => other,
    }
}

/// Encodes points in arkworks' form, concatenated.
pub fn encode_vec<P: PointCodec>(points: &[Affine<P>], compressed: bool) -> Vec<u8> {
    let size = if compressed {
        P::compressed_bytes()
    } else {
        P::uncompressed_bytes()
    };
    let mode = if compressed {
        Compress::Yes
    } else {
        Compress::No
    };
    let mut out = vec![0u8; points.len() * size];
    out.par_chunks_exact_mut(size)
        .with_min_len(64)
        .zip(points.par_iter())
        .for_each(|(chunk, p)| {
            p.serialize_with_mode(chunk, mode)
                .expect("the buffer has the serialized size");
        });
    out
}

/// Is this the point at infinity? (Re-exported for the bindings.)
pub fn is_identity<P: PointCodec>(p: &Affine<P>) -> bool {
    p.is_zero()
}
