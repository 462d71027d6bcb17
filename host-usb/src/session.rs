//! One UPS as the `qxups` command uses it: a link (virtual, serial, USB) wrapped for capture
//! and logging, the core's [`Driver`] over it, and a clock.

use std::fmt;
use std::io::Write;
use std::time::{Duration, Instant};

use qxups::driver::{Config, DeviceInfo, Driver, Event, NotReady, Step};
use qxups::nut::vars::Vars;
use qxups::serial::CablePower;
use qxups::ups::{CmdError, SetError, SetOutcome};
use qxups::{Transport, TransportError};

use crate::link::{Capture, Simulated, Verbose, trace_header};
use crate::serial::{self, block_on};

/// Where the UPS is.
#[derive(Clone, Debug)]
pub enum Target {
    /// The built-in virtual UPS speaking this dialect.
    Simulate(&'static qxups::Dialect),
    /// A serial port (tty path).
    Serial(String),
    /// The USB device these criteria select (`port = auto`).
    Usb(Box<crate::usb::Criteria>),
}

/// How to open a session.
#[derive(Clone, Debug)]
pub struct Setup {
    /// The device.
    pub target: Target,
    /// The driver engine's configuration.
    pub config: Config,
    /// The serial cable's power lines.
    pub cable: CablePower,
    /// Record every exchange to this file.
    pub capture: Option<std::path::PathBuf>,
    /// Log every frame on standard error.
    pub log_frames: bool,
    /// With the virtual UPS: the mains fail this many milliseconds after the start.
    pub simulate_power_fail_ms: Option<u64>,
    /// With the virtual UPS: the battery is nearly empty this many milliseconds after the
    /// start (`LB` once on battery), so a power failure reaches `OB LB` in seconds.
    pub simulate_low_battery_ms: Option<u64>,
}

/// Any link the command can open.
#[derive(Debug)]
pub enum AnyLink {
    /// The built-in virtual UPS.
    Simulated(Box<Simulated>),
    /// A serial port.
    Serial(Box<serial::Link>),
    /// A USB device.
    Usb(Box<crate::usb::UsbLink>),
}

impl Transport for AnyLink {
    async fn transact(
        &mut self,
        command: &[u8],
        reply: &mut [u8],
    ) -> Result<usize, TransportError> {
        match self {
            Self::Simulated(s) => s.transact(command, reply).await,
            Self::Serial(s) => s.transact(command, reply).await,
            Self::Usb(u) => u.transact(command, reply).await,
        }
    }
}

/// Why a session could not start or go on.
#[derive(Debug)]
pub enum SessionError {
    /// The device could not be opened.
    Open(String),
    /// No USB device was found (nothing plugged in, or a host without USB).
    NoDevice(String),
    /// The capture file could not be created.
    Capture(std::io::Error),
    /// No dialect recognises the device.
    NotSupported,
    /// The device was recognised but could not be initialised.
    Init(String),
    /// The device went away.
    Lost(TransportError),
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Open(e) => write!(f, "cannot open the device: {e}"),
            Self::NoDevice(e) => write!(f, "no UPS found on USB: {e}"),
            Self::Capture(e) => write!(f, "cannot create the capture file: {e}"),
            Self::NotSupported => f.write_str(
                "no dialect recognises the device (try --protocol NAME, or -vv to see the frames)",
            ),
            Self::Init(e) => write!(f, "initialisation failed: {e}"),
            Self::Lost(e) => write!(f, "device lost: {e}"),
        }
    }
}

impl std::error::Error for SessionError {}

type Wrapped = Verbose<Capture<AnyLink, Box<dyn Write>>>;

/// An open UPS.
pub struct Session {
    driver: Driver,
    link: Wrapped,
    clock: Instant,
    setup: Setup,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("target", &self.setup.target)
            .finish()
    }
}

fn open_link(setup: &Setup) -> Result<(AnyLink, DeviceInfo), SessionError> {
    match &setup.target {
        Target::Simulate(dialect) => {
            let mut sim = Simulated::new(dialect).ok_or_else(|| {
                SessionError::Open(format!("the virtual UPS cannot play {}", dialect.name))
            })?;
            if let Some(ms) = setup.simulate_power_fail_ms {
                sim.fail_power_after(ms);
            }
            if let Some(ms) = setup.simulate_low_battery_ms {
                sim.low_battery_after(ms);
            }
            let link = AnyLink::Simulated(Box::new(sim));
            let info = DeviceInfo {
                link: "virtual",
                ..DeviceInfo::default()
            };
            Ok((link, info))
        }
        Target::Serial(path) => {
            let link = block_on(serial::connect(path, setup.cable))
                .map_err(|e| SessionError::Open(format!("{path}: {e}")))?;
            let info = DeviceInfo {
                link: "serial",
                ..DeviceInfo::default()
            };
            Ok((AnyLink::Serial(Box::new(link)), info))
        }
        Target::Usb(criteria) => {
            let mut link = crate::usb::UsbLink::connect(criteria).map_err(|e| {
                if e.is_not_found() {
                    SessionError::NoDevice(e.to_string())
                } else {
                    SessionError::Open(e.to_string())
                }
            })?;
            let id = link.device().identity().clone();
            let text = |s: &Option<String>| {
                s.as_deref()
                    .and_then(|s| qxups::nut::vars::text(format_args!("{s}")).ok())
            };
            let info = DeviceInfo {
                vendor_id: Some(id.vid),
                product_id: Some(id.pid),
                manufacturer: text(&id.vendor),
                product: text(&id.product),
                serial: text(&id.serial),
                link: "usb",
            };
            Ok((AnyLink::Usb(Box::new(link)), info))
        }
    }
}

