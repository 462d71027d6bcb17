//! What every connection of `qxups serve` reads: the UPSes (a copy of each driver's variables,
//! commands and freshness, refreshed by its driver thread), their server-side state (FSD
//! latch, logins, queued requests, tracking) and the users — one [`Directory`] behind one
//! mutex ([`Shared`]), held only while a batch of client input is handled or a driver
//! thread copies a poll in.

use std::sync::mpsc::SyncSender;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use qxups::driver::{Driver, Event};
use qxups::netserver::{
    FixedUps, Refused, TrackingId, TrackingStatus, UpsDirectory, UpsSlot, UpsState, Users, VarRef,
};
use qxups::nut::vars::{Rw, Vars};

/// One served UPS: the last copy of its driver's state and the server's own state for it.
#[derive(Debug)]
struct Served {
    /// Variables, commands, driver state and [`UpsSlot`]; its own user table stays empty
    /// (the directory has the one table).
    ups: FixedUps,
    /// Values of the device-learned enums ([`Rw::DeviceEnum`]), by variable.
    enums: Vec<(String, Vec<String>)>,
    /// When the driver last completed a good update (upsd's MAXAGE clock).
    fresh_at: Option<Instant>,
    /// Wakes the driver thread when a request was queued.
    wake: Option<SyncSender<()>>,
    /// Added by [`Directory::add_fixed`]: no driver, served in the state its [`FixedUps`]
    /// says (no MAXAGE clock).
    fixed: bool,
}

/// The UPSes a server offers and its users: the [`UpsDirectory`] of `qxups serve`.
#[derive(Debug)]
pub struct Directory {
    upses: Vec<Served>,
    users: Users,
    maxage: Duration,
}

/// Why a UPS could not be added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DirectoryError {
    /// Two UPSes with the same name (case-insensitive, as clients address them).
    Duplicate(String),
    /// A name longer than the 32 bytes the session keeps, or one a client could not type.
    BadName(String),
}

impl std::fmt::Display for DirectoryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Duplicate(n) => write!(f, "two UPSes are called {n:?}"),
            Self::BadName(n) => write!(
                f,
                "UPS name {n:?}: use 1 to 32 letters, digits, '-', '_' or '.'"
            ),
        }
    }
}

impl std::error::Error for DirectoryError {}

impl Directory {
    /// No UPSes yet; data older than `maxage` is served as stale.
    pub fn new(users: Users, maxage: Duration) -> Self {
        Self {
            upses: Vec::new(),
            users,
            maxage,
        }
    }

    /// Adds a UPS, not connected until its driver reports; returns its index.
    pub fn add(&mut self, name: &str, desc: Option<&str>) -> Result<usize, DirectoryError> {
        self.check_name(name)?;
        let mut ups = FixedUps::new(name, Vars::new(), &[], Users::new());
        ups.state = UpsState::NotConnected;
        ups.desc = desc.map(|d| {
            // Cut at a character boundary: a longer description is a nicety, not an error.
            let mut t = heapless::String::new();
            for c in d.chars() {
                if t.push(c).is_err() {
                    break;
                }
            }
            t
        });
        ups.slot.seed_tracking(seed());
        Ok(self.push(ups, false))
    }

    /// Adds a UPS without a driver, served as `ups` says — its name, description, variables
    /// (with their RW, ranges and enums), commands, state, FSD latch and logins; its users are
    /// not used (the directory has the one table). Queued requests stay in its slot until
    /// someone takes them ([`Directory::fixed_mut`]). Returns its index.
    pub fn add_fixed(&mut self, ups: FixedUps) -> Result<usize, DirectoryError> {
        self.check_name(&ups.name)?;
        Ok(self.push(ups, true))
    }

    /// Serves `ups` (its name checked), not yet fresh; returns its index.
    fn push(&mut self, ups: FixedUps, fixed: bool) -> usize {
        self.upses.push(Served {
            ups,
            enums: Vec::new(),
            fresh_at: None,
            wake: None,
            fixed,
        });
        self.upses.len() - 1
    }

