//! A UPS as the core knows it: its dialect, the NUT variables read from it so far, and the
//! protocol state. [`Ups`] walks the dialect's item table over any [`Transport`](crate::Transport): the claim
//! ([`Ups::claim`], [`detect`]), the initialisation walk ([`Ups::init`]), quick and full updates
//! ([`Ups::update`]), instant commands ([`Ups::instcmd`]) and setvars ([`Ups::setvar`]).

use core::fmt;

use crate::dialect::{ConvError, Dialect, Item, State};
use crate::nut::status::Status;
use crate::nut::vars::Vars;
use crate::options::Options;
use crate::transport::TransportError;
use crate::wire::{FrameError, MAX_ANSWER};

pub mod battery;
mod claim;
mod control;
mod walk;

pub use claim::{CLAIM_ATTEMPTS, DetectError, detect};
pub use control::{CmdError, SetError, SetOutcome};

use battery::Battery;

/// Most items one dialect table holds.
pub const MAX_ITEMS: usize = 256;

/// Why one item's transaction or conversion failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ItemError {
    /// The link failed.
    Transport(TransportError),
    /// The answer failed validation.
    Frame(FrameError),
    /// The answer rewrite refused the answer.
    Answer(ConvError),
    /// The value could not be converted.
    Conv(ConvError),
}

impl fmt::Display for ItemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport(e) => write!(f, "link: {e}"),
            Self::Frame(e) => e.fmt(f),
            Self::Answer(e) => write!(f, "answer: {e}"),
            Self::Conv(e) => e.fmt(f),
        }
    }
}

impl core::error::Error for ItemError {}

/// A walk that failed, and at which item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct WalkError {
    /// The item that failed.
    pub item: &'static str,
    /// Why.
    pub error: ItemError,
}

impl fmt::Display for WalkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.item, self.error)
    }
}

impl core::error::Error for WalkError {}

/// Which update to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Poll {
    /// Only the quick-poll items (status).
    Quick,
    /// Every non-static item.
    Full,
}

/// A set of item indices.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct ItemSet([u64; MAX_ITEMS / 64]);

impl ItemSet {
    fn contains(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
    fn insert(&mut self, i: usize) {
        if let Some(w) = self.0.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }
    fn remove(&mut self, i: usize) {
        if let Some(w) = self.0.get_mut(i / 64) {
            *w &= !(1 << (i % 64));
        }
    }
}

/// One UPS: dialect, NUT variables and protocol state. About 10 KiB; no heap.
#[derive(Clone)]
pub struct Ups {
    dialect: &'static Dialect,
    options: Options,
    vars: Vars,
    status: Status,
    state: State,
    battery: Battery,
    disabled: ItemSet,
    /// Index of the item whose command produced `answer` in this walk (spec §2.4).
    answered: Option<usize>,
    answer: [u8; MAX_ANSWER],
    answer_len: usize,
    /// A command or setvar succeeded since the last full update.
    changed: bool,
    /// Consecutive failed updates.
    failures: u8,
}

impl fmt::Debug for Ups {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ups")
            .field("dialect", &self.dialect.name)
            .field("vars", &self.vars.len())
            .finish()
    }
}

/// Updates that fail in a row before the data counts as stale (spec §2.5).
pub const STALE_AFTER: u8 = 5;

impl Ups {
    /// A UPS that speaks `dialect`, nothing read yet. Options the dialect does not honour are
    /// ignored; `default.*` and `override.*` values are published at once.
    pub fn new(dialect: &'static Dialect, options: Options) -> Self {
        let mut ups = Self {
            dialect,
            options,
            vars: Vars::new(),
            status: Status::default(),
            state: State::default(),
            battery: Battery::default(),
            disabled: ItemSet::default(),
            answered: None,
            answer: [0; MAX_ANSWER],
            answer_len: 0,
            changed: false,
            failures: 0,
        };
        ups.reset();
        ups
    }

    /// Forgets everything read from the device (a failed claim leaves nothing behind).
    fn reset(&mut self) {
        self.vars.clear();
        self.status = Status::default();
        self.state = State::default();
        self.battery = Battery::default();
        self.disabled = ItemSet::default();
        self.answered = None;
        self.answer_len = 0;
        let (a, o) = (self.dialect.accepts, &self.options);
        for (i, item) in self.dialect.items().enumerate() {
            let cmd = item.cmd;
            let off = item.flags.has(crate::dialect::Flags::SKIP)
                || (a.norating && o.norating && cmd == b"F\r")
                || (a.novendor && o.novendor && (cmd == b"I\r" || cmd == b"FW?\r"))
                || (a.nooutstats && o.nooutstats && cmd == b"WA\r")
                || (a.ignoresab && o.ignoresab && is_shutdown_active_bit(item));
            if off {
                self.disabled.insert(i);
            }
        }
        for (name, value) in self
            .options
            .defaults
            .iter()
            .chain(self.options.overrides.iter())
        {
            if self.vars.set(name, value).is_err() {
                crate::fmt::warning!("no room for {}", *name);
            }
        }
    }

    /// The dialect.
    pub fn dialect(&self) -> &'static Dialect {
        self.dialect
    }

    /// The options.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The NUT variables published so far.
    pub fn vars(&self) -> &Vars {
        &self.vars
    }

    /// Sets a NUT variable directly (for a driver that keeps its own values, and for tests).
    pub fn publish(
        &mut self,
        name: &'static str,
        value: &str,
    ) -> Result<(), crate::nut::vars::VarsError> {
        self.vars.set(name, value)
    }

    /// Dialect state learned from the device.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// Consecutive failed updates; the data is stale from [`STALE_AFTER`] on.
    pub fn failures(&self) -> u8 {
        self.failures
    }

    /// True when the data is stale (spec §2.5).
    pub fn is_stale(&self) -> bool {
        self.failures >= STALE_AFTER
    }

    /// The instant commands available now, in table order.
    pub fn commands(&self) -> impl Iterator<Item = &'static Item> + '_ {
        self.dialect
            .items()
            .enumerate()
            .filter(|(i, it)| {
                matches!(it.kind, crate::dialect::Kind::Command(_)) && !self.disabled.contains(*i)
            })
            .map(|(_, it)| it)
    }

    /// The values a [`crate::nut::vars::Rw::DeviceEnum`] variable may take.
    pub fn enum_values(&self, name: &str) -> impl Iterator<Item = &str> + '_ {
        let list = if name == "output.voltage.nominal" {
            self.state.masterguard.output_voltages()
        } else {
            &[][..]
        };
        list.iter().map(|s| s.as_str())
    }
}

fn is_shutdown_active_bit(item: &Item) -> bool {
    item.name == "ups.status" && item.window == crate::wire::q1::field::SHUTDOWN_ACTIVE
}
