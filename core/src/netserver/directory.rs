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

use crate::driver::Driver;
use crate::nut::vars::{Rw, Vars};
use crate::ups::{CmdError, SetError, SetOutcome};

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

/// Most logged-in clients a [`UpsSlot`] remembers.
pub const SLOT_CLIENTS_MAX: usize = 8;
/// Most queued requests a [`UpsSlot`] keeps.
pub const SLOT_REQUESTS_MAX: usize = 8;
/// Most commands [`FixedUps`] lists.
pub const FIXED_COMMANDS_MAX: usize = 48;

/// A request queued for the driver task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// `INSTCMD`: the command and its parameter.
    Instcmd(heapless::String<40>, Option<heapless::String<64>>),
    /// `SET VAR`: the variable and the value.
    Set(heapless::String<40>, heapless::String<96>),
}

/// Most tracking results a [`UpsSlot`] keeps (the oldest is forgotten first; upsd keeps them
/// for `TRACKINGDELAY`, default an hour).
pub const SLOT_TRACKED_MAX: usize = 16;

#[derive(Clone, Debug)]
struct Queued {
    request: Request,
    tracking: Option<TrackingId>,
}

/// The server's own state for one UPS (what upsd keeps, not the driver): the FSD latch, the
/// logins, the requests waiting for the driver task and the tracking results.
#[derive(Clone, Debug, Default)]
pub struct UpsSlot {
    /// The FSD latch.
    pub fsd: bool,
    logins: usize,
    clients: heapless::Vec<heapless::String<46>, SLOT_CLIENTS_MAX>,
    requests: heapless::Deque<Queued, SLOT_REQUESTS_MAX>,
    tracked: heapless::Deque<(TrackingId, TrackingStatus), SLOT_TRACKED_MAX>,
    id_state: u64,
}

fn short<const N: usize>(s: &str) -> Result<heapless::String<N>, Refused> {
    let mut t = heapless::String::new();
    t.push_str(s).map_err(|_| Refused)?;
    Ok(t)
}

/// splitmix64: spreads a counter into well-mixed bits for the tracking ids.
fn mix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl UpsSlot {
    /// No FSD, no clients, no requests.
    pub const fn new() -> Self {
        Self {
            fsd: false,
            logins: 0,
            clients: heapless::Vec::new(),
            requests: heapless::Deque::new(),
            tracked: heapless::Deque::new(),
            id_state: 0,
        }
    }

    /// Seeds the tracking ids (the host passes something unpredictable, e.g. from the OS or
    /// the firmware's RNG; ids only need to be unique, they grant nothing).
    pub fn seed_tracking(&mut self, seed: u64) {
        self.id_state = seed;
    }

    /// Takes the oldest queued request (the driver task runs it with `Ups::instcmd` /
    /// `Ups::setvar`).
    pub fn take_request(&mut self) -> Option<Request> {
        self.requests.pop_front().map(|q| q.request)
    }

    /// Takes the oldest queued request with its tracking id; report the outcome with
    /// [`UpsSlot::finish`].
    pub fn take_tracked_request(&mut self) -> Option<(Request, Option<TrackingId>)> {
        self.requests.pop_front().map(|q| (q.request, q.tracking))
    }

    /// Records the outcome of a tracked request (see [`TrackingStatus::from_instcmd`] and
    /// [`TrackingStatus::from_setvar`]).
    pub fn finish(&mut self, id: &str, status: TrackingStatus) {
        if let Some(entry) = self.tracked.iter_mut().find(|(i, _)| i.as_str() == id) {
            entry.1 = status;
        }
    }

    /// The state of a tracked request.
    pub fn tracking(&self, id: &str) -> TrackingStatus {
        self.tracked
            .iter()
            .find(|(i, _)| i.eq_ignore_ascii_case(id))
            .map_or(TrackingStatus::Unknown, |(_, s)| *s)
    }

    fn new_id(&mut self) -> TrackingId {
        let (a, b) = (mix(&mut self.id_state), mix(&mut self.id_state));
        // A version-4, variant-1 UUID in upper case, like upsd's.
        let v = (u128::from(a) << 64 | u128::from(b)) & !(0xF000u128 << 64) & !(0xC << 60);
        let v = v | (0x4000u128 << 64) | (0x8 << 60);
        let mut id = TrackingId::new();
        for (i, shift) in (0..32).rev().map(|n| n * 4).enumerate() {
            if matches!(i, 8 | 12 | 16 | 20) {
                let _ = id.push('-');
            }
            let nibble = ((v >> shift) & 0xF) as u32;
            let _ = id.push(
                char::from_digit(nibble, 16)
                    .unwrap_or('0')
                    .to_ascii_uppercase(),
            );
        }
        id
    }

    fn queue(&mut self, request: Request, track: bool) -> Result<Option<TrackingId>, Refused> {
        if self.requests.is_full() {
            return Err(Refused);
        }
        let tracking = if track {
            let id = self.new_id();
            if self.tracked.is_full() {
                self.tracked.pop_front();
            }
            let _ = self
                .tracked
                .push_back((id.clone(), TrackingStatus::Pending));
            Some(id)
        } else {
            None
        };
        self.requests
            .push_back(Queued {
                request,
                tracking: tracking.clone(),
            })
            .map_err(|_| Refused)?;
        Ok(tracking)
    }

    /// Records a login. A full client table still counts the login (upsd has no limit); the
    /// client is then just not listed by `LIST CLIENT`.
    pub fn login(&mut self, peer: &str) {
        self.logins = self.logins.saturating_add(1);
        if let Ok(p) = short(peer) {
            let _ = self.clients.push(p);
        }
    }

    /// Forgets one login of `peer`.
    pub fn logout(&mut self, peer: &str) {
        self.logins = self.logins.saturating_sub(1);
        if let Some(i) = self.clients.iter().position(|c| c.as_str() == peer) {
            self.clients.remove(i);
        }
    }

    /// How many clients are logged in.
    pub fn numlogins(&self) -> usize {
        self.logins
    }

    /// Logged-in client `index`.
    pub fn client(&self, index: usize) -> Option<&str> {
        self.clients.get(index).map(|c| c.as_str())
    }

    /// Queues an INSTCMD (refused when the queue is full); with `track`, returns its id.
    pub fn queue_instcmd(
        &mut self,
        cmd: &str,
        param: Option<&str>,
        track: bool,
    ) -> Result<Option<TrackingId>, Refused> {
        let param = param.map(short).transpose()?;
        self.queue(Request::Instcmd(short(cmd)?, param), track)
    }

    /// Queues a SET VAR (refused when the queue is full); with `track`, returns its id.
    pub fn queue_set(
        &mut self,
        var: &str,
        value: &str,
        track: bool,
    ) -> Result<Option<TrackingId>, Refused> {
        self.queue(Request::Set(short(var)?, short(value)?), track)
    }
}

