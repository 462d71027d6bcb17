//! Dialects ("protocols" in NUT): each is plain `const` data — the queries it sends, where each
//! value sits in the answer, how the value becomes a NUT string, its instant commands and
//! settable variables, and how it is recognised ([`Claim`]). The engine that walks these tables
//! is [`crate::Ups`].
//!
//! A dialect's item table is a list of segments (`&[&[Item]]`) so that the blocks most dialects
//! share (the Q1 status block, the F ratings, the command set, …) are written once in
//! [`blazer`] and reused.

use core::fmt;

use crate::number::NumberError;
use crate::nut::status::Status;
use crate::nut::vars::{Rw, Text, Vars, VarsError};
use crate::options::Options;
use crate::ups::battery::Battery;
use crate::wire::{Check, Window};

pub mod blazer;
pub mod conv;

pub mod ablerex;
pub mod bestups;
pub mod gtec;
pub mod hunnox;
pub mod innovart;
pub mod innovatae;
pub mod masterguard;
pub mod mecer;
pub mod megatec;
pub mod megatec_old;
pub mod mustek;
pub mod omron;
pub mod q1;
pub mod q2;
pub mod q6;
pub mod three_phase;
pub mod zinto;

/// Every dialect, in autodetection order (spec §4, with NUT's shadowing fixed: each dialect
/// whose probe is a superset of another's comes first and checks something only it answers).
pub static AUTODETECT_ORDER: &[&Dialect] = &[
    &omron::DIALECT,
    &mustek::DIALECT,
    &megatec_old::DIALECT,
    &bestups::DIALECT,
    &mecer::DIALECT,
    &ablerex::DIALECT,
    &hunnox::DIALECT,
    &megatec::DIALECT,
    &zinto::DIALECT,
    &masterguard::DIALECT,
    &innovart::INNOVART33,
    &innovart::INNOVART31,
    &q2::DIALECT,
    &q6::DIALECT,
    &gtec::DIALECT,
    &innovatae::DIALECT,
    &q1::DIALECT,
];

/// The dialect named `name` (the `protocol=` value), ignoring ASCII case.
pub fn by_name(name: &str) -> Option<&'static Dialect> {
    AUTODETECT_ORDER
        .iter()
        .copied()
        .find(|d| d.name.eq_ignore_ascii_case(name))
}

/// One dialect.
#[derive(Debug)]
pub struct Dialect {
    /// The `protocol=` name (`megatec/old`).
    pub name: &'static str,
    /// Name and version, published as `driver.version.data` (`Megatec/old 0.08`).
    pub version: &'static str,
    /// The item table, in order.
    pub items: &'static [&'static [Item]],
    /// A command or setvar reply whose value equals this (ignoring case) means success.
    pub accepted: Option<&'static str>,
    /// An answer equal to this (ignoring case, CR included) is a refusal.
    pub rejected: Option<&'static [u8]>,
    /// How the dialect recognises its device.
    pub claim: Claim,
    /// Which parsing options apply.
    pub accepts: Accepts,
    /// Constants published after initialisation (`input.phases = 3`).
    pub constants: &'static [(&'static str, &'static str)],
}

impl Dialect {
    /// Every item, flattened, in table order.
    pub fn items(&self) -> impl Iterator<Item = &'static Item> + Clone {
        self.items.iter().flat_map(|seg| seg.iter())
    }

    /// The `index`-th item.
    pub fn item(&self, index: usize) -> Option<&'static Item> {
        self.items().nth(index)
    }

    /// How many items the table has.
    pub fn len(&self) -> usize {
        self.items.iter().map(|s| s.len()).sum()
    }

    /// True for an empty table.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The instant commands this dialect offers.
    pub fn commands(&self) -> impl Iterator<Item = &'static Item> {
        self.items().filter(|i| matches!(i.kind, Kind::Command(_)))
    }

    /// The distinct query commands this dialect sends, in table order.
    pub fn queries(&self) -> impl Iterator<Item = &'static [u8]> {
        let all = self.items();
        all.clone()
            .enumerate()
            .filter_map(move |(n, i)| match i.kind {
                Kind::Query(_)
                    if !all
                        .clone()
                        .take(n)
                        .any(|p| matches!(p.kind, Kind::Query(_)) && p.cmd == i.cmd) =>
                {
                    Some(i.cmd)
                }
                _ => None,
            })
    }
}

