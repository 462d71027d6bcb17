//! What a session needs from the UPSes it serves: the [`UpsDirectory`] trait, the built-in
//! descriptions, and [`FixedUps`], a one-UPS directory over a [`Vars`] table.
//!
//! The session never owns a UPS. The host (many connections, one directory behind the event
//! loop) or the firmware (one directory in a static cell) implements [`UpsDirectory`] over
//! whatever holds the driver state. UPSes are addressed by index (`0..ups_count()`); lists
//! are read one entry at a time by index, so nothing is collected and nothing allocates.
//!
//! `SET VAR` and `INSTCMD` only hand the request over ([`UpsDirectory::setvar`],
//! [`UpsDirectory::instcmd`]) and answer `OK` when it was accepted for delivery, as upsd does:
//! the directory queues it for the driver task (or runs a synchronous hook) and may report the
//! outcome later through `GET TRACKING`.

use crate::nut::vars::{Rw, Vars};

use super::users::Users;

/// Whether the UPS's data may be served (upsd's `ups_available`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum UpsState {
    /// No driver behind the UPS: reads get `ERR DRIVER-NOT-CONNECTED`.
    NotConnected,
    /// The data are too old: reads get `ERR DATA-STALE`.
    Stale,
    /// The data are current.
    Fresh,
}

/// One variable as the session sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VarRef<'a> {
    /// The NUT name.
    pub name: &'a str,
    /// The value as published (without the `FSD ` prefix; the session adds it).
    pub value: &'a str,
    /// What clients may write.
    pub rw: Rw,
}

/// Why a SET or INSTCMD could not be handed to the driver (`ERR SET-FAILED` /
/// `ERR INSTCMD-FAILED`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Refused;

/// A tracking id: an upper-case UUID (`2DDC5036-F665-4D29-BE4C-0374D091D263`).
pub type TrackingId = heapless::String<36>;

/// The state of a tracked request (`GET TRACKING <id>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TrackingStatus {
    /// Not yet done: `PENDING`.
    Pending,
    /// Done: `SUCCESS`.
    Success,
    /// The driver refused the argument: `ERR INVALID-ARGUMENT`.
    InvalidArgument,
    /// The driver failed: `ERR FAILED`.
    Failed,
    /// No such id: `ERR UNKNOWN`.
    Unknown,
}

/// The UPSes a server offers, as seen by its connections.
///
/// Only the first block of methods is required; the rest have defaults that suit a directory
/// without tracking or extra descriptions.
pub trait UpsDirectory {
    /// How many UPSes there are.
    fn ups_count(&self) -> usize;
    /// The name of UPS `ups`.
    fn ups_name(&self, ups: usize) -> Option<&str>;
    /// Its description (`desc =` in ups.conf), if any.
    fn ups_desc(&self, ups: usize) -> Option<&str>;
    /// Whether its data may be served.
    fn state(&self, ups: usize) -> UpsState;
    /// Variable `index` of UPS `ups`, in any order (the session sorts by name).
    fn var(&self, ups: usize, index: usize) -> Option<VarRef<'_>>;
    /// Instant command `index` of UPS `ups`, in any order.
    fn command(&self, ups: usize, index: usize) -> Option<&str>;
    /// The users and their rights.
    fn users(&self) -> &Users;
    /// True once a client has set FSD on the UPS.
    fn fsd(&self, ups: usize) -> bool;
    /// Sets the FSD latch (`FSD <ups>`).
    fn set_fsd(&mut self, ups: usize);
    /// A client at `peer` did `LOGIN <ups>`.
    fn login(&mut self, ups: usize, peer: &str);
    /// A client at `peer` that had done `LOGIN <ups>` disconnected.
    fn logout(&mut self, ups: usize, peer: &str);
    /// Logged-in client `index` of UPS `ups` (its address, for `LIST CLIENT`).
    fn client(&self, ups: usize, index: usize) -> Option<&str>;
    /// Hands `INSTCMD <ups> <cmd> [<param>]` to the driver. `cmd` is the UPS's own spelling.
    /// With `track`, the directory may return a tracking id.
    fn instcmd(
        &mut self,
        ups: usize,
        cmd: &str,
        param: Option<&str>,
        track: bool,
    ) -> Result<Option<TrackingId>, Refused>;
    /// Hands `SET VAR <ups> <var> <value>` to the driver, after the session checked it against
    /// the variable's [`Rw`]. `var` is the UPS's own spelling.
    fn setvar(
        &mut self,
        ups: usize,
        var: &str,
        value: &str,
        track: bool,
    ) -> Result<Option<TrackingId>, Refused>;

