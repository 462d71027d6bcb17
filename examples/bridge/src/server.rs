//! The NUT side: [`SharedUps`], the one UPS every connection sees, and [`serve`], one client
//! connection over any socket that implements `embedded-io-async` (embassy-net's `TcpSocket`
//! on the firmware, an in-memory pipe in the tests).
//!
//! Sessions are the core's [`Session`]s over a [`FixedUps`] directory named [`UPS_NAME`]; the
//! driver side copies its variables in after each step ([`crate::Bridge::step`]) and runs the
//! `INSTCMD` / `SET VAR` requests the sessions queue. Until a UPS is recognised the directory
//! answers `ERR DRIVER-NOT-CONNECTED`; while the data are stale (or the UPS was unplugged),
//! `ERR DATA-STALE`.

use core::cell::RefCell;

use critical_section::Mutex;
use embedded_io_async::{Read, Write};
use qxups::netserver::{Config, FixedUps, Session, UpsState, Users};
use qxups::nut::vars::Vars;

use crate::UPS_NAME;

/// Bytes read from the socket at a time.
pub const READ_CHUNK: usize = 128;
/// Reply bytes produced before each socket write.
pub const WRITE_CHUNK: usize = 256;

/// The UPS all connections share, behind a critical section (the USB task writes it, the
/// socket tasks read it; each access is short and never awaits).
pub struct SharedUps {
    ups: Mutex<RefCell<FixedUps>>,
}

impl SharedUps {
    /// The UPS [`UPS_NAME`] with these users, not connected yet. `tracking_seed` seeds the
    /// tracking ids (from the board's RNG; they only need to be unique).
    pub fn new(users: Users, tracking_seed: u64) -> Self {
        let mut ups = FixedUps::new(UPS_NAME, Vars::new(), &[], users);
        ups.state = UpsState::NotConnected;
        ups.slot.seed_tracking(tracking_seed);
        Self {
            ups: Mutex::new(RefCell::new(ups)),
        }
    }

    /// Runs `f` on the directory. `f` must not call `lock` again.
    pub fn lock<R>(&self, f: impl FnOnce(&mut FixedUps) -> R) -> R {
        critical_section::with(|cs| f(&mut self.ups.borrow_ref_mut(cs)))
    }
}

impl core::fmt::Debug for SharedUps {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SharedUps").finish_non_exhaustive()
    }
}

/// Serves one NUT client on `socket` until it closes the connection, sends `LOGOUT` or breaks
/// the protocol (a line longer than the core's limit); `peer` is its address as `LIST CLIENT`
/// shows it. Its login is dropped however the connection ends. A socket error is returned.
pub async fn serve<S: Read + Write>(
    socket: &mut S,
    peer: &str,
    shared: &SharedUps,
) -> Result<(), S::Error> {
    let mut session = Session::new(peer, Config::DEFAULT);
    let result = converse(socket, &mut session, shared).await;
    shared.lock(|ups| session.disconnect(ups));
    result
}

async fn converse<S: Read + Write>(
    socket: &mut S,
    session: &mut Session,
    shared: &SharedUps,
) -> Result<(), S::Error> {
    let mut input = [0u8; READ_CHUNK];
    let mut output = [0u8; WRITE_CHUNK];
    loop {
        let n = socket.read(&mut input).await?;
        if n == 0 {
            return Ok(());
        }
        let mut rest = input.get(..n).unwrap_or(&[]);
        loop {
            let used = session.feed(rest);
            rest = rest.get(used..).unwrap_or(&[]);
            let produced = shared.lock(|ups| session.poll_output(ups, &mut output));
            if produced > 0 {
                socket
                    .write_all(output.get(..produced).unwrap_or(&[]))
                    .await?;
            }
            if used == 0 && produced == 0 {
                break;
            }
        }
        socket.flush().await?;
        if session.is_closed() {
            return Ok(());
        }
    }
}