impl TrackingStatus {
    /// The tracking result of an instant command run by the driver task.
    pub fn from_instcmd(result: Result<(), CmdError>) -> Self {
        match result {
            Ok(()) => Self::Success,
            Err(CmdError::Unknown | CmdError::BadArgument(_)) => Self::InvalidArgument,
            Err(_) => Self::Failed,
        }
    }

    /// The tracking result of a setvar run by the driver task.
    pub fn from_setvar(result: Result<SetOutcome, SetError>) -> Self {
        match result {
            Ok(_) => Self::Success,
            Err(SetError::Failed(_)) => Self::Failed,
            Err(_) => Self::InvalidArgument,
        }
    }
}

/// The [`UpsDirectory`] methods of a one-UPS directory whose server-side state is its
/// `slot: UpsSlot` field (FSD latch, logins, queued requests, tracking).
macro_rules! slot_methods {
    () => {
        fn fsd(&self, _ups: usize) -> bool {
            self.slot.fsd
        }
        fn set_fsd(&mut self, _ups: usize) {
            self.slot.fsd = true;
        }
        fn login(&mut self, _ups: usize, peer: &str) {
            self.slot.login(peer);
        }
        fn logout(&mut self, _ups: usize, peer: &str) {
            self.slot.logout(peer);
        }
        fn client(&self, _ups: usize, index: usize) -> Option<&str> {
            self.slot.client(index)
        }
        fn numlogins(&self, _ups: usize) -> usize {
            self.slot.numlogins()
        }
        fn tracking(&self, id: &str) -> TrackingStatus {
            self.slot.tracking(id)
        }
        fn instcmd(
            &mut self,
            _ups: usize,
            cmd: &str,
            param: Option<&str>,
            track: bool,
        ) -> Result<Option<TrackingId>, Refused> {
            self.slot.queue_instcmd(cmd, param, track)
        }
        fn setvar(
            &mut self,
            _ups: usize,
            var: &str,
            value: &str,
            track: bool,
        ) -> Result<Option<TrackingId>, Refused> {
            self.slot.queue_set(var, value, track)
        }
    };
}