    /// The UPS `ups` as clients see it, to change between requests; for a UPS with a driver
    /// the next poll overwrites the variables.
    pub fn fixed_mut(&mut self, ups: usize) -> Option<&mut FixedUps> {
        self.upses.get_mut(ups).map(|s| &mut s.ups)
    }

    /// A name clients can type that no other UPS has.
    fn check_name(&self, name: &str) -> Result<(), DirectoryError> {
        let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
        if name.is_empty() || name.len() > 32 || !name.chars().all(ok) {
            return Err(DirectoryError::BadName(name.to_owned()));
        }
        if self.find_ups(name).is_some() {
            return Err(DirectoryError::Duplicate(name.to_owned()));
        }
        Ok(())
    }

    /// Lets a queued request wake the driver thread of UPS `ups`.
    pub fn set_waker(&mut self, ups: usize, wake: SyncSender<()>) {
        if let Some(s) = self.upses.get_mut(ups) {
            s.wake = Some(wake);
        }
    }

    /// Copies what the driver publishes after a step; `event` is the step's, if any (a good
    /// update restarts the MAXAGE clock).
    pub fn sync(&mut self, ups: usize, driver: &Driver, event: Option<Event>) {
        let Some(s) = self.upses.get_mut(ups) else {
            return;
        };
        s.ups.sync_from_driver(driver);
        if matches!(
            event,
            Some(Event::Ready { .. } | Event::Updated { .. } | Event::Recovered)
        ) {
            s.fresh_at = Some(Instant::now());
        }
        s.enums.clear();
        if let Some(u) = driver.ups() {
            for v in u.vars().iter().filter(|v| v.rw() == Rw::DeviceEnum) {
                let values = u.enum_values(v.name()).map(str::to_owned).collect();
                s.enums.push((v.name().to_owned(), values));
            }
        }
    }

    /// The server-side state of UPS `ups` (the driver thread takes queued requests from it
    /// and reports their outcome).
    pub fn slot(&mut self, ups: usize) -> Option<&mut UpsSlot> {
        self.upses.get_mut(ups).map(|s| &mut s.ups.slot)
    }

    fn served(&self, ups: usize) -> Option<&FixedUps> {
        self.upses.get(ups).map(|s| &s.ups)
    }

    fn queued(
        &mut self,
        ups: usize,
        queue: impl FnOnce(&mut UpsSlot) -> QueueResult,
    ) -> QueueResult {
        let s = self.upses.get_mut(ups).ok_or(Refused)?;
        let r = queue(&mut s.ups.slot)?;
        if let Some(w) = &s.wake {
            // A full channel already holds a wake-up.
            let _ = w.try_send(());
        }
        Ok(r)
    }
}

type QueueResult = Result<Option<TrackingId>, Refused>;

/// Something unpredictable enough for tracking ids (they only need to be unique).
fn seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

