//! The electorate's demography (docs/ODD.md section 7.3.6): South Korea's adult age
//! distribution at any date, and death by age.
//!
//! Both come from python/acsa/data/demography.csv, embedded at compile time and derived from
//! the reference data by docs/demography.py: a Gompertz law of mortality μ(a) = A e^(B a)
//! fitted to Statistics Korea's 2017 life table, and the size of each birth cohort on
//! reaching 18. The adults of year Y aged a number cohort(Y − a) × S(a) / S(18).

use std::sync::OnceLock;

use crate::math::exp;

/// The voting age (18 since 2020).
pub const ADULT_AGE: f64 = 18.0;
/// No adult is older.
const OLDEST: f64 = 110.0;

const DATA: &str = include_str!("../python/acsa/data/demography.csv");

/// The law's coefficients and the cohorts (birth year, thousands reaching 18), in year order.
struct Table {
    a: f64,
    b: f64,
    cohorts: Vec<(f64, f64)>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let (mut a, mut b, mut cohorts) = (f64::NAN, f64::NAN, Vec::new());
        for line in DATA.lines().skip(1) {
            let f: Vec<&str> = line.splitn(4, ',').collect();
            let value: f64 = f[2].parse().expect("demography.csv: a number in the value column");
            match f[0] {
                "gompertz_a" => a = value,
                "gompertz_b" => b = value,
                "cohort_reaching_18" => cohorts.push((f[1].parse().expect("demography.csv: a birth year"), value)),
                other => panic!("demography.csv: unknown quantity {other}"),
            }
        }
        assert!(a > 0.0 && b > 0.0 && cohorts.len() > 1, "demography.csv: incomplete");
        Table { a, b, cohorts }
    })
}

/// Share of a birth cohort alive at `age`: S(a) = exp(−A/B (e^(B a) − 1)).
pub fn survival(age: f64) -> f64 {
    let t = table();
    exp(-t.a / t.b * (exp(t.b * age) - 1.0))
}

/// Chance that an adult of `age` at the start of a year dies within it: 1 − S(a + 1) / S(a).
pub fn death_probability(age: f64) -> f64 {
    1.0 - survival(age + 1.0) / survival(age)
}

/// Whether an adult of `age` at the start of a year, whose draw for the year is `u`
/// (uniform in [0, 1)), dies within it: `u < death_probability(age)`. Most draws are above
/// the chance at two years older than the adult's whole years (the law rises by about 10%
/// a year, far more than rounding), and those adults survive without the exact chance.
pub fn dies(age: f64, u: f64) -> bool {
    static ABOVE: OnceLock<Vec<f64>> = OnceLock::new();
    let above = ABOVE.get_or_init(|| (0..=OLDEST as usize + 20).map(|k| death_probability(k as f64 + 2.0)).collect());
    if above.get(age.max(0.0) as usize).is_some_and(|&p| u >= p) {
        return false;
    }
    u < death_probability(age)
}

/// Thousands of the cohort born in `year` reaching 18 (linear between the table's years,
/// flat beyond its ends).
pub fn cohort_size(year: f64) -> f64 {
    let c = &table().cohorts;
    let k = c.partition_point(|&(y, _)| y <= year);
    if k == 0 {
        return c[0].1;
    }
    if k == c.len() {
        return c[k - 1].1;
    }
    let ((y0, s0), (y1, s1)) = (c[k - 1], c[k]);
    s0 + (s1 - s0) * (year - y0) / (y1 - y0)
}

/// Lower edges of the age bands the series reports favourability in: 18-29, 30-39, 40-59
/// and 60+ (the bands of the surveys by age: Genron NPO-EAI's 20-29 and 60+, FKI's and the
/// Korea Youth Foundation's 19/20-39).
pub const AGE_BANDS: [f64; 4] = [ADULT_AGE, 30.0, 40.0, 60.0];

/// The age band (index into `AGE_BANDS`) of an adult of `age`.
pub fn age_band(age: f64) -> u8 {
    AGE_BANDS[1..].iter().filter(|&&edge| age >= edge).count() as u8
}

/// The adult age distribution at a calendar date, in one-year bands from 18 to 110.
#[derive(Clone, Debug)]
pub struct Ages {
    /// Cumulative share of adults below 18 + k + 1.
    cdf: Vec<f64>,
}