/// A directory of one UPS over a [`Vars`] table and a command list — for tests, the examples
/// and a firmware that copies its driver's variables in after each poll
/// ([`FixedUps::sync_from_driver`]).
///
/// Requests are queued in its [`UpsSlot`] (when full, `ERR INSTCMD-FAILED` /
/// `ERR SET-FAILED`), with a tracking id when the client asked for one; the owner takes them
/// with [`FixedUps::take_request`] or [`UpsSlot::take_tracked_request`].
#[derive(Clone, Debug)]
pub struct FixedUps {
    /// The UPS name (`ups` for Synology).
    pub name: heapless::String<32>,
    /// The description, if any.
    pub desc: Option<heapless::String<96>>,
    /// The variables.
    pub vars: Vars,
    /// The instant commands.
    pub commands: heapless::Vec<&'static str, FIXED_COMMANDS_MAX>,
    /// The data state.
    pub state: UpsState,
    /// The users.
    pub users: Users,
    /// FSD latch, logins, queued requests.
    pub slot: UpsSlot,
}

impl FixedUps {
    /// A fresh UPS called `name` (cut to 32 bytes) with these variables and commands (at most
    /// [`FIXED_COMMANDS_MAX`]).
    pub fn new(name: &str, vars: Vars, commands: &[&'static str], users: Users) -> Self {
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
            commands: commands.iter().copied().take(FIXED_COMMANDS_MAX).collect(),
            state: UpsState::Fresh,
            users,
            slot: UpsSlot::new(),
        }
    }

    /// Takes the oldest queued request.
    pub fn take_request(&mut self) -> Option<Request> {
        self.slot.take_request()
    }

    /// Copies the driver engine's variables, commands and freshness (not connected while it
    /// is still detecting, stale while [`Driver::is_stale`]).
    pub fn sync_from_driver(&mut self, driver: &Driver) {
        self.state = driver_state(driver);
        match driver.ups() {
            Some(ups) => {
                self.vars.clone_from(ups.vars());
                self.commands = ups
                    .commands()
                    .map(|c| c.name)
                    .take(FIXED_COMMANDS_MAX)
                    .collect();
            }
            None => {
                self.vars.clear();
                self.commands.clear();
            }
        }
    }
}

fn driver_state(driver: &Driver) -> UpsState {
    if driver.ups().is_none() {
        UpsState::NotConnected
    } else if driver.is_stale() {
        UpsState::Stale
    } else {
        UpsState::Fresh
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
        self.vars.iter().nth(index).map(var_ref)
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
    slot_methods!();
}

fn var_ref(v: &crate::nut::vars::Var) -> VarRef<'_> {
    VarRef {
        name: v.name(),
        value: v.value(),
        rw: v.rw(),
    }
}

/// A directory of one UPS served straight from a [`Driver`] engine, without copying: the host
/// builds it for each batch of client input from its driver and the UPS's [`UpsSlot`].
/// Device-learned enums ([`Rw::DeviceEnum`]) come from `Ups::enum_values`.
#[derive(Debug)]
pub struct DriverUps<'a> {
    /// The UPS name.
    pub name: &'a str,
    /// The description, if any.
    pub desc: Option<&'a str>,
    /// The engine.
    pub driver: &'a Driver,
    /// The server's state for this UPS.
    pub slot: &'a mut UpsSlot,
    /// The users.
    pub users: &'a Users,
}

