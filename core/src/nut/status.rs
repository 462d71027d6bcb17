//! `ups.status` and `ups.alarm` (spec §2.6, §2.8, §2.9): a bitmask of status flags set and
//! cleared by tokens, tokens some dialects add directly, and the alarm text.

use core::fmt::{self, Write};

/// One NUT status flag the core tracks as a bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Flag {
    /// On line power (its absence is `OB`).
    Ol,
    /// Battery low.
    Lb,
    /// Replace battery.
    Rb,
    /// Charging.
    Chrg,
    /// Discharging.
    Dischrg,
    /// On bypass.
    Bypass,
    /// Calibrating / testing.
    Cal,
    /// Output off.
    Off,
    /// Overloaded.
    Over,
    /// Trimming (buck).
    Trim,
    /// Boosting.
    Boost,
    /// Forced shutdown.
    Fsd,
}

impl Flag {
    /// The order in which set flags follow `OL`/`OB` in `ups.status`.
    const PUBLISH_ORDER: [Flag; 11] = [
        Flag::Dischrg,
        Flag::Chrg,
        Flag::Lb,
        Flag::Over,
        Flag::Rb,
        Flag::Trim,
        Flag::Boost,
        Flag::Bypass,
        Flag::Off,
        Flag::Cal,
        Flag::Fsd,
    ];

    const ALL: [Flag; 12] = [
        Flag::Ol,
        Flag::Lb,
        Flag::Rb,
        Flag::Chrg,
        Flag::Dischrg,
        Flag::Bypass,
        Flag::Cal,
        Flag::Off,
        Flag::Over,
        Flag::Trim,
        Flag::Boost,
        Flag::Fsd,
    ];

    /// The NUT token.
    pub const fn token(self) -> &'static str {
        match self {
            Flag::Ol => "OL",
            Flag::Lb => "LB",
            Flag::Rb => "RB",
            Flag::Chrg => "CHRG",
            Flag::Dischrg => "DISCHRG",
            Flag::Bypass => "BYPASS",
            Flag::Cal => "CAL",
            Flag::Off => "OFF",
            Flag::Over => "OVER",
            Flag::Trim => "TRIM",
            Flag::Boost => "BOOST",
            Flag::Fsd => "FSD",
        }
    }

    const fn bit(self) -> u16 {
        1 << self as u16
    }

    /// The flag named `name`, ignoring ASCII case.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|f| f.token().eq_ignore_ascii_case(name))
    }
}

/// A status token: `X` sets flag X, `!X` clears it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Token {
    /// The flag.
    pub flag: Flag,
    /// Set (`X`) or clear (`!X`).
    pub set: bool,
}

impl Token {
    /// Reads `X` or `!X`; `None` for an unknown name (unknown tokens are ignored, and `OB` is
    /// not a token: on battery is `!OL`).
    pub fn parse(text: &str) -> Option<Self> {
        match text.strip_prefix('!') {
            Some(name) => Flag::from_name(name).map(|flag| Token { flag, set: false }),
            None => Flag::from_name(text).map(|flag| Token { flag, set: true }),
        }
    }
}

/// Longest alarm text kept.
pub const ALARM_MAX: usize = 160;

/// The status flags, directly added tokens and alarm text of the walk in progress.
#[derive(Clone, Debug, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Status {
    bits: u16,
    direct: heapless::Vec<&'static str, 8>,
    alarm: heapless::String<ALARM_MAX>,
}

impl Status {
    /// Applies a token.
    pub fn apply(&mut self, token: Token) {
        if token.set {
            self.bits |= token.flag.bit();
        } else {
            self.bits &= !token.flag.bit();
        }
    }

    /// Sets or clears one flag.
    pub fn set(&mut self, flag: Flag, on: bool) {
        self.apply(Token { flag, set: on });
    }

    /// True when `flag` is set.
    pub const fn is_set(&self, flag: Flag) -> bool {
        self.bits & flag.bit() != 0
    }

    /// Adds a token straight to the status string, ahead of the flags (ablerex, spec §2.6).
    pub fn push_direct(&mut self, token: &'static str) {
        if !self.direct.contains(&token) {
            // Eight distinct direct tokens are more than any dialect produces.
            let _ = self.direct.push(token);
        }
    }

    /// Appends alarm text, space-separated.
    pub fn push_alarm(&mut self, text: &str) {
        if !self.alarm.is_empty() {
            let _ = self.alarm.push(' ');
        }
        // An alarm longer than ALARM_MAX is cut rather than lost.
        for c in text.chars() {
            if self.alarm.push(c).is_err() {
                break;
            }
        }
    }

    /// Start of a full walk: flags and alarm text are reset.
    pub fn reset_for_full_walk(&mut self) {
        self.bits = 0;
        self.alarm.clear();
        self.direct.clear();
    }

    /// Start of any walk: directly added tokens are rebuilt every time.
    pub fn reset_direct(&mut self) {
        self.direct.clear();
    }

    /// The alarm text after a full walk (spec §2.9): the collected text, then
    /// `Replace battery!` when RB is set and `Shutdown imminent!` when FSD is set.
    pub fn alarm_text(&self) -> heapless::String<ALARM_MAX> {
        let mut out = self.alarm.clone();
        for (flag, text) in [
            (Flag::Rb, "Replace battery!"),
            (Flag::Fsd, "Shutdown imminent!"),
        ] {
            if self.is_set(flag) {
                if !out.is_empty() {
                    let _ = out.push(' ');
                }
                let _ = out.push_str(text);
            }
        }
        out
    }

    /// Writes `ups.status` (spec §2.8): `ALARM` when `alarm` is true, direct tokens, `OL` or
    /// `OB`, then the set flags in NUT's order, without duplicates.
    pub fn write_status<W: Write>(&self, alarm: bool, out: &mut W) -> fmt::Result {
        let mut written: heapless::Vec<&'static str, 24> = heapless::Vec::new();
        let mut emit = |tok: &'static str, out: &mut W| -> fmt::Result {
            if written.contains(&tok) {
                return Ok(());
            }
            if !written.is_empty() {
                out.write_char(' ')?;
            }
            let _ = written.push(tok);
            out.write_str(tok)
        };
        if alarm {
            emit("ALARM", out)?;
        }
        for tok in &self.direct {
            emit(tok, out)?;
        }
        emit(if self.is_set(Flag::Ol) { "OL" } else { "OB" }, out)?;
        for flag in Flag::PUBLISH_ORDER {
            if self.is_set(flag) {
                emit(flag.token(), out)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::string::String;

    #[test]
    fn builds_status_in_nut_order() {
        let mut s = Status::default();
        for t in ["!OL", "LB", "BOOST", "cal", "FSD", "OB", "nonsense"] {
            if let Some(tok) = Token::parse(t) {
                s.apply(tok);
            }
        }
        let mut out = String::new();
        s.write_status(true, &mut out).unwrap();
        assert_eq!(out, "ALARM OB LB BOOST CAL FSD");
        assert_eq!(s.alarm_text(), "Shutdown imminent!");
    }

    #[test]
    fn direct_tokens_come_first_without_duplicates() {
        let mut s = Status::default();
        s.set(Flag::Ol, true);
        s.set(Flag::Rb, true);
        s.push_direct("RB");
        s.push_direct("RB");
        let mut out = String::new();
        s.write_status(false, &mut out).unwrap();
        assert_eq!(out, "RB OL");
    }
}
