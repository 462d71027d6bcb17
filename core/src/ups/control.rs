//! Instant commands (spec §2.12) and setvars (spec §2.13).

use core::fmt;

use super::{ItemError, Ups};
use crate::dialect::{Cmd, CmdCtx, ConvError, Encode, Flags, Item, Kind, Setter};
use crate::number::Decimal;
use crate::nut::vars::{Rw, Text};
use crate::transport::Transport;

/// Why an instant command did not succeed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CmdError {
    /// The dialect has no such command (NUT `INVALID`).
    Unknown,
    /// The argument or a delay variable cannot be encoded (NUT `CONVERSION_FAILED`).
    BadArgument(ConvError),
    /// The transaction failed or the reply was not an acceptance (NUT `FAILED`).
    Failed(ItemError),
    /// The device answered, but not with the dialect's acceptance.
    Refused,
}

impl fmt::Display for CmdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown => f.write_str("unknown command"),
            Self::BadArgument(e) => write!(f, "bad argument: {e}"),
            Self::Failed(e) => write!(f, "failed: {e}"),
            Self::Refused => f.write_str("the device refused the command"),
        }
    }
}

impl core::error::Error for CmdError {}

/// Why a setvar did not succeed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum SetError {
    /// The variable is not settable (NUT `UNKNOWN`).
    Unknown,
    /// Empty value.
    Empty,
    /// Not a number where one is needed.
    NotNumeric,
    /// Outside every allowed range.
    OutOfRange,
    /// Not one of the allowed values.
    NotInEnum,
    /// Longer than allowed.
    TooLong,
    /// The value could not be normalised or encoded.
    Invalid(ConvError),
    /// The device did not accept it.
    Failed(CmdError),
}

impl fmt::Display for SetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown => f.write_str("not a settable variable"),
            Self::Empty => f.write_str("empty value"),
            Self::NotNumeric => f.write_str("not a number"),
            Self::OutOfRange => f.write_str("out of range"),
            Self::NotInEnum => f.write_str("not an allowed value"),
            Self::TooLong => f.write_str("too long"),
            Self::Invalid(e) => write!(f, "invalid: {e}"),
            Self::Failed(e) => e.fmt(f),
        }
    }
}

impl core::error::Error for SetError {}

/// What a successful setvar did.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SetOutcome {
    /// The value already was that: nothing done.
    Unchanged,
    /// Kept by the driver and published as this (normalised) value.
    Stored(Text),
    /// Sent to the device, which accepted it; the device's next answer publishes it.
    Sent,
}

impl Ups {
    fn find(&self, name: &str, want: fn(&Kind) -> bool) -> Option<(usize, &'static Item)> {
        self.dialect
            .items()
            .enumerate()
            .find(|(i, it)| it.name == name && want(&it.kind) && !self.disabled.contains(*i))
    }

    /// Runs an instant command (spec §2.12). `beeper.on`/`beeper.off` mean
    /// `beeper.enable`/`beeper.disable`.
    pub async fn instcmd<T: Transport>(
        &mut self,
        mut io: T,
        name: &str,
        arg: Option<&str>,
    ) -> Result<(), CmdError> {
        let name = match name {
            "beeper.off" => "beeper.disable",
            "beeper.on" => "beeper.enable",
            n => n,
        };
        let (_, item) = self
            .find(name, |k| matches!(k, Kind::Command(_)))
            .ok_or(CmdError::Unknown)?;
        let Kind::Command(encode) = item.kind else {
            return Err(CmdError::Unknown);
        };
        let mut cmd = Cmd::new();
        match encode {
            Encode::Verbatim => self
                .command_bytes(item, item.cmd, &mut cmd)
                .map_err(CmdError::Failed)?,
            Encode::Template(f) => {
                let arg = arg.unwrap_or(item.default);
                let mut filled = Cmd::new();
                self.fill_template(item.cmd, arg, f, &mut filled)
                    .map_err(CmdError::BadArgument)?;
                self.command_bytes(item, &filled, &mut cmd)
                    .map_err(CmdError::Failed)?;
            }
        }
        if let Some(prologue) = item.prologue {
            self.send_and_judge(&mut io, item, prologue.cmd).await?;
            let _ = self.vars.set(prologue.publish.0, prologue.publish.1);
        }
        self.send_and_judge(&mut io, item, &cmd).await?;
        self.changed = true;
        Ok(())
    }

    /// `template` with `%s` replaced by what `f` writes for `arg`.
    fn fill_template(
        &self,
        template: &[u8],
        arg: &str,
        f: crate::dialect::EncodeFn,
        out: &mut Cmd,
    ) -> Result<(), ConvError> {
        let ctx = CmdCtx {
            vars: &self.vars,
            state: &self.state,
        };
        let mut text = Cmd::new();
        f(&ctx, arg, &mut text)?;
        let too_long = ConvError::Malformed("command too long");
        match template.windows(2).position(|w| w == b"%s") {
            Some(at) => {
                let (head, tail) = template.split_at(at);
                out.extend_from_slice(head).map_err(|_| too_long)?;
                out.extend_from_slice(&text).map_err(|_| too_long)?;
                out.extend_from_slice(tail.get(2..).unwrap_or(&[]))
                    .map_err(|_| too_long)
            }
            None => out.extend_from_slice(template).map_err(|_| too_long),
        }
    }

