//! Elementary functions in plain f64 arithmetic, so that every machine computes the same
//! bits: platform libm `exp`/`ln`/`pow` may differ in the last place between versions and
//! CPUs (FMA or not). Accuracy: relative error below 1e-14 over the ranges used here.

const LN2_HI: f64 = 6.931_471_803_691_238e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
const LN2: f64 = std::f64::consts::LN_2;
/// 2^54, exactly.
const TWO_54: f64 = (1u64 << 54) as f64;

/// 2^(j/64) for j in 0..64, by Taylor series at compile time (const float arithmetic is
/// IEEE-exact, so the table is the same on every machine).
const TABLE: [f64; 64] = exp_table();

const fn exp_table() -> [f64; 64] {
    let mut t = [0.0; 64];
    let mut j = 0;
    while j < 64 {
        let r = j as f64 * LN2 / 64.0;
        let (mut term, mut sum, mut n) = (1.0, 1.0, 1);
        while n < 30 {
            term = term * r / n as f64;
            sum += term;
            n += 1;
        }
        t[j] = sum;
        j += 1;
    }
    t
}

/// Adding then subtracting this rounds a double to the nearest integer, exactly.
const SHIFTER: f64 = 6_755_399_441_055_744.0; // 1.5 * 2^52

/// e^x, for x in [-708, 709] (clamped outside): e^x = 2^e * 2^(j/64) * e^r, |r| <= ln2/128.
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    let x = x.clamp(-708.0, 709.0);
    let t = x * (64.0 / LN2) + SHIFTER;
    let k = t.to_bits() as i64 - SHIFTER.to_bits() as i64;
    let kf = t - SHIFTER;
    let r = (x - kf * (LN2_HI / 64.0)) - kf * (LN2_LO / 64.0);
    let p = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0)))));
    TABLE[(k & 63) as usize] * p * pow2(k >> 6)
}

/// 2^k for k in [-1022, 1023].
#[inline(always)]
fn pow2(k: i64) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// Natural logarithm of x > 0. Without branches (a subnormal x is scaled into the normal
/// range first and the scale taken off the result), so loops over it can be vectorised.
#[inline(always)]
pub fn ln(x: f64) -> f64 {
    debug_assert!(x > 0.0);
    let subnormal = (x.to_bits() >> 52) & 0x7ff == 0;
    let (x, scale) = if subnormal { (x * TWO_54, 54.0 * LN2) } else { (x, 0.0) };
    let bits = x.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000); // [1, 2)
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    // ln m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.172
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut p = 1.0 / 23.0;
    for j in (0..=10).rev() {
        p = p * s2 + 1.0 / (2 * j + 1) as f64;
    }
    // Taking off a zero scale changes no bit.
    e as f64 * LN2 + 2.0 * s * p - scale
}

/// x^y for x > 0, and for x = 0 with y > 0 (0^y = 0).
pub fn powf(x: f64, y: f64) -> f64 {
    debug_assert!(x > 0.0 || (x == 0.0 && y > 0.0));
    if x == 0.0 {
        return 0.0;
    }
    exp(y * ln(x))
}

/// The logistic function 1 / (1 + e^-x).
#[inline(always)]
pub fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + exp(-x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_matches_std() {
        let mut x = -700.0;
        while x < 700.0 {
            let (a, b) = (exp(x), x.exp());
            assert!(((a - b) / b).abs() < 1e-14, "exp({x}) = {a} vs {b}");
            x += 0.377;
        }
        assert_eq!(exp(0.0), 1.0);
    }

    #[test]
    fn ln_matches_std() {
        for &x in &[1e-300, 1e-20, 0.001, 0.5, 0.7, 1.0, 1.4, 2.0, 10.0, 12345.678, 1e200, 5e-324] {
            let (a, b) = (ln(x), x.ln());
            assert!((a - b).abs() <= 1e-14 * b.abs().max(1.0), "ln({x}) = {a} vs {b}");
        }
        assert_eq!(ln(1.0), 0.0);
    }

    /// `ln` gives the same bits on every machine and must keep giving these: every
    /// run's numbers go through it (subnormals, halves, large and small values).
    #[test]
    fn ln_keeps_its_bits() {
        let xs = [5e-324, 1e-310, 1e-20, 0.3, 0.5, 1.41, 2.0, 12345.678, 1e300];
        let bits: Vec<u64> = xs.iter().map(|&x| ln(x).to_bits()).collect();
        let kept = [
            0xc087_4385_446d_71c3,
            0xc086_4e69_394d_9508,
            0xc047_069e_2aa2_aa5a,
            0xbff3_4378_fcbd_a720,
            0xbfe6_2e42_fefa_39ef,
            0x3fd5_fd5f_abe6_4083,
            0x3fe6_2e42_fefa_39ef,
            0x4022_d795_5979_1e31,
            0x4085_9634_47f8_7fb5,
        ];
        assert_eq!(bits, kept);
    }

    #[test]
    fn powf_and_logistic() {
        assert!((powf(0.5, 1.0 / 8.0) - 0.5f64.powf(0.125)).abs() < 1e-15);
        assert_eq!(powf(0.0, 2.0), 0.0);
        assert_eq!(logistic(0.0), 0.5);
        assert!(logistic(40.0) <= 1.0 && logistic(-40.0) >= 0.0);
    }
}