/// Which of NUT's parsing options a dialect honours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Accepts {
    /// `norating`: no `F` query.
    pub norating: bool,
    /// `novendor`: no `I`/`FW?` query.
    pub novendor: bool,
    /// `ignoresab`: ignore the "shutdown active" bit.
    pub ignoresab: bool,
    /// `nooutstats`: no `WA` query.
    pub nooutstats: bool,
}

impl Accepts {
    /// `norating`, `novendor` and `ignoresab`.
    pub const FULL: Self = Self {
        norating: true,
        novendor: true,
        ignoresab: true,
        nooutstats: false,
    };
    /// `ignoresab` only.
    pub const LIGHT: Self = Self {
        norating: false,
        novendor: false,
        ignoresab: true,
        nooutstats: false,
    };
    /// `norating`, `nooutstats` and `ignoresab` (three-phase dialects).
    pub const THREE_PHASE: Self = Self {
        norating: true,
        novendor: false,
        ignoresab: true,
        nooutstats: true,
    };
}

/// A claim's last check: variables, dialect state, options, and whether this is autodetection.
pub type VerifyFn = fn(&Vars, &State, &Options, bool) -> bool;

/// How a dialect recognises its device (spec §3.9, §4).
#[derive(Clone, Copy, Debug)]
pub struct Claim {
    /// During autodetection, the USB vendor ID must be this one (omron).
    pub vendor: Option<u16>,
    /// Query items that must each publish a value, in order. Items an option disabled are
    /// skipped.
    pub items: &'static [&'static str],
    /// Further items that must publish a value during autodetection only: what tells this
    /// dialect apart from one whose probe it shares (NUT's shadowing, spec §4). A dialect
    /// named with `protocol=` is claimed without them.
    pub detect_also: &'static [&'static str],
    /// This item may instead be refused with the dialect's `rejected` string: the item is then
    /// disabled and the claim goes on (mecer's ACK/NAK units).
    pub refusal_ok: Option<&'static str>,
    /// A last check on what the items published; `true` as the last argument during
    /// autodetection.
    pub verify: Option<VerifyFn>,
}

impl Claim {
    /// Items that must each publish a value, nothing more.
    pub const fn items(items: &'static [&'static str]) -> Self {
        Self {
            vendor: None,
            items,
            detect_also: &[],
            refusal_ok: None,
            verify: None,
        }
    }

    /// Adds items required during autodetection only.
    pub const fn detect_also(mut self, items: &'static [&'static str]) -> Self {
        self.detect_also = items;
        self
    }
}

/// NUT item flags (spec §0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Flags(u16);

impl Flags {
    /// No flag: read at initialisation and on every full update.
    pub const NONE: Self = Self(0);
    /// Static: read during initialisation only.
    pub const ST: Self = Self(1);
    /// Semi-static: read at initialisation and after a successful command or setvar.
    pub const SS: Self = Self(1 << 1);
    /// Quick-poll: read on every update.
    pub const QP: Self = Self(1 << 2);
    /// Trim spaces and `#` around the value.
    pub const TR: Self = Self(1 << 3);
    /// Absent from the device: publish the default at initialisation.
    pub const AB: Self = Self(1 << 4);
    /// Logged only, never published.
    pub const NONUT: Self = Self(1 << 5);
    /// Disabled at start (dialect logic may enable it).
    pub const SKIP: Self = Self(1 << 6);
    /// Commands and setters: the device echoing the command back acknowledges it, like an
    /// empty reply (masterguard, spec §5.19 and its vectors). Any other reply still fails.
    pub const ECHO: Self = Self(1 << 7);

