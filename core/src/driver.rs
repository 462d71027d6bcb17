//! The driver engine: what `nutdrv_qx`'s main loop does, as a state machine that owns no link,
//! no clock and no thread. The caller hands it a [`Transport`] and the time, and it says what
//! happened and when it wants to run again:
//!
//! ```text
//! loop {
//!     let step = driver.step(&mut link, now_ms()).await;
//!     if step.reconnect { link = reopen()?; driver.reconnected(); }
//!     sleep_until(step.wake_at_ms);
//! }
//! ```
//!
//! Phases: detecting (the dialect claim order, or `protocol=`, each claim tried up to three
//! times), then polling — a quick update every `pollinterval`, a full one every `pollfreq` —
//! with the data going stale after [`STALE_AFTER`] failed updates in a row and recovering on
//! the first good one. A vanished device (the link says [`TransportError::Disconnected`]) makes
//! the engine ask for a reconnect; afterwards it claims the same dialect again and
//! re-initialises, so the variables come back without a restart.

use core::fmt;

use crate::dialect::Dialect;
use crate::nut::vars::{Text, Vars, text};
use crate::options::Options;
use crate::transport::{Transport, TransportError};
use crate::ups::{DetectError, Poll, STALE_AFTER, Ups, WalkError, detect};

/// NUT's default `pollinterval`: 2 s between updates.
pub const POLL_INTERVAL_MS: u32 = 2_000;
/// NUT's default `pollfreq`: a full update every 30 s.
pub const POLL_FREQ_MS: u32 = 30_000;
/// How long to wait before detecting again after a failure, or between reconnect attempts.
pub const RETRY_MS: u32 = 5_000;

/// What the engine is configured with.
#[derive(Clone, Debug)]
pub struct Config {
    /// `protocol=`: only this dialect is tried; `None` autodetects.
    pub protocol: Option<&'static Dialect>,
    /// Parsing and estimation options.
    pub options: Options,
    /// Milliseconds between updates (`pollinterval`).
    pub poll_interval_ms: u32,
    /// Milliseconds between full updates (`pollfreq`).
    pub poll_freq_ms: u32,
    /// Milliseconds before detecting again, or between reconnect attempts.
    pub retry_ms: u32,
    /// How the device is reached (`driver.parameter.port`): `auto`, a tty path, `simulate`.
    pub port: Text,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            protocol: None,
            options: Options::new(),
            poll_interval_ms: POLL_INTERVAL_MS,
            poll_freq_ms: POLL_FREQ_MS,
            retry_ms: RETRY_MS,
            port: Text::new(),
        }
    }
}

/// What the link told about the device before any protocol exchange (USB strings), published
/// as `ups.vendorid`, `ups.productid`, and as `device.mfr` / `device.model` when the dialect
/// reads none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DeviceInfo {
    /// USB vendor ID.
    pub vendor_id: Option<u16>,
    /// USB product ID.
    pub product_id: Option<u16>,
    /// USB manufacturer string.
    pub manufacturer: Option<Text>,
    /// USB product string.
    pub product: Option<Text>,
    /// USB serial number string.
    pub serial: Option<Text>,
    /// The link's name (`usb`, `serial`, `virtual`), published as `driver.parameter.link`.
    pub link: &'static str,
}

/// Where the engine is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Phase {
    /// Looking for a dialect that claims the device.
    Detecting,
    /// Claimed and initialised; updating.
    Polling,
    /// The device vanished; waiting for the caller to reopen the link.
    Lost,
}

/// Something that happened in a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Event {
    /// A dialect claimed the device and the initialisation walk succeeded.
    Ready {
        /// The dialect's `protocol=` name.
        dialect: &'static str,
    },
    /// No dialect claims the device; detection is tried again later.
    NotSupported,
    /// The dialect claimed the device but the initialisation walk failed.
    InitFailed(WalkError),
    /// An update succeeded.
    Updated {
        /// It was a full update.
        full: bool,
    },
    /// An update failed; the data is not yet stale.
    UpdateFailed(WalkError),
    /// The data went stale (this many updates failed in a row).
    Stale(WalkError),
    /// The first good update after the data went stale.
    Recovered,
    /// The link reports the device gone; reopen it and call [`Driver::reconnected`].
    Lost(TransportError),
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ready { dialect } => write!(f, "device recognised as {dialect}"),
            Self::NotSupported => f.write_str("no dialect recognises the device"),
            Self::InitFailed(e) => write!(f, "initialisation failed: {e}"),
            Self::Updated { full: true } => f.write_str("full update"),
            Self::Updated { full: false } => f.write_str("quick update"),
            Self::UpdateFailed(e) => write!(f, "update failed: {e}"),
            Self::Stale(e) => write!(f, "data stale: {e}"),
            Self::Recovered => f.write_str("communication re-established"),
            Self::Lost(e) => write!(f, "device lost: {e}"),
        }
    }
}