impl UpsDirectory for Directory {
    fn ups_count(&self) -> usize {
        self.upses.len()
    }
    fn ups_name(&self, ups: usize) -> Option<&str> {
        self.served(ups)?.ups_name(0)
    }
    fn ups_desc(&self, ups: usize) -> Option<&str> {
        self.served(ups)?.ups_desc(0)
    }
    fn state(&self, ups: usize) -> UpsState {
        let Some(s) = self.upses.get(ups) else {
            return UpsState::NotConnected;
        };
        match s.ups.state {
            UpsState::Fresh if !s.fixed && s.fresh_at.is_none_or(|t| t.elapsed() > self.maxage) => {
                UpsState::Stale
            }
            other => other,
        }
    }
    fn var(&self, ups: usize, index: usize) -> Option<VarRef<'_>> {
        self.served(ups)?.var(0, index)
    }
    fn command(&self, ups: usize, index: usize) -> Option<&str> {
        self.served(ups)?.command(0, index)
    }
    fn users(&self) -> &Users {
        &self.users
    }
    fn fsd(&self, ups: usize) -> bool {
        self.served(ups).is_some_and(|u| u.slot.fsd)
    }
    fn set_fsd(&mut self, ups: usize) {
        if let Some(s) = self.slot(ups) {
            s.fsd = true;
        }
    }
    fn login(&mut self, ups: usize, peer: &str) {
        if let Some(s) = self.slot(ups) {
            s.login(peer);
        }
    }
    fn logout(&mut self, ups: usize, peer: &str) {
        if let Some(s) = self.slot(ups) {
            s.logout(peer);
        }
    }
    fn client(&self, ups: usize, index: usize) -> Option<&str> {
        self.served(ups)?.slot.client(index)
    }
    fn numlogins(&self, ups: usize) -> usize {
        self.served(ups).map_or(0, |u| u.slot.numlogins())
    }
    fn tracking(&self, id: &str) -> TrackingStatus {
        self.upses
            .iter()
            .map(|s| s.ups.slot.tracking(id))
            .find(|t| *t != TrackingStatus::Unknown)
            .unwrap_or(TrackingStatus::Unknown)
    }
    fn device_enum(&self, ups: usize, var: &str, index: usize) -> Option<&str> {
        let s = self.upses.get(ups)?;
        let (_, values) = s.enums.iter().find(|(n, _)| n.eq_ignore_ascii_case(var))?;
        values.get(index).map(String::as_str)
    }
    fn instcmd(
        &mut self,
        ups: usize,
        cmd: &str,
        param: Option<&str>,
        track: bool,
    ) -> Result<Option<TrackingId>, Refused> {
        self.queued(ups, |s| s.queue_instcmd(cmd, param, track))
    }
    fn setvar(
        &mut self,
        ups: usize,
        var: &str,
        value: &str,
        track: bool,
    ) -> Result<Option<TrackingId>, Refused> {
        self.queued(ups, |s| s.queue_set(var, value, track))
    }
}

/// The directory shared by the connections, the driver threads and the metrics endpoint.
#[derive(Debug)]
pub struct Shared {
    dir: Mutex<Directory>,
}

impl Shared {
    /// Shares `dir`.
    pub fn new(dir: Directory) -> Self {
        Self {
            dir: Mutex::new(dir),
        }
    }

    /// Locks the directory. Hold it briefly and never across an `.await`. A thread that
    /// panicked while holding it left a consistent directory (every change is one field
    /// write), so a poisoned lock is used as is.
    pub fn lock(&self) -> MutexGuard<'_, Directory> {
        self.dir
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qxups::driver::Config as DriverConfig;
    use qxups::netserver::{Config, Session};
    use qxups::virtual_ups::VirtualUps;

    fn ask(dir: &mut Directory, s: &mut Session, req: &str) -> String {
        let mut out = Vec::new();
        s.handle(dir, req.as_bytes(), |b| out.extend_from_slice(b));
        String::from_utf8(out).unwrap()
    }

    fn polled() -> Driver {
        let mut ups = VirtualUps::for_dialect(&qxups::dialect::megatec::DIALECT).unwrap();
        let mut driver = Driver::new(DriverConfig::default());
        crate::runtime::block_on(driver.step(&mut ups, 0));
        driver
    }

    #[test]
    fn serves_several_upses_and_goes_stale_after_maxage() {
        let driver = polled();
        let mut dir = Directory::new(Users::synology(), Duration::from_secs(3600));
        let a = dir.add("ups", Some("first")).unwrap();
        let b = dir.add("second", None).unwrap();
        assert_eq!(
            dir.add("UPS", None),
            Err(DirectoryError::Duplicate("UPS".into()))
        );
        assert!(matches!(
            dir.add("a b", None),
            Err(DirectoryError::BadName(_))
        ));
        let mut s = Session::new("192.0.2.1", Config::DEFAULT);
        assert_eq!(
            ask(&mut dir, &mut s, "GET VAR second ups.status\n"),
            "ERR DRIVER-NOT-CONNECTED\n"
        );
        dir.sync(a, &driver, Some(Event::Ready { dialect: "megatec" }));
        dir.sync(b, &driver, None);
        assert_eq!(
            ask(&mut dir, &mut s, "LIST UPS\n"),
            "BEGIN LIST UPS\nUPS ups \"first\"\nUPS second \"Description unavailable\"\nEND LIST UPS\n"
        );
        assert_eq!(
            ask(&mut dir, &mut s, "GET VAR ups ups.status\n"),
            "VAR ups ups.status \"OL\"\n"
        );
        // Synced but never updated: no good update within MAXAGE.
        assert_eq!(
            ask(&mut dir, &mut s, "GET VAR second ups.status\n"),
            "ERR DATA-STALE\n"
        );
        dir.maxage = Duration::ZERO;
        std::thread::sleep(Duration::from_millis(2));
        assert_eq!(
            ask(&mut dir, &mut s, "GET VAR ups ups.status\n"),
            "ERR DATA-STALE\n"
        );
    }

