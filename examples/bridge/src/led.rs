//! The status LED: what the bridge is doing, as a blink pattern a person can tell apart at a
//! glance. Patterns are data ([`LedState::pattern`]); [`LedState::level_at`] says whether the
//! LED is lit at a given time, so the firmware's LED task only samples it.

use core::fmt;

/// One stretch of a blink pattern: lit or dark for `ms` milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Blink {
    /// LED lit.
    pub on: bool,
    /// How long.
    pub ms: u16,
}

const fn on(ms: u16) -> Blink {
    Blink { on: true, ms }
}

const fn off(ms: u16) -> Blink {
    Blink { on: false, ms }
}

/// What the LED shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[repr(u8)]
pub enum LedState {
    /// No UPS on the USB port (nothing plugged in, unplugged, or not a UPS): one short blink
    /// every 2 s.
    NoUps = 0,
    /// A UPS is attached and the driver is looking for its dialect: short blinks twice a
    /// second.
    Detecting = 1,
    /// Polling, data fresh: lit, dark for 0.1 s every 2 s.
    Polling = 2,
    /// Polling, but the data are stale (updates fail): fast blinking, 4 per second.
    Stale = 3,
    /// A UPS this board cannot drive (its transport needs interrupt OUT): double blink every
    /// 2 s.
    Unsupported = 4,
}

const NO_UPS: [Blink; 2] = [on(100), off(1900)];
const DETECTING: [Blink; 2] = [on(100), off(400)];
const POLLING: [Blink; 2] = [on(1900), off(100)];
const STALE: [Blink; 2] = [on(125), off(125)];
const UNSUPPORTED: [Blink; 4] = [on(100), off(150), on(100), off(1650)];

impl LedState {
    /// Every state.
    pub const ALL: [Self; 5] = [
        Self::NoUps,
        Self::Detecting,
        Self::Polling,
        Self::Stale,
        Self::Unsupported,
    ];

    /// The blink pattern, repeated forever.
    pub const fn pattern(self) -> &'static [Blink] {
        match self {
            Self::NoUps => &NO_UPS,
            Self::Detecting => &DETECTING,
            Self::Polling => &POLLING,
            Self::Stale => &STALE,
            Self::Unsupported => &UNSUPPORTED,
        }
    }

    /// The length of one repetition of the pattern.
    pub fn period_ms(self) -> u64 {
        self.pattern().iter().map(|b| u64::from(b.ms)).sum()
    }

    /// True when the LED is lit `t_ms` after the pattern started.
    pub fn level_at(self, t_ms: u64) -> bool {
        let mut t = t_ms.checked_rem(self.period_ms()).unwrap_or(0);
        for b in self.pattern() {
            let ms = u64::from(b.ms);
            if t < ms {
                return b.on;
            }
            t -= ms;
        }
        false
    }

    /// A short name for logs.
    pub const fn name(self) -> &'static str {
        match self {
            Self::NoUps => "no UPS",
            Self::Detecting => "detecting",
            Self::Polling => "polling",
            Self::Stale => "stale",
            Self::Unsupported => "unsupported",
        }
    }

    /// The state as a byte, to hand it to the LED task through an atomic.
    pub const fn to_u8(self) -> u8 {
        self as u8
    }

    /// The state from [`LedState::to_u8`]; unknown bytes are [`LedState::NoUps`].
    pub const fn from_u8(byte: u8) -> Self {
        match byte {
            1 => Self::Detecting,
            2 => Self::Polling,
            3 => Self::Stale,
            4 => Self::Unsupported,
            _ => Self::NoUps,
        }
    }
}

impl fmt::Display for LedState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_follow_their_data() {
        assert!(LedState::NoUps.level_at(0));
        assert!(LedState::NoUps.level_at(99));
        assert!(!LedState::NoUps.level_at(100));
        assert!(LedState::NoUps.level_at(2000));
        assert!(LedState::Polling.level_at(1899));
        assert!(!LedState::Polling.level_at(1950));
        assert!(!LedState::Stale.level_at(130));
        assert!(LedState::Stale.level_at(260));
        // The double blink: lit, dark, lit, dark.
        let levels: Vec<bool> = [50, 200, 300, 1000]
            .iter()
            .map(|&t| LedState::Unsupported.level_at(t))
            .collect();
        assert_eq!(levels, [true, false, true, false]);
    }

    #[test]
    fn every_state_has_a_distinct_pattern_and_survives_a_byte() {
        for (i, a) in LedState::ALL.iter().enumerate() {
            assert_eq!(LedState::from_u8(a.to_u8()), *a);
            assert!(a.period_ms() > 0);
            assert!(a.pattern().iter().any(|b| b.on));
            for b in &LedState::ALL[i + 1..] {
                assert_ne!(a.pattern(), b.pattern(), "{a} and {b}");
            }
        }
        assert_eq!(LedState::from_u8(200), LedState::NoUps);
    }
}