/// The result of one [`Driver::step`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Step {
    /// What happened, if anything ran.
    pub event: Option<Event>,
    /// When to call [`Driver::step`] again (same clock as `now_ms`).
    pub wake_at_ms: u64,
    /// The caller should reopen the link, then call [`Driver::reconnected`].
    pub reconnect: bool,
}

/// Why a command or setvar could not be run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum NotReady {
    /// No dialect has claimed the device yet.
    Detecting,
    /// The device is gone.
    Lost,
}

impl fmt::Display for NotReady {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Detecting => "the device is not recognised yet",
            Self::Lost => "the device is disconnected",
        })
    }
}

impl core::error::Error for NotReady {}

/// The driver engine.
#[derive(Debug)]
pub struct Driver {
    config: Config,
    device: DeviceInfo,
    ups: Option<Ups>,
    /// The dialect found before the device was lost: claimed again after a reconnect.
    known: Option<&'static Dialect>,
    phase: Phase,
    wake_at_ms: u64,
    last_full_ms: Option<u64>,
    stale: bool,
}

impl Driver {
    /// An engine that starts detecting at the first step.
    pub fn new(config: Config) -> Self {
        Self {
            config,
            device: DeviceInfo::default(),
            ups: None,
            known: None,
            phase: Phase::Detecting,
            wake_at_ms: 0,
            last_full_ms: None,
            stale: false,
        }
    }