impl UpsDirectory for DriverUps<'_> {
    fn ups_count(&self) -> usize {
        1
    }
    fn ups_name(&self, ups: usize) -> Option<&str> {
        (ups == 0).then_some(self.name)
    }
    fn ups_desc(&self, ups: usize) -> Option<&str> {
        self.desc.filter(|_| ups == 0)
    }
    fn state(&self, _ups: usize) -> UpsState {
        driver_state(self.driver)
    }
    fn var(&self, ups: usize, index: usize) -> Option<VarRef<'_>> {
        if ups != 0 {
            return None;
        }
        self.driver.vars()?.iter().nth(index).map(var_ref)
    }
    fn command(&self, ups: usize, index: usize) -> Option<&str> {
        if ups != 0 {
            return None;
        }
        self.driver.ups()?.commands().nth(index).map(|c| c.name)
    }
    fn device_enum(&self, _ups: usize, var: &str, index: usize) -> Option<&str> {
        self.driver.ups()?.enum_values(var).nth(index)
    }
    fn users(&self) -> &Users {
        self.users
    }
    slot_methods!();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::Config as DriverConfig;
    use crate::netserver::{Config, Session};
    use crate::testkit::block_on;
    use crate::virtual_ups::VirtualUps;
    use std::vec::Vec;

    fn ask<D: UpsDirectory>(dir: &mut D, s: &mut Session, req: &str) -> std::string::String {
        let mut out = Vec::new();
        s.handle(dir, req.as_bytes(), |b| out.extend_from_slice(b));
        std::string::String::from_utf8(out).unwrap()
    }

    #[test]
    fn serves_a_driver_engine_directly_and_through_a_copy() {
        let mut ups = VirtualUps::for_dialect(&crate::dialect::megatec::DIALECT).unwrap();
        let mut driver = Driver::new(DriverConfig::default());
        let users = Users::synology();
        let mut slot = UpsSlot::new();
        let mut s = Session::new("h", Config::DEFAULT);
        {
            let mut dir = DriverUps {
                name: "ups",
                desc: None,
                driver: &driver,
                slot: &mut slot,
                users: &users,
            };
            assert_eq!(
                ask(&mut dir, &mut s, "GET VAR ups ups.status\n"),
                "ERR DRIVER-NOT-CONNECTED\n"
            );
        }
        block_on(driver.step(&mut ups, 0));
        let mut dir = DriverUps {
            name: "ups",
            desc: None,
            driver: &driver,
            slot: &mut slot,
            users: &users,
        };
        assert_eq!(
            ask(&mut dir, &mut s, "GET VAR ups driver.name\n"),
            "VAR ups driver.name \"qxups\"\n"
        );
        let cmds = ask(&mut dir, &mut s, "LIST CMD ups\n");
        assert!(cmds.contains("CMD ups beeper.toggle\n"), "{cmds}");
        let direct = ask(&mut dir, &mut s, "LIST VAR ups\n");
        assert!(direct.contains("VAR ups ups.mfr "), "{direct}");

        let mut fixed = FixedUps::new("ups", Vars::new(), &[], Users::synology());
        fixed.sync_from_driver(&driver);
        let copied = ask(&mut fixed, &mut s, "LIST VAR ups\n");
        assert_eq!(direct, copied);
        assert_eq!(ask(&mut fixed, &mut s, "LIST CMD ups\n"), cmds);
    }

    #[test]
    fn tracking_ids_and_results() {
        let mut users = Users::new();
        users
            .add(
                crate::netserver::User::new("admin", "pw")
                    .unwrap()
                    .with_all_instcmds(),
            )
            .unwrap();
        let mut dir = FixedUps::new("ups", Vars::new(), &["beeper.toggle"], users);
        dir.slot.seed_tracking(42);
        let mut s = Session::new("h", Config::DEFAULT);
        let r = ask(
            &mut dir,
            &mut s,
            "USERNAME admin\nPASSWORD pw\nSET TRACKING ON\nINSTCMD ups beeper.toggle\n",
        );
        let id = r
            .strip_prefix("OK\nOK\nOK\nOK TRACKING ")
            .unwrap()
            .trim_end();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "A" | "B"));
        assert!(
            id.chars()
                .all(|c| c == '-' || c.is_ascii_digit() || c.is_ascii_uppercase())
        );
        let get = std::format!("GET TRACKING {id}\n");
        assert_eq!(ask(&mut dir, &mut s, &get), "PENDING\n");
        let (req, tid) = dir.slot.take_tracked_request().unwrap();
        assert_eq!(
            req,
            Request::Instcmd("beeper.toggle".try_into().unwrap(), None)
        );
        let tid = tid.unwrap();
        dir.slot.finish(&tid, TrackingStatus::from_instcmd(Ok(())));
        assert_eq!(ask(&mut dir, &mut s, &get), "SUCCESS\n");
        dir.slot
            .finish(&tid, TrackingStatus::from_instcmd(Err(CmdError::Refused)));
        assert_eq!(ask(&mut dir, &mut s, &get), "ERR FAILED\n");
        dir.slot
            .finish(&tid, TrackingStatus::from_setvar(Err(SetError::OutOfRange)));
        assert_eq!(ask(&mut dir, &mut s, &get), "ERR INVALID-ARGUMENT\n");
        // A second id differs.
        let r = ask(&mut dir, &mut s, "INSTCMD ups beeper.toggle\n");
        assert!(r.starts_with("OK TRACKING ") && !r.contains(id));
    }

    #[test]
    fn logins_are_counted_beyond_the_client_table() {
        let mut slot = UpsSlot::new();
        for i in 0..(SLOT_CLIENTS_MAX + 3) {
            slot.login(&std::format!("10.0.0.{i}"));
        }
        assert_eq!(slot.numlogins(), SLOT_CLIENTS_MAX + 3);
        slot.logout("10.0.0.99");
        assert_eq!(slot.numlogins(), SLOT_CLIENTS_MAX + 2);
    }
}
