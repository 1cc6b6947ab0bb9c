//! The audio mix: every source's decoded samples (48 kHz mono, s16)
//! summed into one track, and who is speaking loudest.

use std::collections::{HashMap, VecDeque};

/// Samples per second of every source and of the mix.
pub const RATE: usize = 48_000;

/// Most samples a source may have waiting (half a second): past it the
/// oldest go, so a source that runs ahead cannot delay the mix.
const BACKLOG: usize = RATE / 2;

/// Sums sources sample by sample; a source short of samples adds silence
/// for what it lacks.
#[derive(Default)]
pub struct Mixer {
    sources: HashMap<String, Source>,
}

#[derive(Default)]
struct Source {
    waiting: VecDeque<i16>,
    /// Mean square of the samples mixed lately (a moving average).
    energy: f64,
}

impl Mixer {
    /// Adds samples of `source` (an audio track).
    pub fn push(&mut self, source: &str, samples: &[i16]) {
        let s = self.sources.entry(source.to_owned()).or_default();
        s.waiting.extend(samples);
        let over = s.waiting.len().saturating_sub(BACKLOG);
        s.waiting.drain(..over);
    }

    /// Forgets a source.
    pub fn remove(&mut self, source: &str) {
        self.sources.remove(source);
    }

    /// The next `n` samples of the mix.
    pub fn take(&mut self, n: usize) -> Vec<i16> {
        let mut sum = vec![0i32; n];
        for s in self.sources.values_mut() {
            let k = n.min(s.waiting.len());
            let mut sq = 0f64;
            for (acc, v) in sum.iter_mut().zip(s.waiting.drain(..k)) {
                *acc += i32::from(v);
                sq += f64::from(v) * f64::from(v);
            }
            let mean = if n == 0 { 0.0 } else { sq / n as f64 };
            s.energy = 0.9 * s.energy + 0.1 * mean;
        }
        sum.into_iter()
            .map(|v| v.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16)
            .collect()
    }

    /// The loudest source lately, if any is above a whisper.
    pub fn loudest(&self) -> Option<&str> {
        /// About -50 dBFS.
        const FLOOR: f64 = 100.0 * 100.0;
        self.sources
            .iter()
            .filter(|(_, s)| s.energy > FLOOR)
            .max_by(|a, b| a.1.energy.total_cmp(&b.1.energy))
            .map(|(k, _)| k.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_summed_clamped_and_padded_with_silence() {
        let mut m = Mixer::default();
        m.push("a", &[1000, 2000, 30_000]);
        m.push("b", &[500, -500, 10_000, 7]);
        assert_eq!(m.take(3), [1500, 1500, i16::MAX]);
        assert_eq!(m.take(2), [7, 0], "b's last sample, then silence");
        m.remove("b");
        assert_eq!(m.take(1), [0]);
    }

    #[test]
    fn a_source_running_ahead_keeps_half_a_second() {
        let mut m = Mixer::default();
        m.push("a", &vec![1; RATE]);
        assert_eq!(m.take(RATE).iter().filter(|v| **v == 1).count(), BACKLOG);
    }

    #[test]
    fn the_loudest_source_is_the_speaker() {
        let mut m = Mixer::default();
        assert_eq!(m.loudest(), None);
        for _ in 0..20 {
            m.push("quiet", &[10; 960]);
            m.push("loud", &[8_000; 960]);
            m.take(960);
        }
        assert_eq!(m.loudest(), Some("loud"));
        for _ in 0..40 {
            m.push("quiet", &[12_000; 960]);
            m.push("loud", &[0; 960]);
            m.take(960);
        }
        assert_eq!(m.loudest(), Some("quiet"));
    }
}