    /// Both sets of flags.
    pub const fn with(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// True when every flag of `other` is set.
    pub const fn has(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }
}

/// One row of a dialect's table.
#[derive(Clone, Copy, Debug)]
pub struct Item {
    /// NUT variable or instant-command name (for `NONUT` items, a name that is only logged).
    pub name: &'static str,
    /// Command bytes; for commands and setters a template whose `%s` the encoder fills.
    pub cmd: &'static [u8],
    /// Answer validation.
    pub check: Check,
    /// Where the value sits in the answer.
    pub window: Window,
    /// What the item is.
    pub kind: Kind,
    /// NUT flags.
    pub flags: Flags,
    /// What clients may write, when the variable is published.
    pub rw: Rw,
    /// Default value (`AB` items, delay variables) or default command argument.
    pub default: &'static str,
    /// Rewrites the raw answer before validation (spec's "ans-pre").
    pub answer_fix: Option<AnswerFix>,
    /// `,XX` at the end of the command is replaced by the slave address (masterguard).
    pub addressed: bool,
    /// A command sent first, whose reply must pass `answer_fix` (omron's auto-restart).
    pub prologue: Option<Prologue>,
}

/// Rewrites the raw answer in place and returns its new length.
pub type AnswerFix = fn(&mut [u8], usize) -> Result<usize, ConvError>;

/// A command sent before an instant command.
#[derive(Clone, Copy, Debug)]
pub struct Prologue {
    /// Bytes to send.
    pub cmd: &'static [u8],
    /// Variable and value published when the prologue succeeds.
    pub publish: (&'static str, &'static str),
}

/// What an item is.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// A value read from the device.
    Query(Conv),
    /// A value the device cannot report: the default is published (spec `AB`).
    Constant,
    /// An instant command.
    Command(Encode),
    /// A settable variable.
    Setting(Setter),
}

/// A dialect-specific value conversion: the value bytes in, the NUT string out (or `None` for
/// nothing to publish).
pub type ConvFn = fn(&mut Ctx<'_>, &[u8]) -> Result<Option<Text>, ConvError>;

/// How a query value becomes a NUT string (spec §2.3, §2.11, §3.2–3.3).
#[derive(Clone, Copy, Debug)]
pub enum Conv {
    /// `%s`: the text itself.
    Text,
    /// `%.Nf`: only `0-9`, space and `.` allowed.
    Number(u8),
    /// `%d`: only `0-9`, space and `.` allowed; printed as a whole number.
    Integer,
    /// The battery-voltage multiplier (spec §2.11).
    BatteryVoltage,
    /// kilo to unit: ×1000, `%.2f`.
    Kilo,
    /// minutes to seconds: ×60, `%.0f`.
    MinutesToSeconds,
    /// One status byte `0`/`1` mapped to a text (a status token, alarm text or value; an empty
    /// text means nothing).
    Bit {
        /// Result for `1`.
        one: &'static str,
        /// Result for `0`.
        zero: &'static str,
    },
    /// The blazer b5 rule: TRIM, BYPASS or BOOST from the voltage ratio (spec §3.3).
    Bypass,
    /// Dialect code.
    Custom(ConvFn),
}

/// Builds a command's bytes from its argument.
pub type EncodeFn = fn(&CmdCtx<'_>, &str, &mut Cmd) -> Result<(), ConvError>;

/// How an instant command's bytes are built (spec §2.12, §3.4).
#[derive(Clone, Copy, Debug)]
pub enum Encode {
    /// The command bytes as written; the argument is ignored.
    Verbatim,
    /// `%s` in the template replaced by what the function writes.
    Template(EncodeFn),
}

/// Normalises a server-side value (delay variables).
pub type NormaliseFn = fn(&CmdCtx<'_>, i64) -> Result<i64, ConvError>;

/// How a settable variable is set (spec §2.13).
#[derive(Clone, Copy, Debug)]
pub enum Setter {
    /// Kept by the driver, not sent: the number is normalised and published (`AB SV`).
    Store(Option<NormaliseFn>),
    /// Sent to the device: `%s` in the template replaced by what the function writes.
    Send(EncodeFn),
}

/// A command being built.
pub type Cmd = heapless::Vec<u8, 64>;

/// What a conversion can see and change.
pub struct Ctx<'a> {
    /// The variables published so far.
    pub vars: &'a mut Vars,
    /// Status flags, direct tokens and alarm text of this walk.
    pub status: &'a mut Status,
    /// Dialect state.
    pub state: &'a mut State,
    /// Battery estimation state.
    pub battery: &'a mut Battery,
    /// Options.
    pub options: &'a Options,
    /// The whole raw answer (after `answer_fix`).
    pub raw: &'a [u8],
    /// Items switched on by dialect logic (bestups' model table), by name.
    pub enable: &'a mut heapless::Vec<&'static str, 4>,
}

/// What a command encoder can see.
pub struct CmdCtx<'a> {
    /// The variables published so far.
    pub vars: &'a Vars,
    /// Dialect state.
    pub state: &'a State,
}

impl CmdCtx<'_> {
    /// The published variable `name` as a C `strtol` would read it; `None` when unpublished.
    pub fn int(&self, name: &'static str) -> Option<i64> {
        self.vars
            .get(name)
            .map(|v| crate::number::Decimal::parse_prefix(v.as_bytes()).map_or(0, |d| d.trunc()))
    }
}

