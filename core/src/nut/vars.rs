//! The NUT variables a UPS publishes: a fixed-capacity table of `name = value` strings with
//! their NUT metadata (writable, string length, enum or range), no heap.

use core::fmt;

/// Longest value kept, in bytes.
pub const VALUE_MAX: usize = 96;
/// Most variables one UPS publishes.
pub const VARS_MAX: usize = 96;

/// A published value.
pub type Text = heapless::String<VALUE_MAX>;

/// Why a variable could not be stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum VarsError {
    /// All [`VARS_MAX`] slots are in use.
    Full,
    /// The value is longer than [`VALUE_MAX`].
    TooLong,
}

impl fmt::Display for VarsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Full => "variable table full",
            Self::TooLong => "value too long",
        })
    }
}

impl core::error::Error for VarsError {}

/// What a NUT client may write into a variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Rw {
    /// Read-only.
    #[default]
    ReadOnly,
    /// A string of at most this many bytes.
    String(u8),
    /// A number within one of these inclusive ranges.
    Range(&'static [(i64, i64)]),
    /// One of these values.
    Enum(&'static [&'static str]),
    /// One of the values the dialect learned from the device (see [`crate::Ups::enum_values`]).
    DeviceEnum,
}

/// One published variable.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Var {
    name: &'static str,
    value: Text,
    rw: Rw,
}

impl Var {
    /// The NUT name (`battery.charge`).
    pub const fn name(&self) -> &'static str {
        self.name
    }
    /// The value exactly as published.
    pub fn value(&self) -> &str {
        &self.value
    }
    /// What clients may write.
    pub const fn rw(&self) -> Rw {
        self.rw
    }
}

/// The variable tree of one UPS, in publication order.
#[derive(Clone, Debug, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Vars {
    entries: heapless::Vec<Var, VARS_MAX>,
}

impl Vars {
    /// An empty tree.
    pub const fn new() -> Self {
        Self {
            entries: heapless::Vec::new(),
        }
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.entries.iter().position(|v| v.name == name)
    }

    /// The value of `name`, if published.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|v| v.name == name)
            .map(|v| v.value.as_str())
    }

    /// The whole entry of `name`.
    pub fn var(&self, name: &str) -> Option<&Var> {
        self.entries.iter().find(|v| v.name == name)
    }

    /// True when `name` is published.
    pub fn contains(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// Publishes `value` under `name`, replacing any earlier value.
    pub fn set(&mut self, name: &'static str, value: &str) -> Result<(), VarsError> {
        let mut text = Text::new();
        text.push_str(value).map_err(|_| VarsError::TooLong)?;
        match self.position(name) {
            Some(i) => {
                if let Some(v) = self.entries.get_mut(i) {
                    v.value = text;
                }
                Ok(())
            }
            None => self
                .entries
                .push(Var {
                    name,
                    value: text,
                    rw: Rw::ReadOnly,
                })
                .map_err(|_| VarsError::Full),
        }
    }

    /// Marks a published variable writable.
    pub fn set_rw(&mut self, name: &str, rw: Rw) {
        if let Some(v) = self.entries.iter_mut().find(|v| v.name == name) {
            v.rw = rw;
        }
    }

    /// Deletes `name`.
    pub fn remove(&mut self, name: &str) {
        if let Some(i) = self.position(name) {
            self.entries.remove(i);
        }
    }

    /// Deletes everything.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Every variable, in publication order.
    pub fn iter(&self) -> impl Iterator<Item = &Var> {
        self.entries.iter()
    }

    /// How many variables are published.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is published.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Builds a [`Text`] with `format_args!`, failing if it does not fit.
pub fn text(args: fmt::Arguments<'_>) -> Result<Text, VarsError> {
    let mut t = Text::new();
    fmt::Write::write_fmt(&mut t, args).map_err(|_| VarsError::TooLong)?;
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_replace_remove() {
        let mut v = Vars::new();
        v.set("ups.load", "14").unwrap();
        v.set("ups.load", "15").unwrap();
        assert_eq!(v.get("ups.load"), Some("15"));
        assert_eq!(v.len(), 1);
        v.remove("ups.load");
        assert!(v.is_empty());
        let long = [b'x'; VALUE_MAX + 1];
        assert_eq!(
            v.set("x", core::str::from_utf8(&long).unwrap()),
            Err(VarsError::TooLong)
        );
    }
}