    /// How many clients did `LOGIN` to the UPS.
    fn numlogins(&self, ups: usize) -> usize {
        (0..).take_while(|&i| self.client(ups, i).is_some()).count()
    }
    /// Enum value `index` of the variable named `var` (for [`Rw::Enum`] the session reads the
    /// list itself; this is asked for [`Rw::DeviceEnum`]).
    fn device_enum(&self, ups: usize, var: &str, index: usize) -> Option<&str> {
        let _ = (ups, var, index);
        None
    }
    /// The state of a tracked request.
    fn tracking(&self, id: &str) -> TrackingStatus {
        let _ = id;
        TrackingStatus::Unknown
    }
    /// The description of variable `name` (`GET DESC`).
    fn var_desc(&self, ups: usize, name: &str) -> Option<&str> {
        let _ = ups;
        var_desc(name)
    }
    /// The description of command `name` (`GET CMDDESC`).
    fn cmd_desc(&self, ups: usize, name: &str) -> Option<&str> {
        let _ = ups;
        cmd_desc(name)
    }
    /// The index of the UPS called `name` (case-insensitive, as upsd).
    fn find_ups(&self, name: &str) -> Option<usize> {
        (0..self.ups_count()).find(|&i| {
            self.ups_name(i)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    }
    /// The variable called `name` (case-insensitive, as upsd).
    fn find_var(&self, ups: usize, name: &str) -> Option<VarRef<'_>> {
        (0..)
            .map_while(|i| self.var(ups, i))
            .find(|v| v.name.eq_ignore_ascii_case(name))
    }
    /// The command called `name` (case-insensitive), in the UPS's own spelling.
    fn find_command(&self, ups: usize, name: &str) -> Option<&str> {
        (0..)
            .map_while(|i| self.command(ups, i))
            .find(|c| c.eq_ignore_ascii_case(name))
    }
}

/// Descriptions of the common variables (the wording of the ones upsd 2.8.0 was seen sending
/// is kept, the others are ours).
const VAR_DESC: &[(&str, &str)] = &[
    ("battery.charge", "Battery charge (percent)"),
    ("battery.runtime", "Battery runtime (seconds)"),
    ("battery.voltage", "Battery voltage (V)"),
    ("battery.voltage.nominal", "Nominal battery voltage (V)"),
    ("device.mfr", "Device manufacturer"),
    ("device.model", "Device model"),
    ("device.type", "Device type"),
    ("input.frequency", "Input line frequency (Hz)"),
    ("input.voltage", "Input voltage (V)"),
    ("output.voltage", "Output voltage (V)"),
    ("ups.beeper.status", "UPS beeper status"),
    (
        "ups.delay.shutdown",
        "Interval to wait after shutdown with delay command (seconds)",
    ),
    (
        "ups.delay.start",
        "Interval to wait before (re)starting the load (seconds)",
    ),
    ("ups.load", "Load on UPS (percent)"),
    ("ups.mfr", "UPS manufacturer"),
    ("ups.model", "UPS model"),
    ("ups.status", "UPS status"),
    ("ups.temperature", "UPS temperature (degrees C)"),
];

const CMD_DESC: &[(&str, &str)] = &[
    ("beeper.disable", "Disable the UPS beeper"),
    ("beeper.enable", "Enable the UPS beeper"),
    ("beeper.toggle", "Toggle the UPS beeper"),
    ("load.off", "Turn off the load immediately"),
    ("load.on", "Turn on the load immediately"),
    (
        "shutdown.return",
        "Turn off the load and return when power is back",
    ),
    ("shutdown.stayoff", "Turn off the load and remain off"),
    ("shutdown.stop", "Stop a shutdown in progress"),
    ("test.battery.start", "Start a battery test"),
    ("test.battery.start.deep", "Start a deep battery test"),
    ("test.battery.start.quick", "Start a quick battery test"),
    ("test.battery.stop", "Stop the battery test"),
];

fn lookup(table: &'static [(&'static str, &'static str)], name: &str) -> Option<&'static str> {
    table
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, d)| *d)
}

/// The built-in description of variable `name`.
pub fn var_desc(name: &str) -> Option<&'static str> {
    lookup(VAR_DESC, name)
}

/// The built-in description of command `name`.
pub fn cmd_desc(name: &str) -> Option<&'static str> {
    lookup(CMD_DESC, name)
}

/// Most logged-in clients [`FixedUps`] remembers.
pub const FIXED_CLIENTS_MAX: usize = 8;
/// Most queued requests [`FixedUps`] keeps.
pub const FIXED_REQUESTS_MAX: usize = 8;