/// Per-dialect state learned from the device.
#[derive(Clone, Debug, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct State {
    /// ablerex: battery readings from the last Q5 answer.
    pub ablerex: ablerex::State,
    /// bestups: model flags and the pins shutdown mode.
    pub bestups: bestups::State,
    /// masterguard: slave address, series, cells, power, output voltages.
    pub masterguard: masterguard::State,
}

/// Why a value could not be converted, or a command argument encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ConvError {
    /// A number could not be read or computed.
    Number(NumberError),
    /// A status byte is not `0` or `1`.
    NotABit {
        /// The byte found.
        found: u8,
    },
    /// The value has bytes that are not text.
    NotText,
    /// The value is empty ("not significant").
    Empty,
    /// Output and input voltages in a ratio no TRIM/BYPASS/BOOST explains (spec §3.3).
    VoltageRatio,
    /// A variable the conversion depends on is not published.
    Missing(&'static str),
    /// A value outside what the device or the dialect allows.
    OutOfRange,
    /// The value does not have the expected form; the text says which check failed.
    Malformed(&'static str),
    /// The result does not fit the variable table.
    Vars(VarsError),
}

impl fmt::Display for ConvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(e) => e.fmt(f),
            Self::NotABit { found } => write!(f, "status byte 0x{found:02x} is not 0 or 1"),
            Self::NotText => f.write_str("value is not text"),
            Self::Empty => f.write_str("value is empty"),
            Self::VoltageRatio => f.write_str("output/input voltage ratio out of range"),
            Self::Missing(name) => write!(f, "{name} is not known"),
            Self::OutOfRange => f.write_str("value out of range"),
            Self::Malformed(what) => write!(f, "malformed value: {what}"),
            Self::Vars(e) => e.fmt(f),
        }
    }
}

impl core::error::Error for ConvError {}

impl From<NumberError> for ConvError {
    fn from(e: NumberError) -> Self {
        Self::Number(e)
    }
}

impl From<VarsError> for ConvError {
    fn from(e: VarsError) -> Self {
        Self::Vars(e)
    }
}

