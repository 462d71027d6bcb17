//! One item's transaction and conversion (spec §2.2–2.4), and the walks over the table:
//! initialisation and quick/full updates (spec §2.5).

use super::{ItemError, Poll, Ups, WalkError};
use crate::dialect::{Ctx, Flags, Item, Kind, Setter, conv};
use crate::fmt::{Bytes, debug, trace, warning};
use crate::nut::status::Token;
use crate::nut::vars::Text;
use crate::transport::Transport;
use crate::wire::MAX_ANSWER;

/// What a successful item produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Produced {
    /// A variable was published.
    Published,
    /// A status token, alarm text or logged value: nothing published.
    Other,
}

impl Ups {
    /// Builds the command bytes of `item` (with the slave address where the command ends in
    /// `,XX`) into `out`.
    pub(crate) fn command_bytes(
        &self,
        item: &Item,
        template: &[u8],
        out: &mut crate::dialect::Cmd,
    ) -> Result<(), ItemError> {
        let fail = ItemError::Conv(crate::dialect::ConvError::Malformed("command too long"));
        if item.addressed {
            let base = template.strip_suffix(b",XX\r").ok_or(ItemError::Conv(
                crate::dialect::ConvError::Malformed("no ,XX"),
            ))?;
            let slave = self.state.masterguard.slave().ok_or(ItemError::Conv(
                crate::dialect::ConvError::Missing("ups.id"),
            ))?;
            out.extend_from_slice(base).map_err(|_| fail)?;
            out.extend_from_slice(b",").map_err(|_| fail)?;
            out.extend_from_slice(&slave).map_err(|_| fail)?;
            out.extend_from_slice(b"\r").map_err(|_| fail)
        } else {
            out.extend_from_slice(template).map_err(|_| fail)
        }
    }

    /// Sends `cmd` and keeps the reply (after the item's answer rewrite) in `self.answer`.
    pub(crate) async fn exchange<T: Transport>(
        &mut self,
        io: &mut T,
        item: &Item,
        cmd: &[u8],
    ) -> Result<(), ItemError> {
        self.answered = None;
        self.answer_len = 0;
        let n = io
            .transact(cmd, &mut self.answer)
            .await
            .map_err(ItemError::Transport)?;
        let mut n = n.min(MAX_ANSWER);
        trace!(
            "sent {} got {}",
            Bytes(cmd),
            Bytes(self.answer.get(..n).unwrap_or(&[]))
        );
        if let Some(fix) = item.answer_fix {
            n = fix(&mut self.answer, n)
                .map_err(ItemError::Answer)?
                .min(MAX_ANSWER);
        }
        self.answer_len = n;
        Ok(())
    }

    /// Runs one query item: transaction (or reuse of the previous answer), validation,
    /// conversion and publication.
    pub(crate) async fn run_query<T: Transport>(
        &mut self,
        io: &mut T,
        index: usize,
    ) -> Result<Produced, ItemError> {
        let Some(item) = self.dialect.item(index) else {
            return Ok(Produced::Other);
        };
        let Kind::Query(conv) = item.kind else {
            return Ok(Produced::Other);
        };
        let reuse = self.answer_len > 0
            && self
                .answered
                .and_then(|i| self.dialect.item(i))
                .is_some_and(|prev| prev.cmd.eq_ignore_ascii_case(item.cmd));
        if !reuse {
            let mut cmd = crate::dialect::Cmd::new();
            self.command_bytes(item, item.cmd, &mut cmd)?;
            self.exchange(io, item, &cmd).await?;
        }
        self.answered = Some(index);
        self.convert(item, conv)
    }

    /// Validation, conversion and publication of the kept answer for `item` (spec §2.2
    /// step 5 onward, §2.3).
    fn convert(
        &mut self,
        item: &'static Item,
        conv: crate::dialect::Conv,
    ) -> Result<Produced, ItemError> {
        let raw = self.answer.get(..self.answer_len).unwrap_or(&[]);
        let answer = item
            .check
            .validate(raw, self.dialect.rejected)
            .map_err(ItemError::Frame)?;
        let value = answer.field(item.window);
        let mut enable = heapless::Vec::new();
        let mut ctx = Ctx {
            vars: &mut self.vars,
            status: &mut self.status,
            state: &mut self.state,
            battery: &mut self.battery,
            options: &self.options,
            raw,
            enable: &mut enable,
        };
        let out = conv::convert(item, conv, &mut ctx, value).map_err(ItemError::Conv)?;
        for name in enable {
            for (i, it) in self.dialect.items().enumerate() {
                if it.name == name {
                    self.disabled.remove(i);
                }
            }
        }
        self.route(item, out)
    }