    /// Tells the engine what the link knows about the device (call before the first step, and
    /// after a reconnect if it changed). The USB vendor ID also feeds the omron and ablerex
    /// claims.
    pub fn set_device(&mut self, device: DeviceInfo) {
        self.config.options.usb_vendor = device.vendor_id;
        self.device = device;
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The claimed UPS, once a dialect claimed it.
    pub fn ups(&self) -> Option<&Ups> {
        self.ups.as_ref()
    }

    /// The NUT variables: the device's, `device.*`, `driver.*`, `ups.mfr` / `ups.model`.
    pub fn vars(&self) -> Option<&Vars> {
        self.ups.as_ref().map(Ups::vars)
    }

    /// True while the data must not be trusted: stale after failed updates, or the device lost.
    pub fn is_stale(&self) -> bool {
        self.stale || self.phase == Phase::Lost
    }

    /// When the engine wants to run next.
    pub fn wake_at_ms(&self) -> u64 {
        self.wake_at_ms
    }

    /// Runs whatever is due at `now_ms`: detection, one update, or nothing yet.
    pub async fn step<T: Transport>(&mut self, io: T, now_ms: u64) -> Step {
        if now_ms < self.wake_at_ms {
            return self.result(None);
        }
        let event = match self.phase {
            Phase::Detecting => self.detect(io, now_ms).await,
            Phase::Polling => self.update(io, now_ms).await,
            Phase::Lost => {
                self.wake_at_ms = now_ms.saturating_add(u64::from(self.config.retry_ms));
                None
            }
        };
        self.result(event)
    }

    /// The caller reopened the link after [`Event::Lost`]: the next step claims the same
    /// dialect again and re-initialises.
    pub fn reconnected(&mut self) {
        if self.phase == Phase::Lost {
            self.phase = Phase::Detecting;
            self.wake_at_ms = 0;
        }
    }

    /// The caller saw the link fail outside a step (a read error of its own): treat the device
    /// as lost.
    pub fn link_lost(&mut self) {
        if self.ups.is_some() {
            self.known = self.ups.as_ref().map(Ups::dialect);
        }
        self.phase = Phase::Lost;
    }

    /// Runs an instant command (spec §2.12); a success makes the next update a full one.
    pub async fn instcmd<T: Transport>(
        &mut self,
        io: T,
        name: &str,
        arg: Option<&str>,
    ) -> Result<Result<(), crate::ups::CmdError>, NotReady> {
        let ups = self.ready_ups()?;
        Ok(ups.instcmd(io, name, arg).await)
    }

    /// Sets a variable (spec §2.13).
    pub async fn setvar<T: Transport>(
        &mut self,
        io: T,
        name: &str,
        value: &str,
    ) -> Result<Result<crate::ups::SetOutcome, crate::ups::SetError>, NotReady> {
        let ups = self.ready_ups()?;
        Ok(ups.setvar(io, name, value).await)
    }

    fn ready_ups(&mut self) -> Result<&mut Ups, NotReady> {
        match self.phase {
            Phase::Polling => self.ups.as_mut().ok_or(NotReady::Detecting),
            Phase::Detecting => Err(NotReady::Detecting),
            Phase::Lost => Err(NotReady::Lost),
        }
    }

    fn result(&self, event: Option<Event>) -> Step {
        Step {
            event,
            wake_at_ms: self.wake_at_ms,
            reconnect: self.phase == Phase::Lost,
        }
    }

    fn retry_at(&self, now_ms: u64) -> u64 {
        now_ms.saturating_add(u64::from(self.config.retry_ms))
    }

    fn lose(&mut self, error: TransportError, now_ms: u64) -> Event {
        self.link_lost();
        self.wake_at_ms = self.retry_at(now_ms);
        Event::Lost(error)
    }

    async fn detect<T: Transport>(&mut self, mut io: T, now_ms: u64) -> Option<Event> {
        let protocol = self.config.protocol.or(self.known);
        let mut ups = match detect(&mut io, protocol, &self.config.options).await {
            Ok(ups) => ups,
            Err(DetectError::Transport(e)) if e == TransportError::Disconnected => {
                return Some(self.lose(e, now_ms));
            }
            Err(_) => {
                self.wake_at_ms = self.retry_at(now_ms);
                return Some(Event::NotSupported);
            }
        };
        if let Err(e) = ups.init(&mut io, now_ms).await {
            if e.error == crate::ups::ItemError::Transport(TransportError::Disconnected) {
                self.known = Some(ups.dialect());
                return Some(self.lose(TransportError::Disconnected, now_ms));
            }
            self.wake_at_ms = self.retry_at(now_ms);
            return Some(Event::InitFailed(e));
        }
        self.publish_driver_vars(&mut ups);
        let dialect = ups.dialect().name;
        self.known = Some(ups.dialect());
        self.ups = Some(ups);
        self.phase = Phase::Polling;
        self.stale = false;
        self.last_full_ms = Some(now_ms);
        self.wake_at_ms = now_ms.saturating_add(u64::from(self.config.poll_interval_ms));
        Some(Event::Ready { dialect })
    }

    async fn update<T: Transport>(&mut self, io: T, now_ms: u64) -> Option<Event> {
        let full = self
            .last_full_ms
            .is_none_or(|t| now_ms >= t.saturating_add(u64::from(self.config.poll_freq_ms)));
        let poll = if full { Poll::Full } else { Poll::Quick };
        let ups = self.ups.as_mut()?;
        let result = ups.update(io, poll, now_ms).await;
        let failures = ups.failures();
        self.wake_at_ms = now_ms.saturating_add(u64::from(self.config.poll_interval_ms));
        match result {
            Ok(()) => {
                if full {
                    self.last_full_ms = Some(now_ms);
                }
                if let Some(mut ups) = self.ups.take() {
                    self.publish_mirrors(&mut ups);
                    self.ups = Some(ups);
                }
                if core::mem::take(&mut self.stale) {
                    Some(Event::Recovered)
                } else {
                    Some(Event::Updated { full })
                }
            }
            Err(e) if e.error == crate::ups::ItemError::Transport(TransportError::Disconnected) => {
                Some(self.lose(TransportError::Disconnected, now_ms))
            }
            Err(e) if failures >= STALE_AFTER && !self.stale => {
                self.stale = true;
                Some(Event::Stale(e))
            }
            Err(e) => Some(Event::UpdateFailed(e)),
        }
    }

    /// `driver.*`, `device.*` and the USB identity, once after initialisation.
    fn publish_driver_vars(&self, ups: &mut Ups) {
        let c = &self.config;
        let mut set = |name: &'static str, value: &str| {
            if !ups.options().is_overridden(name) {
                let _ = ups.publish(name, value);
            }
        };
        set("driver.name", "qxups");
        set("driver.version", env!("CARGO_PKG_VERSION"));
        set("driver.version.internal", env!("CARGO_PKG_VERSION"));
        set("device.type", "ups");
        if let Ok(t) = text(format_args!("{}", c.poll_interval_ms / 1000)) {
            set("driver.parameter.pollinterval", &t);
        }
        if let Ok(t) = text(format_args!("{}", c.poll_freq_ms / 1000)) {
            set("driver.parameter.pollfreq", &t);
        }
        if !c.port.is_empty() {
            set("driver.parameter.port", &c.port);
        }
        if !self.device.link.is_empty() {
            set("driver.parameter.link", self.device.link);
        }
        if let Some(protocol) = c.protocol {
            set("driver.parameter.protocol", protocol.name);
        }
        for (name, id) in [
            ("ups.vendorid", self.device.vendor_id),
            ("ups.productid", self.device.product_id),
        ] {
            if let Some(Ok(t)) = id.map(|id| text(format_args!("{id:04x}"))) {
                set(name, &t);
            }
        }
        for (name, usb) in [
            ("device.mfr", &self.device.manufacturer),
            ("device.model", &self.device.product),
            ("device.serial", &self.device.serial),
        ] {
            if let Some(value) = usb.as_ref().filter(|v| !v.trim().is_empty()) {
                if ups.vars().get(name).is_none() {
                    let _ = ups.publish(name, value.trim());
                }
            }
        }
        self.publish_mirrors(ups);
    }