impl Session {
    /// Opens the link and prepares the engine; nothing is sent yet.
    pub fn open(setup: Setup) -> Result<Self, SessionError> {
        let (link, info) = open_link(&setup)?;
        let sink: Box<dyn Write> = match &setup.capture {
            Some(path) => Box::new(std::fs::File::create(path).map_err(SessionError::Capture)?),
            None => Box::new(std::io::sink()),
        };
        let mut config = setup.config.clone();
        if config.port.is_empty() {
            let port = match &setup.target {
                Target::Simulate(_) => "simulate".to_owned(),
                Target::Serial(p) => p.clone(),
                Target::Usb(_) => "auto".to_owned(),
            };
            if let Ok(t) = qxups::nut::vars::text(format_args!("{port}")) {
                config.port = t;
            }
        }
        let mut driver = Driver::new(config);
        driver.set_device(info);
        Ok(Self {
            driver,
            link: Verbose::new(Capture::new(link, sink), setup.log_frames),
            clock: Instant::now(),
            setup,
        })
    }

    /// Milliseconds since the session opened: the engine's clock.
    pub fn now_ms(&self) -> u64 {
        u64::try_from(self.clock.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// The engine.
    pub fn driver(&self) -> &Driver {
        &self.driver
    }

    /// The virtual UPS, when simulating (to change its state in demos and tests).
    pub fn simulated(&mut self) -> Option<&mut Simulated> {
        match self.link.inner().inner() {
            AnyLink::Simulated(s) => Some(s),
            AnyLink::Serial(_) | AnyLink::Usb(_) => None,
        }
    }

    /// The variables, once the device is recognised.
    pub fn vars(&self) -> Option<&Vars> {
        self.driver.vars()
    }

    /// Runs the engine until the device is recognised and initialised.
    pub fn until_ready(&mut self) -> Result<&'static str, SessionError> {
        let now = self.now_ms();
        let step = block_on(self.driver.step(&mut self.link, now));
        match step.event {
            Some(Event::Ready { dialect }) => {
                self.link.inner().note(&trace_header(dialect));
                Ok(dialect)
            }
            Some(Event::InitFailed(e)) => Err(SessionError::Init(e.to_string())),
            Some(Event::Lost(e)) => Err(SessionError::Lost(e)),
            _ => Err(SessionError::NotSupported),
        }
    }

    /// Sleeps until the engine is due, then runs one step. A lost device is reopened.
    pub fn step(&mut self) -> Step {
        let due = self.driver.wake_at_ms();
        let now = self.now_ms();
        if due > now {
            std::thread::sleep(Duration::from_millis(due - now));
        }
        let now = self.now_ms();
        let step = block_on(self.driver.step(&mut self.link, now));
        if step.reconnect {
            if let Ok((link, info)) = open_link(&self.setup) {
                *self.link.inner().inner() = link;
                self.driver.set_device(info);
                self.driver.reconnected();
            }
        }
        step
    }

    /// Runs an instant command.
    pub fn instcmd(&mut self, name: &str, arg: Option<&str>) -> Result<(), String> {
        match self.run_instcmd(name, arg) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Sets a variable; the text says what happened.
    pub fn setvar(&mut self, name: &str, value: &str) -> Result<String, String> {
        match self.run_setvar(name, value) {
            Ok(Ok(outcome)) => Ok(format!("{outcome:?}")),
            Ok(Err(e)) => Err(e.to_string()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Runs an instant command, with the engine's typed outcome (what the NUT server reports
    /// through `GET TRACKING`).
    pub fn run_instcmd(
        &mut self,
        name: &str,
        arg: Option<&str>,
    ) -> Result<Result<(), CmdError>, NotReady> {
        block_on(self.driver.instcmd(&mut self.link, name, arg))
    }

    /// Sets a variable, with the engine's typed outcome.
    pub fn run_setvar(
        &mut self,
        name: &str,
        value: &str,
    ) -> Result<Result<SetOutcome, SetError>, NotReady> {
        block_on(self.driver.setvar(&mut self.link, name, value))
    }
}

/// `name: value` lines sorted by name: upsc's format.
pub fn upsc_lines(vars: &Vars) -> String {
    let mut all: Vec<_> = vars.iter().collect();
    all.sort_by_key(|v| v.name());
    all.iter()
        .map(|v| format!("{}: {}\n", v.name(), v.value()))
        .collect()
}

/// The variables as one JSON object.
pub fn json_object(vars: &Vars) -> serde_json::Value {
    let map = vars
        .iter()
        .map(|v| (v.name().to_owned(), serde_json::Value::from(v.value())))
        .collect::<serde_json::Map<_, _>>();
    serde_json::Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simulate(name: &str) -> Session {
        Session::open(Setup {
            target: Target::Simulate(qxups::dialect::by_name(name).unwrap()),
            config: Config::default(),
            cable: CablePower::default(),
            capture: None,
            log_frames: false,
            simulate_power_fail_ms: None,
            simulate_low_battery_ms: None,
        })
        .unwrap()
    }

    #[test]
    fn a_simulated_ups_is_recognised_and_read() {
        let mut s = simulate("hunnox");
        assert_eq!(s.until_ready().unwrap(), "hunnox");
        let text = upsc_lines(s.vars().unwrap());
        assert!(text.contains("\nups.status: OL"), "{text}");
        assert!(text.contains("driver.parameter.port: simulate\n"), "{text}");
        let json = json_object(s.vars().unwrap());
        assert_eq!(json["driver.name"], "qxups");
    }

    #[test]
    fn commands_reach_the_simulated_ups() {
        let mut s = simulate("megatec");
        s.until_ready().unwrap();
        assert_eq!(s.instcmd("beeper.toggle", None), Ok(()));
        assert!(s.instcmd("no.such.command", None).is_err());
    }
}