    /// One command transaction judged by spec §2.12 steps 5–6: any failure fails; a
    /// non-empty value must equal the dialect's acceptance; an empty one is success.
    async fn send_and_judge<T: Transport>(
        &mut self,
        io: &mut T,
        item: &Item,
        cmd: &[u8],
    ) -> Result<(), CmdError> {
        self.exchange(io, item, cmd)
            .await
            .map_err(CmdError::Failed)?;
        self.answered = None;
        let raw = self.answer.get(..self.answer_len).unwrap_or(&[]);
        if item.flags.has(Flags::ECHO) && raw == cmd {
            return Ok(());
        }
        let answer = item
            .check
            .validate(raw, self.dialect.rejected)
            .map_err(|e| CmdError::Failed(ItemError::Frame(e)))?;
        let value = answer.field(item.window);
        if value.is_empty()
            || self
                .dialect
                .accepted
                .is_some_and(|a| value.eq_ignore_ascii_case(a.as_bytes()))
        {
            Ok(())
        } else {
            Err(CmdError::Refused)
        }
    }

    /// Sets a variable (spec §2.13).
    pub async fn setvar<T: Transport>(
        &mut self,
        mut io: T,
        name: &str,
        value: &str,
    ) -> Result<SetOutcome, SetError> {
        let (index, item) = self
            .find(name, |k| matches!(k, Kind::Setting(_)))
            .ok_or(SetError::Unknown)?;
        self.set_item(&mut io, index, item, value).await
    }

    /// A `NONUT` setting run once at initialisation from the option of the same name.
    pub(crate) async fn one_time_setting<T: Transport>(
        &mut self,
        io: &mut T,
        index: usize,
    ) -> Result<SetOutcome, SetError> {
        let item = self.dialect.item(index).ok_or(SetError::Unknown)?;
        let value = match item.name {
            "pins_shutdown_mode" => self.options.pins_shutdown_mode,
            _ => None,
        };
        let Some(value) = value else {
            return Ok(SetOutcome::Unchanged);
        };
        let mut text = Text::new();
        let _ = core::fmt::Write::write_fmt(&mut text, format_args!("{value}"));
        self.set_item(io, index, item, &text).await
    }

    async fn set_item<T: Transport>(
        &mut self,
        io: &mut T,
        _index: usize,
        item: &'static Item,
        value: &str,
    ) -> Result<SetOutcome, SetError> {
        let Kind::Setting(setter) = item.kind else {
            return Err(SetError::Unknown);
        };
        if value.is_empty() {
            return Err(SetError::Empty);
        }
        let nonut = item.flags.has(Flags::NONUT);
        if !nonut
            && self
                .vars
                .get(item.name)
                .is_some_and(|v| v.eq_ignore_ascii_case(value))
        {
            return Ok(SetOutcome::Unchanged);
        }
        let rw = match self.vars.var(item.name).map(|v| v.rw()) {
            Some(rw) if !nonut && rw != Rw::ReadOnly => rw,
            _ => item.rw,
        };
        let number = match rw {
            Rw::Range(ranges) => {
                let n = Decimal::parse_unsigned_field(value.as_bytes())
                    .map_err(|_| SetError::NotNumeric)?
                    .trunc();
                if !ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&n)) {
                    return Err(SetError::OutOfRange);
                }
                Some(n)
            }
            Rw::Enum(values) => {
                if !values.iter().any(|v| v.eq_ignore_ascii_case(value)) {
                    return Err(SetError::NotInEnum);
                }
                None
            }
            Rw::DeviceEnum => {
                if !self
                    .enum_values(item.name)
                    .any(|v| v.eq_ignore_ascii_case(value))
                {
                    return Err(SetError::NotInEnum);
                }
                None
            }
            Rw::String(max) => {
                if value.len() > usize::from(max) {
                    return Err(SetError::TooLong);
                }
                None
            }
            Rw::ReadOnly => None,
        };
        match setter {
            Setter::Store(normalise) => {
                let n = match number {
                    Some(n) => n,
                    None => Decimal::parse_prefix(value.as_bytes())
                        .map_err(|_| SetError::NotNumeric)?
                        .trunc(),
                };
                let ctx = CmdCtx {
                    vars: &self.vars,
                    state: &self.state,
                };
                let n = match normalise {
                    Some(f) => f(&ctx, n).map_err(SetError::Invalid)?,
                    None => n,
                };
                let text = crate::nut::vars::text(format_args!("{n}"))
                    .map_err(|e| SetError::Invalid(e.into()))?;
                self.vars
                    .set(item.name, &text)
                    .map_err(|e| SetError::Invalid(e.into()))?;
                Ok(SetOutcome::Stored(text))
            }
            Setter::Send(f) => {
                let mut filled = Cmd::new();
                self.fill_template(item.cmd, value, f, &mut filled)
                    .map_err(SetError::Invalid)?;
                let mut cmd = Cmd::new();
                self.command_bytes(item, &filled, &mut cmd)
                    .map_err(|e| SetError::Failed(CmdError::Failed(e)))?;
                self.send_and_judge(io, item, &cmd)
                    .await
                    .map_err(SetError::Failed)?;
                self.after_set(item, value);
                self.changed = true;
                Ok(SetOutcome::Sent)
            }
        }
    }

    /// State that changes when the device accepts a setting.
    fn after_set(&mut self, item: &Item, value: &str) {
        if item.name == "ups.id" {
            self.state.masterguard.set_slave(value);
        }
    }
}