    /// `ups.mfr`, `ups.model` and `ups.serial` follow `device.*` (Synology's UI reads the
    /// `ups.*` names).
    fn publish_mirrors(&self, ups: &mut Ups) {
        for (from, to) in [
            ("device.mfr", "ups.mfr"),
            ("device.model", "ups.model"),
            ("device.serial", "ups.serial"),
        ] {
            let value = ups.vars().get(from).and_then(|v| Text::try_from(v).ok());
            if let Some(value) = value {
                if ups.vars().get(to).is_none() && !ups.options().is_overridden(to) {
                    let _ = ups.publish(to, &value);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::block_on;
    use crate::virtual_ups::{Fault, VirtualUps};

    fn driver(protocol: Option<&'static str>) -> Driver {
        Driver::new(Config {
            protocol: protocol.and_then(crate::dialect::by_name),
            ..Config::default()
        })
    }

    fn step(d: &mut Driver, ups: &mut VirtualUps, now: u64) -> Step {
        block_on(d.step(&mut *ups, now))
    }

    #[test]
    fn detects_initialises_and_polls_on_schedule() {
        let mut ups = VirtualUps::for_dialect(&crate::dialect::megatec::DIALECT).unwrap();
        let mut d = driver(None);
        let s = step(&mut d, &mut ups, 0);
        assert_eq!(s.event, Some(Event::Ready { dialect: "megatec" }));
        assert_eq!(s.wake_at_ms, 2_000);
        let vars = d.vars().unwrap();
        assert_eq!(vars.get("driver.name"), Some("qxups"));
        assert_eq!(vars.get("device.type"), Some("ups"));
        assert_eq!(vars.get("ups.mfr"), vars.get("device.mfr"));
        assert!(vars.get("ups.mfr").is_some() && vars.get("ups.model").is_some());
        // Not due yet: nothing runs.
        assert_eq!(step(&mut d, &mut ups, 1_000).event, None);
        assert_eq!(
            step(&mut d, &mut ups, 2_000).event,
            Some(Event::Updated { full: false })
        );
        assert_eq!(
            step(&mut d, &mut ups, 30_000).event,
            Some(Event::Updated { full: true })
        );
    }

    #[test]
    fn goes_stale_after_five_failures_and_recovers() {
        let mut ups = VirtualUps::for_dialect(&crate::dialect::megatec::DIALECT).unwrap();
        let mut d = driver(None);
        step(&mut d, &mut ups, 0);
        ups.inject(Fault::Garbage, None);
        let mut events = std::vec::Vec::new();
        for n in 1..=6u64 {
            events.push(step(&mut d, &mut ups, n * 2_000).event);
        }
        assert!(matches!(events[0], Some(Event::UpdateFailed(_))));
        assert!(matches!(events[4], Some(Event::Stale(_))), "{events:?}");
        assert!(matches!(events[5], Some(Event::UpdateFailed(_))));
        assert!(d.is_stale());
        ups.clear_fault();
        assert_eq!(step(&mut d, &mut ups, 14_000).event, Some(Event::Recovered));
        assert!(!d.is_stale());
    }

    /// Truncated answers and silence fail updates with typed errors; the last good values
    /// stay, and the next good answer is read.
    #[test]
    fn truncation_and_silence_fail_typed_and_keep_the_last_values() {
        let mut ups = VirtualUps::for_dialect(&crate::dialect::q1::DIALECT).unwrap();
        let mut d = driver(Some("q1"));
        step(&mut d, &mut ups, 0);
        let before = d
            .vars()
            .unwrap()
            .get("input.voltage")
            .map(std::string::String::from);
        for (n, fault) in [Fault::Truncated, Fault::NoAnswer].into_iter().enumerate() {
            ups.inject(fault, Some(1));
            let s = step(&mut d, &mut ups, 2_000 * (n as u64 + 1));
            assert!(
                matches!(s.event, Some(Event::UpdateFailed(_))),
                "{fault:?}: {s:?}"
            );
            assert_eq!(
                d.vars()
                    .unwrap()
                    .get("input.voltage")
                    .map(std::string::String::from),
                before
            );
        }
        ups.state.input_voltage = 2301;
        assert!(matches!(
            step(&mut d, &mut ups, 30_000).event,
            Some(Event::Updated { .. })
        ));
        assert_eq!(d.vars().unwrap().get("input.voltage"), Some("230.1"));
    }

    #[test]
    fn unplug_and_replug_recover_the_same_dialect() {
        let mut ups = VirtualUps::for_dialect(&crate::dialect::hunnox::DIALECT).unwrap();
        let mut d = driver(None);
        assert_eq!(
            step(&mut d, &mut ups, 0).event,
            Some(Event::Ready { dialect: "hunnox" })
        );
        ups.inject(Fault::Disconnect, None);
        let s = step(&mut d, &mut ups, 2_000);
        assert_eq!(s.event, Some(Event::Lost(TransportError::Disconnected)));
        assert!(s.reconnect && d.is_stale());
        assert!(d.vars().unwrap().get("input.voltage").is_some());
        // Still gone: the engine keeps asking for a reconnect.
        assert!(step(&mut d, &mut ups, 7_000).reconnect);
        ups.clear_fault();
        d.reconnected();
        let s = step(&mut d, &mut ups, 12_000);
        assert_eq!(s.event, Some(Event::Ready { dialect: "hunnox" }));
        assert!(!s.reconnect && !d.is_stale());
    }

    #[test]
    fn a_silent_device_is_not_supported_and_retried() {
        let mut ups = VirtualUps::for_dialect(&crate::dialect::megatec::DIALECT).unwrap();
        ups.inject(Fault::NoAnswer, None);
        let mut d = driver(None);
        let s = step(&mut d, &mut ups, 0);
        assert_eq!(s.event, Some(Event::NotSupported));
        assert_eq!(s.wake_at_ms, u64::from(RETRY_MS));
        ups.clear_fault();
        assert_eq!(
            step(&mut d, &mut ups, 5_000).event,
            Some(Event::Ready { dialect: "megatec" })
        );
    }

    #[test]
    fn commands_wait_for_a_claimed_device() {
        let mut ups = VirtualUps::for_dialect(&crate::dialect::megatec::DIALECT).unwrap();
        let mut d = driver(Some("megatec"));
        let got = block_on(d.instcmd(&mut ups, "beeper.toggle", None));
        assert_eq!(got, Err(NotReady::Detecting));
        step(&mut d, &mut ups, 0);
        let got = block_on(d.instcmd(&mut ups, "beeper.toggle", None));
        assert_eq!(got, Ok(Ok(())));
    }

    #[test]
    fn usb_identity_fills_what_the_dialect_does_not_read() {
        let mut ups = VirtualUps::for_dialect(&crate::dialect::hunnox::DIALECT).unwrap();
        let mut d = driver(None);
        let mut options = Options::new();
        options.novendor = true;
        d.config.options = options;
        d.set_device(DeviceInfo {
            vendor_id: Some(0x0001),
            product_id: Some(0x0000),
            manufacturer: text(format_args!("MEC")).ok(),
            product: text(format_args!("MEC0003")).ok(),
            serial: None,
            link: "usb",
        });
        step(&mut d, &mut ups, 0);
        let vars = d.vars().unwrap();
        assert_eq!(vars.get("ups.vendorid"), Some("0001"));
        assert_eq!(vars.get("ups.productid"), Some("0000"));
        assert_eq!(vars.get("ups.mfr"), Some("MEC"));
        assert_eq!(vars.get("ups.model"), Some("MEC0003"));
        assert_eq!(vars.get("driver.parameter.link"), Some("usb"));
    }
}
