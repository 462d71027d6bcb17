//! The thread that runs one UPS for `qxups serve`: opens it (again and again until it can),
//! steps its driver engine as `qxups monitor` does, copies every step's result into the
//! [`super::state::Directory`], and runs the SET / INSTCMD requests clients queued, reporting each outcome
//! for `GET TRACKING`.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use qxups::driver::{Event, RETRY_MS};
use qxups::netserver::{Request, TrackingStatus};

use super::state::Shared;
use crate::session::{Session, Setup};

/// One UPS to drive.
#[derive(Debug)]
pub struct Drive {
    /// Its index in the directory.
    pub index: usize,
    /// Its name, for log lines.
    pub name: String,
    /// How to open it.
    pub setup: Setup,
    /// `-v`: log events and requests.
    pub verbose: bool,
}

impl Drive {
    /// Runs until the directory's side of `wake` is gone (the server stopped).
    pub fn run(self, shared: &Arc<Shared>, wake: &Receiver<()>) {
        let Some(mut session) = self.open(wake) else {
            return;
        };
        let ready = match session.until_ready() {
            Ok(dialect) => {
                self.log(format_args!("device recognised as {dialect}"));
                Some(Event::Ready { dialect })
            }
            Err(e) => {
                eprintln!("qxups serve: {}: {e} (trying again)", self.name);
                None
            }
        };
        shared.lock().sync(self.index, session.driver(), ready);
        loop {
            self.run_requests(&mut session, shared);
            let due = session.driver().wake_at_ms();
            let now = session.now_ms();
            if due > now {
                match wake.recv_timeout(Duration::from_millis(due - now)) {
                    // A request: run it now, then wait for the rest of the interval.
                    Ok(()) => continue,
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
            let step = session.step();
            if let Some(event) = step.event {
                if !matches!(event, Event::Updated { .. }) {
                    eprintln!("qxups serve: {}: {event}", self.name);
                }
            }
            shared.lock().sync(self.index, session.driver(), step.event);
        }
    }

    /// Opens the UPS, retrying while it cannot be opened; `None` once the server stopped.
    fn open(&self, wake: &Receiver<()>) -> Option<Session> {
        let mut said = false;
        loop {
            match Session::open(self.setup.clone()) {
                Ok(s) => return Some(s),
                Err(e) => {
                    if !said || self.verbose {
                        eprintln!(
                            "qxups serve: {}: {e}; trying again every {} s",
                            self.name,
                            RETRY_MS / 1000
                        );
                        said = true;
                    }
                }
            }
            // Requests cannot run yet; they fail in `run_requests` once the device is there.
            if let Err(RecvTimeoutError::Disconnected) =
                wake.recv_timeout(Duration::from_millis(u64::from(RETRY_MS)))
            {
                return None;
            }
        }
    }

    /// Runs every queued request on the device, without holding the lock while it talks to
    /// the UPS.
    fn run_requests(&self, session: &mut Session, shared: &Shared) {
        loop {
            let taken = shared
                .lock()
                .slot(self.index)
                .and_then(|s| s.take_tracked_request());
            let Some((request, id)) = taken else {
                return;
            };
            // An engine not ready for it (still detecting, device lost) fails the request.
            let status = match &request {
                Request::Instcmd(cmd, param) => session
                    .run_instcmd(cmd, param.as_deref())
                    .map_or(TrackingStatus::Failed, TrackingStatus::from_instcmd),
                Request::Set(var, value) => session
                    .run_setvar(var, value)
                    .map_or(TrackingStatus::Failed, TrackingStatus::from_setvar),
            };
            self.log(format_args!("{request:?}: {status:?}"));
            let mut dir = shared.lock();
            if let (Some(id), Some(slot)) = (id, dir.slot(self.index)) {
                slot.finish(&id, status);
            }
            // A command or setting changes what the UPS publishes: show it at once.
            dir.sync(self.index, session.driver(), None);
        }
    }

    fn log(&self, what: std::fmt::Arguments<'_>) {
        if self.verbose {
            eprintln!("qxups serve: {}: {what}", self.name);
        }
    }
}