/// A request [`FixedUps`] queued for its owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// `INSTCMD`: the command and its parameter.
    Instcmd(heapless::String<40>, Option<heapless::String<64>>),
    /// `SET VAR`: the variable and the value.
    Set(heapless::String<40>, heapless::String<96>),
}

/// A directory of one UPS over a [`Vars`] table and a fixed command list — for tests, the
/// examples and a firmware that copies its driver's variables in after each poll.
///
/// Requests are queued in [`FixedUps::requests`] (when full, `ERR INSTCMD-FAILED` /
/// `ERR SET-FAILED`); the owner takes them with [`FixedUps::take_request`].
#[derive(Clone, Debug)]
pub struct FixedUps {
    /// The UPS name (`ups` for Synology).
    pub name: heapless::String<32>,
    /// The description, if any.
    pub desc: Option<heapless::String<96>>,
    /// The variables.
    pub vars: Vars,
    /// The instant commands.
    pub commands: &'static [&'static str],
    /// The data state.
    pub state: UpsState,
    /// The users.
    pub users: Users,
    /// The FSD latch.
    pub fsd: bool,
    clients: heapless::Vec<heapless::String<46>, FIXED_CLIENTS_MAX>,
    /// Requests not yet taken.
    pub requests: heapless::Deque<Request, FIXED_REQUESTS_MAX>,
}

fn short<const N: usize>(s: &str) -> Result<heapless::String<N>, Refused> {
    let mut t = heapless::String::new();
    t.push_str(s).map_err(|_| Refused)?;
    Ok(t)
}

impl FixedUps {
    /// A fresh UPS called `name` (truncated to 32 bytes) with these variables and commands.
    pub fn new(name: &str, vars: Vars, commands: &'static [&'static str], users: Users) -> Self {
        let mut n = heapless::String::new();
        for c in name.chars() {
            if n.push(c).is_err() {
                break;
            }
        }
        Self {
            name: n,
            desc: None,
            vars,
            commands,
            state: UpsState::Fresh,
            users,
            fsd: false,
            clients: heapless::Vec::new(),
            requests: heapless::Deque::new(),
        }
    }

    /// Takes the oldest queued request.
    pub fn take_request(&mut self) -> Option<Request> {
        self.requests.pop_front()
    }
}

impl UpsDirectory for FixedUps {
    fn ups_count(&self) -> usize {
        1
    }
    fn ups_name(&self, ups: usize) -> Option<&str> {
        (ups == 0).then_some(self.name.as_str())
    }
    fn ups_desc(&self, ups: usize) -> Option<&str> {
        self.desc.as_deref().filter(|_| ups == 0)
    }
    fn state(&self, _ups: usize) -> UpsState {
        self.state
    }
    fn var(&self, ups: usize, index: usize) -> Option<VarRef<'_>> {
        if ups != 0 {
            return None;
        }
        self.vars.iter().nth(index).map(|v| VarRef {
            name: v.name(),
            value: v.value(),
            rw: v.rw(),
        })
    }
    fn command(&self, ups: usize, index: usize) -> Option<&str> {
        if ups != 0 {
            return None;
        }
        self.commands.get(index).copied()
    }
    fn users(&self) -> &Users {
        &self.users
    }
    fn fsd(&self, _ups: usize) -> bool {
        self.fsd
    }
    fn set_fsd(&mut self, _ups: usize) {
        self.fsd = true;
    }
    fn login(&mut self, _ups: usize, peer: &str) {
        // A full table still counts the login as far as it can; LOGIN never fails on it.
        if let Ok(p) = short(peer) {
            let _ = self.clients.push(p);
        }
    }
    fn logout(&mut self, _ups: usize, peer: &str) {
        if let Some(i) = self.clients.iter().position(|c| c.as_str() == peer) {
            self.clients.remove(i);
        }
    }
    fn client(&self, _ups: usize, index: usize) -> Option<&str> {
        self.clients.get(index).map(|c| c.as_str())
    }
    fn instcmd(
        &mut self,
        _ups: usize,
        cmd: &str,
        param: Option<&str>,
        _track: bool,
    ) -> Result<Option<TrackingId>, Refused> {
        let param = param.map(short).transpose()?;
        self.requests
            .push_back(Request::Instcmd(short(cmd)?, param))
            .map_err(|_| Refused)?;
        Ok(None)
    }
    fn setvar(
        &mut self,
        _ups: usize,
        var: &str,
        value: &str,
        _track: bool,
    ) -> Result<Option<TrackingId>, Refused> {
        self.requests
            .push_back(Request::Set(short(var)?, short(value)?))
            .map_err(|_| Refused)?;
        Ok(None)
    }
}