/// Party identification by age relative to all adults (progressive, conservative), in the
/// bands 18-29, 30-39, 40-49, 50-59, 60-69 and 70+: the progressive camp strongest in its
/// forties and fifties, the conservative camp among those over 60, the young most often
/// with neither (Gallup Korea's party identification by age, 2024-2025, in outline).
const CAMP_AGE: [[f64; 6]; 2] = [[0.80, 1.05, 1.35, 1.25, 0.85, 0.55], [0.65, 0.65, 0.60, 0.90, 1.40, 1.90]];

/// The band of `CAMP_AGE` of an adult of `age`.
fn band(age: f64) -> usize {
    (((age - 20.0) / 10.0).floor().max(0.0) as usize).min(5)
}

impl Ages {
    /// Adults at `year` (a fractional calendar year): band [a, a + 1) holds the cohort born
    /// in year − a − 0.5, surviving from 18 to a + 0.5.
    pub fn at(year: f64) -> Ages {
        Ages::weighted(year, |_| 1.0)
    }

    /// The adults of camp `camp` (party byte: 0 progressive, 1 conservative, 2 neither) at
    /// `year`, when the camps hold `shares` (progressive, conservative) of all adults: the
    /// population weighted by the camp's `CAMP_AGE` profile, scaled so that it averages 1
    /// over the adults; those with neither camp take what the two leave, so that the camps
    /// together have the population's ages.
    pub fn of_camp(year: f64, camp: u8, shares: [f64; 2]) -> Ages {
        let all = Ages::at(year);
        let mean = |c: usize| (0..6).map(|b| CAMP_AGE[c][b] * all.band_share(b)).sum::<f64>();
        let profile = [0, 1].map(|c| CAMP_AGE[c].map(|m| m / mean(c)));
        let neither = 1.0 - shares[0] - shares[1];
        Ages::weighted(year, |age| {
            let b = band(age);
            match camp {
                0 | 1 => profile[camp as usize][b],
                _ if neither > 0.0 => {
                    ((1.0 - shares[0] * profile[0][b] - shares[1] * profile[1][b]) / neither).max(0.0)
                }
                _ => 1.0,
            }
        })
    }

    /// The population at `year` with each one-year band weighted by `weight(its middle age)`.
    fn weighted(year: f64, weight: impl Fn(f64) -> f64) -> Ages {
        let bands = (OLDEST - ADULT_AGE) as usize;
        let s18 = survival(ADULT_AGE);
        let mut cdf = Vec::with_capacity(bands);
        let mut total = 0.0;
        for k in 0..bands {
            let mid = ADULT_AGE + k as f64 + 0.5;
            total += cohort_size(year - mid) * survival(mid) / s18 * weight(mid);
            cdf.push(total);
        }
        cdf.iter_mut().for_each(|c| *c /= total);
        Ages { cdf }
    }

    /// Share of adults in band `b` of `CAMP_AGE`.
    fn band_share(&self, b: usize) -> f64 {
        let edges = [18.0, 30.0, 40.0, 50.0, 60.0, 70.0, OLDEST + 1.0];
        self.share(edges[b], edges[b + 1])
    }

    /// The age of the adult at quantile `u` in [0, 1): uniform within its band.
    pub fn sample(&self, u: f64) -> f64 {
        let k = self.cdf.partition_point(|&c| c <= u).min(self.cdf.len() - 1);
        let lo = if k == 0 { 0.0 } else { self.cdf[k - 1] };
        let within = if self.cdf[k] > lo { (u - lo) / (self.cdf[k] - lo) } else { 0.5 };
        ADULT_AGE + k as f64 + within.clamp(0.0, 1.0)
    }