    /// Sends a conversion's result where the item's name says (spec §2.3).
    fn route(&mut self, item: &'static Item, out: Option<Text>) -> Result<Produced, ItemError> {
        let name = item.name;
        if name.starts_with("ups.status") {
            if let Some(token) = out.as_deref().and_then(Token::parse) {
                self.status.apply(token);
            }
            return Ok(Produced::Other);
        }
        if name.starts_with("ups.alarm") {
            if let Some(text) = out.as_deref().filter(|t| !t.is_empty()) {
                self.status.push_alarm(text);
            }
            return Ok(Produced::Other);
        }
        let value = out.unwrap_or_default();
        if item.flags.has(Flags::NONUT) {
            debug!("{} = {}", name, value.as_str());
            return Ok(Produced::Other);
        }
        if value.is_empty() {
            return Err(ItemError::Conv(crate::dialect::ConvError::Empty));
        }
        if !self.options.is_overridden(name) {
            self.vars
                .set(name, &value)
                .map_err(|e| ItemError::Conv(e.into()))?;
        }
        match name {
            "battery.charge" => self.battery.charge_reported(),
            "battery.runtime" => self.battery.reported_runtime = true,
            _ => {}
        }
        Ok(Produced::Published)
    }

    /// Publishes the variable's NUT metadata (writable range, enum, string length).
    pub(crate) fn apply_rw(&mut self, item: &Item) {
        if item.rw != crate::nut::vars::Rw::ReadOnly {
            self.vars.set_rw(item.name, item.rw);
        }
    }

    /// The initialisation walk (spec §2.5), then the battery set-up, the configured delays, the
    /// dialect's constants, and a first `ups.status`.
    pub async fn init<T: Transport>(&mut self, mut io: T, now_ms: u64) -> Result<(), WalkError> {
        self.answered = None;
        self.answer_len = 0;
        self.status.reset_direct();
        for (index, item) in self.dialect.items().enumerate() {
            if self.disabled.contains(index) {
                continue;
            }
            match item.kind {
                Kind::Constant => {
                    if !self.vars.contains(item.name) {
                        self.publish_default(item);
                    }
                }
                Kind::Command(_) => {}
                Kind::Setting(_) if item.flags.has(Flags::NONUT) => {
                    let _ = self.one_time_setting(&mut io, index).await;
                    self.disabled.insert(index);
                }
                Kind::Setting(Setter::Store(_)) => {
                    if !self.vars.contains(item.name) {
                        self.publish_default(item);
                    }
                }
                Kind::Setting(Setter::Send(_)) => {}
                Kind::Query(_) => {
                    let always = item.name == "ups.status" || item.name == "ups.alarm";
                    if !always && self.vars.contains(item.name) {
                        continue;
                    }
                    match self.run_query(&mut io, index).await {
                        Ok(_) => self.apply_rw(item),
                        Err(error) if item.flags.has(Flags::QP) => {
                            return Err(WalkError {
                                item: item.name,
                                error,
                            });
                        }
                        Err(ItemError::Conv(e)) => debug!("{}: {}", item.name, e),
                        Err(error) => {
                            debug!("{}: {}; disabled", item.name, error);
                            let _ = error;
                            self.disabled.insert(index);
                        }
                    }
                }
            }
        }
        if let Err(e) = self.battery.setup(&mut self.vars, &self.options, now_ms) {
            warning!("battery estimate: {}", e);
            let _ = e;
        }
        for (name, value) in [
            ("ups.delay.start", self.options.ondelay),
            ("ups.delay.shutdown", self.options.offdelay),
        ] {
            if let (Some(v), true) = (value, self.vars.contains(name)) {
                let mut text = Text::new();
                let _ = core::fmt::Write::write_fmt(&mut text, format_args!("{v}"));
                if let Err(e) = self.setvar(&mut io, name, &text).await {
                    warning!("{}: {}", name, e);
                    let _ = e;
                }
            }
        }
        for (name, value) in self.dialect.constants {
            let _ = self.vars.set(name, value);
        }
        let _ = self.vars.set("driver.version.data", self.dialect.version);
        if let Some(Ok(serial)) = self.vars.get("ups.serial").map(Text::try_from) {
            let _ = self.vars.set("device.serial", &serial);
        }
        self.commit_alarm();
        self.commit_status();
        Ok(())
    }

    fn publish_default(&mut self, item: &Item) {
        if self.vars.set(item.name, item.default).is_ok() {
            self.apply_rw(item);
        }
    }

    /// One update (spec §2.5). A failed update counts toward staleness; a good one resets it.
    pub async fn update<T: Transport>(
        &mut self,
        io: T,
        poll: Poll,
        now_ms: u64,
    ) -> Result<(), WalkError> {
        let result = self.walk(io, poll, now_ms).await;
        match result {
            Ok(()) => {
                if self.failures >= STALE_RECOVERY_LOG {
                    debug!("communication re-established");
                }
                self.failures = 0;
            }
            Err(_) => self.failures = self.failures.saturating_add(1),
        }
        result
    }

