//! Randomness. Each actor that draws in sequence (the voters' set-up, the legislature,
//! events, the US, Japan, elections, the executive) has its own ChaCha8 stream of the run
//! seed, so more draws by one never shift another's; per-voter draws come from a stateless
//! counter-based hash keyed by (seed, step, index, stream), so results never depend on
//! thread count or scheduling.

use rand::rngs::ChaCha8Rng;
use rand::SeedableRng;

pub type RunRng = ChaCha8Rng;

/// The seed's first stream (for tests of a single actor).
pub fn run_rng(seed: &[u8; 32]) -> RunRng {
    ChaCha8Rng::from_seed(*seed)
}

/// Declares the actors of a polity that draw in sequence, each with the number of its
/// stream: `Streams`, one generator each, and `Streams::new`.
macro_rules! actors {
    ($($(#[doc = $doc:literal])* $actor:ident = $number:literal,)*) => {
        /// One stream per actor of a polity: ChaCha stream `polity << 8 | number`, where
        /// `polity` is 0 for Korea and `japan::JAPAN_STREAM` for Japan's voters and Diet in
        /// full mode.
        pub struct Streams {
            $($(#[doc = $doc])* pub $actor: RunRng,)*
        }

        impl Streams {
            pub fn new(seed: &[u8; 32], polity: u64) -> Streams {
                let stream = |number: u64| {
                    let mut rng = ChaCha8Rng::from_seed(*seed);
                    rng.set_stream(polity << 8 | number);
                    rng
                };
                Streams { $($actor: stream($number),)* }
            }
        }
    };
}

actors! {
    /// The voters' set-up: district leans.
    voters = 1,
    /// Members' idiosyncrasies, at set-up and at every assembly election.
    legislature = 2,
    /// The week's stochastic shocks: counts and magnitudes.
    events = 3,
    /// Each new US administration's resting pressure and commitment.
    us = 4,
    /// The Diet's vote on an ACSA (reduced mode).
    japan = 5,
    /// Each election's national campaign swing.
    elections = 6,
    /// The executive's decision noise, exposure of secret talks, giving in to pressure.
    executive = 7,
}

/// Independent per-purpose streams of the counter-based generator.
#[derive(Clone, Copy)]
#[repr(u64)]
pub enum Stream {
    Age = 1,
    Grievance = 2,
    Support = 3,
    Exposure = 4,
    Turnover = 5,
    Network = 6,
    Legislator = 7,
    Vote = 8,
}

/// SplitMix64 finaliser: a bijective mix with full avalanche.
#[inline(always)]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Stateless generator: every draw is a pure function of its coordinates.
#[derive(Clone, Copy, Debug)]
pub struct Counter {
    key: u64,
}

impl Counter {
    pub fn new(seed: &[u8; 32]) -> Self {
        let mut key = 0x6a09_e667_f3bc_c908u64;
        for chunk in seed.chunks_exact(8) {
            key = mix64(key ^ u64::from_le_bytes(chunk.try_into().unwrap()));
        }
        Counter { key }
    }

    /// An independent generator for another population (Japan's voters).
    pub fn derive(&self, tag: u64) -> Counter {
        Counter { key: mix64(self.key ^ mix64(tag)) }
    }

    #[inline(always)]
    pub fn bits(&self, stream: Stream, step: u32, index: u64, draw: u32) -> u64 {
        let a = mix64(self.key ^ ((stream as u64) << 40) ^ ((draw as u64) << 32) ^ step as u64);
        mix64(a ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }

    /// Uniform in [0, 1).
    #[inline(always)]
    pub fn uniform(&self, stream: Stream, step: u32, index: u64, draw: u32) -> f64 {
        (self.bits(stream, step, index, draw) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in (0, 1), never 0 (for logarithms).
    #[inline(always)]
    pub fn open_uniform(&self, stream: Stream, step: u32, index: u64, draw: u32) -> f64 {
        ((self.bits(stream, step, index, draw) >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal by Marsaglia's polar method (pairs of draws until one is accepted).
    #[inline]
    pub fn normal(&self, stream: Stream, step: u32, index: u64) -> f64 {
        let mut draw = 0;
        loop {
            let u = 2.0 * self.uniform(stream, step, index, draw) - 1.0;
            let v = 2.0 * self.uniform(stream, step, index, draw + 1) - 1.0;
            if let Some(z) = polar(u, v) {
                return z;
            }
            draw += 2;
        }
    }
}

/// Standard normal from the run stream.
pub fn normal(rng: &mut RunRng) -> f64 {
    use rand::RngExt;
    loop {
        let u = 2.0 * rng.random::<f64>() - 1.0;
        let v = 2.0 * rng.random::<f64>() - 1.0;
        if let Some(z) = polar(u, v) {
            return z;
        }
    }
}

/// One step of the polar method: a normal deviate from a point in the unit disc, if it is in it.
#[inline]
fn polar(u: f64, v: f64) -> Option<f64> {
    let s = u * u + v * v;
    (s > 0.0 && s < 1.0).then(|| u * (-2.0 * crate::math::ln(s) / s).sqrt())
}

/// Weekly decay factor for a half-life in weeks.
pub fn decay(half_life_weeks: f64) -> f64 {
    crate::math::powf(0.5, 1.0 / half_life_weeks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_is_pure_and_uniformish() {
        let c = Counter::new(&[7u8; 32]);
        assert_eq!(c.bits(Stream::Age, 3, 9, 0), c.bits(Stream::Age, 3, 9, 0));
        assert_ne!(c.bits(Stream::Age, 3, 9, 0), c.bits(Stream::Age, 3, 10, 0));
        assert_ne!(c.bits(Stream::Age, 3, 9, 0), c.bits(Stream::Grievance, 3, 9, 0));
        let n = 100_000;
        let mean: f64 = (0..n).map(|i| c.uniform(Stream::Support, 1, i, 0)).sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.01, "{mean}");
        let z: Vec<f64> = (0..n).map(|i| c.normal(Stream::Support, 1, i)).collect();
        let m = z.iter().sum::<f64>() / n as f64;
        let v = z.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n as f64;
        assert!(m.abs() < 0.02 && (v - 1.0).abs() < 0.03, "{m} {v}");
    }

    #[test]
    fn different_seeds_differ() {
        let a = Counter::new(&[1u8; 32]);
        let b = Counter::new(&[2u8; 32]);
        assert_ne!(a.bits(Stream::Age, 0, 0, 0), b.bits(Stream::Age, 0, 0, 0));
    }

    #[test]
    fn each_actor_draws_from_its_own_stream() {
        use rand::RngExt;
        let draws = |rng: &mut RunRng| -> Vec<u64> { (0..8).map(|_| rng.random()).collect() };
        let (mut a, mut b) = (Streams::new(&[4; 32], 0), Streams::new(&[4; 32], 0));
        // More draws by the events leave the US's draws unchanged.
        draws(&mut a.events);
        assert_eq!(draws(&mut a.us), draws(&mut b.us));
        // Actors, polities and seeds differ.
        let us = draws(&mut Streams::new(&[4; 32], 0).us);
        assert_ne!(draws(&mut Streams::new(&[4; 32], 0).executive), us);
        assert_ne!(draws(&mut Streams::new(&[4; 32], 1).us), us);
        assert_ne!(draws(&mut Streams::new(&[5; 32], 0).us), us);
    }

    #[test]
    fn decay_halves_at_half_life() {
        assert!((decay(8.0).powi(8) - 0.5).abs() < 1e-12);
    }
}