impl Item {
    const BASE: Self = Self {
        name: "",
        cmd: b"",
        check: Check::NONE,
        window: Window::to_eol(0),
        kind: Kind::Constant,
        flags: Flags::NONE,
        rw: Rw::ReadOnly,
        default: "",
        answer_fix: None,
        addressed: false,
        prologue: None,
    };

    /// A value read with `cmd`, validated by `check`, taken from `window`, converted by `conv`.
    pub const fn query(
        name: &'static str,
        cmd: &'static [u8],
        check: Check,
        window: Window,
        conv: Conv,
    ) -> Self {
        Self {
            name,
            cmd,
            check,
            window,
            kind: Kind::Query(conv),
            ..Self::BASE
        }
    }

    /// A constant the device cannot report (`AB`).
    pub const fn constant(name: &'static str, value: &'static str) -> Self {
        Self {
            name,
            default: value,
            flags: Flags::AB,
            ..Self::BASE
        }
    }

    /// An instant command sent as written; any empty reply or an `accepted` reply succeeds.
    pub const fn command(name: &'static str, cmd: &'static [u8]) -> Self {
        Self {
            name,
            cmd,
            kind: Kind::Command(Encode::Verbatim),
            ..Self::BASE
        }
    }

    /// An instant command whose template is filled by `encode`.
    pub const fn command_with(
        name: &'static str,
        template: &'static [u8],
        encode: EncodeFn,
    ) -> Self {
        Self {
            name,
            cmd: template,
            kind: Kind::Command(Encode::Template(encode)),
            ..Self::BASE
        }
    }

    /// A settable variable.
    pub const fn setting(name: &'static str, template: &'static [u8], setter: Setter) -> Self {
        Self {
            name,
            cmd: template,
            kind: Kind::Setting(setter),
            ..Self::BASE
        }
    }

    /// Adds flags.
    pub const fn flags(mut self, flags: Flags) -> Self {
        self.flags = self.flags.with(flags);
        self
    }

    /// Sets what clients may write.
    pub const fn rw(mut self, rw: Rw) -> Self {
        self.rw = rw;
        self
    }

    /// Sets the default value or argument.
    pub const fn default(mut self, value: &'static str) -> Self {
        self.default = value;
        self
    }

    /// Sets the reply check and window of a command or setter.
    pub const fn reply(mut self, check: Check, window: Window) -> Self {
        self.check = check;
        self.window = window;
        self
    }

    /// Sets the answer rewrite.
    pub const fn answer_fix(mut self, fix: AnswerFix) -> Self {
        self.answer_fix = Some(fix);
        self
    }

    /// Marks the command as ending in `,XX` (slave address).
    pub const fn addressed(mut self) -> Self {
        self.addressed = true;
        self
    }

    /// Sets the prologue.
    pub const fn prologue(mut self, prologue: Prologue) -> Self {
        self.prologue = Some(prologue);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dialect_is_named_once_and_found_by_name() {
        assert_eq!(AUTODETECT_ORDER.len(), 17);
        for d in AUTODETECT_ORDER {
            let same = AUTODETECT_ORDER.iter().filter(|o| o.name == d.name).count();
            assert_eq!(same, 1, "{}", d.name);
            assert!(core::ptr::eq(by_name(&d.name.to_uppercase()).unwrap(), *d));
            assert!(!d.version.is_empty() && !d.is_empty(), "{}", d.name);
        }
        assert!(by_name("voltronic").is_none());
    }

    #[test]
    fn queries_are_distinct_and_in_table_order() {
        let q: std::vec::Vec<&[u8]> = megatec::DIALECT.queries().collect();
        assert_eq!(q, [b"Q1\r" as &[u8], b"F\r", b"I\r"]);
    }

    #[test]
    fn flags_combine() {
        let f = Flags::ST.with(Flags::TR);
        assert!(f.has(Flags::ST) && f.has(Flags::TR) && !f.has(Flags::QP));
        assert!(f.has(Flags::NONE));
    }
}