    #[test]
    fn a_fixed_ups_is_served_as_it_says_without_a_driver() {
        let mut vars = Vars::new();
        vars.set("ups.status", "OL").unwrap();
        let mut ups = FixedUps::new("fixed", vars, &["beeper.toggle"], Users::new());
        ups.desc = Some(heapless::String::try_from("bench").unwrap());
        let users = Users::parse("[admin]\n password = pw\n instcmds = ALL\n").unwrap();
        // MAXAGE zero: a UPS with a driver would be stale at once, a fixed one is not.
        let mut dir = Directory::new(users, Duration::ZERO);
        let u = dir.add_fixed(ups.clone()).unwrap();
        assert_eq!(
            dir.add_fixed(ups),
            Err(DirectoryError::Duplicate("fixed".into()))
        );
        let mut s = Session::new("h", Config::DEFAULT);
        assert_eq!(
            ask(
                &mut dir,
                &mut s,
                "LIST UPS\nGET VAR fixed ups.status\nLIST CMD fixed\n"
            ),
            "BEGIN LIST UPS\nUPS fixed \"bench\"\nEND LIST UPS\n\
             VAR fixed ups.status \"OL\"\n\
             BEGIN LIST CMD fixed\nCMD fixed beeper.toggle\nEND LIST CMD fixed\n"
        );
        let r = ask(
            &mut dir,
            &mut s,
            "USERNAME admin\nPASSWORD pw\nINSTCMD fixed beeper.toggle\n",
        );
        assert!(r.ends_with("OK\nOK\nOK\n"), "{r}");
        let fixed = dir.fixed_mut(u).unwrap();
        assert!(
            fixed.take_request().is_some(),
            "the INSTCMD waits in its slot"
        );
        fixed.state = UpsState::Stale;
        assert_eq!(
            ask(&mut dir, &mut s, "GET VAR fixed ups.status\n"),
            "ERR DATA-STALE\n"
        );
    }

    #[test]
    fn queued_requests_wake_the_driver_thread_and_track() {
        let driver = polled();
        let users = Users::parse("[admin]\n password = pw\n instcmds = ALL\n").unwrap();
        let mut dir = Directory::new(users, Duration::from_secs(3600));
        let u = dir.add("ups", None).unwrap();
        dir.sync(u, &driver, Some(Event::Updated { full: true }));
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        dir.set_waker(u, tx);
        // Two requests, one wake-up.
        let requests = "USERNAME admin\nPASSWORD pw\nSET TRACKING ON\nINSTCMD ups beeper.toggle\n";
        let mut session = Session::new("h", Config::DEFAULT);
        let r = ask(
            &mut dir,
            &mut session,
            &format!("{requests}INSTCMD ups load.on\n"),
        );
        let id = r
            .lines()
            .nth(4)
            .and_then(|l| l.strip_prefix("OK TRACKING "));
        assert!(rx.try_recv().is_ok());
        assert!(rx.try_recv().is_err(), "one pending wake-up is enough");
        assert_eq!(dir.slot(u).map(|s| s.take_request().is_some()), Some(true));
        let (_, tid) = dir.slot(u).unwrap().take_tracked_request().unwrap(); // load.on
        assert_eq!(tid.as_deref(), id);
        dir.slot(u)
            .unwrap()
            .finish(id.unwrap(), TrackingStatus::Success);
        assert_eq!(dir.tracking(id.unwrap()), TrackingStatus::Success);
    }
}