    async fn walk<T: Transport>(
        &mut self,
        mut io: T,
        poll: Poll,
        now_ms: u64,
    ) -> Result<(), WalkError> {
        self.answered = None;
        self.answer_len = 0;
        self.status.reset_direct();
        let full = poll == Poll::Full || self.changed;
        if full {
            self.status.reset_for_full_walk();
            self.battery.start_full_walk();
        }
        for (index, item) in self.dialect.items().enumerate() {
            if self.disabled.contains(index) || !matches!(item.kind, Kind::Query(_)) {
                continue;
            }
            let wanted = if full {
                !item.flags.has(Flags::ST) && (!item.flags.has(Flags::SS) || self.changed)
            } else {
                item.flags.has(Flags::QP)
            };
            if !wanted {
                continue;
            }
            if let Err(error) = self.run_query(&mut io, index).await {
                if !full || item.flags.has(Flags::QP) {
                    return Err(WalkError {
                        item: item.name,
                        error,
                    });
                }
                debug!("{}: {}", item.name, error);
            }
        }
        if full {
            self.changed = false;
            let on_line = self.status.is_set(crate::nut::status::Flag::Ol);
            if let Err(e) = self
                .battery
                .after_full_walk(&mut self.vars, on_line, now_ms)
            {
                warning!("battery estimate: {}", e);
                let _ = e;
            }
            self.commit_alarm();
        }
        self.commit_status();
        Ok(())
    }

    /// Publishes or deletes `ups.alarm` (spec §2.9).
    fn commit_alarm(&mut self) {
        let text = self.status.alarm_text();
        if text.is_empty() {
            self.vars.remove("ups.alarm");
        } else {
            let _ = self.vars.set("ups.alarm", &text);
        }
    }

    /// Publishes `ups.status` (spec §2.8).
    fn commit_status(&mut self) {
        let mut text = Text::new();
        let alarm = self.vars.get("ups.alarm").is_some_and(|a| !a.is_empty());
        if self.status.write_status(alarm, &mut text).is_ok() {
            let _ = self.vars.set("ups.status", &text);
        }
    }
}

/// True when `cmd` is the addressed `template` (ending in `,XX\r`) sent to any two-character
/// slave address, so a captured answer of another unit on the bus decodes too.
fn any_address_matches(template: &[u8], cmd: &[u8]) -> bool {
    let (Some(base), Some((head, [b',', _, _, b'\r']))) = (
        template.strip_suffix(b",XX\r"),
        cmd.split_at_checked(cmd.len().saturating_sub(4)),
    ) else {
        return false;
    };
    head.eq_ignore_ascii_case(base)
}

/// From this many failures on, a good update is logged as "re-established".
const STALE_RECOVERY_LOG: u8 = 4;

impl Ups {
    /// Reads `answer` as the device's reply to `cmd` without any transaction: every query item
    /// that sends `cmd` (an addressed item whatever the slave address in `cmd`) converts its field and publishes, in table
    /// order, then `ups.status` is rebuilt. Used to decode captured answers. Returns the first
    /// item that failed, after trying them all.
    pub fn decode(&mut self, cmd: &[u8], answer: &[u8]) -> Result<(), WalkError> {
        let mut first_error = None;
        let mut fixed = false;
        let mut status_items = false;
        let mut status_failed = false;
        self.answer_len = 0;
        self.answered = None;
        for (index, item) in self.dialect.items().enumerate() {
            let Kind::Query(conv) = item.kind else {
                continue;
            };
            let mut sent = crate::dialect::Cmd::new();
            let same = if item.addressed {
                any_address_matches(item.cmd, cmd)
            } else {
                self.command_bytes(item, item.cmd, &mut sent).is_ok()
                    && sent.eq_ignore_ascii_case(cmd)
            };
            if !same {
                continue;
            }
            if !fixed {
                fixed = true;
                let n = answer.len().min(MAX_ANSWER);
                if let (Some(dst), Some(src)) = (self.answer.get_mut(..n), answer.get(..n)) {
                    dst.copy_from_slice(src);
                }
                self.answer_len = n;
                if let Some(fix) = item.answer_fix {
                    match fix(&mut self.answer, n) {
                        Ok(n) => self.answer_len = n.min(MAX_ANSWER),
                        Err(e) => {
                            self.answer_len = 0;
                            return Err(WalkError {
                                item: item.name,
                                error: ItemError::Answer(e),
                            });
                        }
                    }
                }
                self.answered = Some(index);
            }
            let status_item = item.name == "ups.status" || item.name == "ups.alarm";
            status_items |= status_item;
            if let Err(error) = self.convert(item, conv) {
                // A status built from some of its bits would be a wrong status ("OB" when
                // the utility bit was garbled): publish none.
                status_failed |= status_item;
                first_error.get_or_insert(WalkError {
                    item: item.name,
                    error,
                });
            }
        }
        if status_items && !status_failed {
            self.commit_alarm();
            self.commit_status();
        }
        first_error.map_or(Ok(()), Err)
    }
}