    /// Share of adults aged from `lo` to below `hi`.
    pub fn share(&self, lo: f64, hi: f64) -> f64 {
        let below = |a: f64| {
            let k = (a - ADULT_AGE).clamp(0.0, self.cdf.len() as f64);
            let whole = k.floor() as usize;
            let base = if whole == 0 { 0.0 } else { self.cdf[whole - 1] };
            if whole >= self.cdf.len() {
                return 1.0;
            }
            base + (self.cdf[whole] - base) * (k - whole as f64)
        };
        below(hi) - below(lo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_law_matches_the_life_table() {
        // Statistics Korea 2017: survival to 65 of 91.3% (mean of men and women), e(0) 82.7.
        assert!((survival(65.0) - 0.913).abs() < 0.005, "{}", survival(65.0));
        let e0: f64 = (0..1500).map(|k| survival((k as f64 + 0.5) * 0.1) * 0.1).sum();
        assert!((e0 - 82.7).abs() < 1.0, "{e0}");
        // Death becomes more likely with age, about 10% more each year.
        let (q50, q51, q80) = (death_probability(50.0), death_probability(51.0), death_probability(80.0));
        assert!(q50 > 0.0 && q51 / q50 > 1.09 && q51 / q50 < 1.12 && q80 > 0.03 && q80 < 0.08);
    }

    #[test]
    fn a_death_is_a_draw_below_the_chance_of_the_age() {
        for k in 0..=2000 {
            let age = 17.0 + k as f64 * 0.05 + 1e-9 * (k % 3) as f64;
            let p = death_probability(age);
            for u in [0.0, 0.5 * p, p - 1e-12, p, p + 1e-12, 2.0 * p, 0.999] {
                assert_eq!(dies(age, u), u < p, "age {age}, draw {u}");
            }
        }
    }

    #[test]
    fn the_age_structure_matches_the_registration() {
        // December 2023: 6.20 million aged 20-29 and 6.32 million aged 70+ out of 51.32
        // million, of whom about 7.0 million are under 18 (registered births 2006-2023): as
        // shares of 44.3 million adults, 14.0% and 14.3%.
        let ages = Ages::at(2023.96);
        let (twenties, seventy_plus) = (ages.share(20.0, 30.0), ages.share(70.0, 111.0));
        assert!((twenties - 0.140).abs() < 0.012, "{twenties}");
        assert!((seventy_plus - 0.143).abs() < 0.012, "{seventy_plus}");
        // The electorate ages: a larger share over 60 in 2026 than in 2012.
        assert!(Ages::at(2026.4).share(60.0, 111.0) > Ages::at(2012.0).share(60.0, 111.0) + 0.08);
    }

    #[test]
    fn camps_differ_by_age_and_add_up_to_the_population() {
        let (year, shares) = (2026.4, [0.36, 0.30]);
        let all = Ages::at(year);
        let camps = [0, 1, 2].map(|c| Ages::of_camp(year, c, shares));
        let weights = [shares[0], shares[1], 1.0 - shares[0] - shares[1]];
        for (lo, hi) in [(18.0, 30.0), (40.0, 50.0), (70.0, 111.0)] {
            let mixed: f64 = camps.iter().zip(weights).map(|(a, w)| w * a.share(lo, hi)).sum();
            assert!((mixed - all.share(lo, hi)).abs() < 1e-9, "{lo}-{hi}: {mixed}");
        }
        assert!(camps[1].share(60.0, 111.0) > camps[0].share(60.0, 111.0) + 0.1, "conservatives older");
        assert!(camps[0].share(40.0, 60.0) > camps[1].share(40.0, 60.0) + 0.1, "progressives in their 40s-50s");
        assert!(camps[2].share(18.0, 30.0) > all.share(18.0, 30.0), "the young most often with neither");
    }

    #[test]
    fn age_bands_split_at_30_40_and_60() {
        let bands: Vec<u8> = [18.0, 29.99, 30.0, 39.9, 40.0, 59.9, 60.0, 104.0].map(age_band).to_vec();
        assert_eq!(bands, [0, 0, 1, 1, 2, 2, 3, 3]);
    }

    #[test]
    fn sampling_follows_the_distribution() {
        let ages = Ages::at(2026.4);
        let n = 100_000;
        let draws: Vec<f64> = (0..n).map(|k| ages.sample((k as f64 + 0.5) / n as f64)).collect();
        assert!(draws.iter().all(|&a| (ADULT_AGE..OLDEST).contains(&a)));
        let young = draws.iter().filter(|&&a| a < 30.0).count() as f64 / n as f64;
        assert!((young - ages.share(18.0, 30.0)).abs() < 1e-3, "{young}");
        assert!(draws.windows(2).all(|w| w[0] <= w[1]), "quantiles are monotone");
    }
}
