//! A NUT network protocol server (upsd, TCP 3493), one connection at a time, sans-IO — the
//! same code for the Linux daemon and the firmware. Reference: `nut-netproto.md`.
//!
//! * [`tokenizer`] — upsd's request words: quotes, backslash escapes, `#` comments, dropped
//!   control bytes, word and line limits, `\n` line ends.
//! * [`reply`] — the `ERR` codes ([`ErrCode`]), value escaping, bounded reply lines.
//! * [`users`] — an `upsd.users` model ([`Users`], [`Users::synology`]).
//! * [`directory`] — what the server serves: the [`UpsDirectory`] trait the host or firmware
//!   implements, and [`FixedUps`], a one-UPS directory over a [`crate::nut::vars::Vars`].
//! * [`session`] — one client connection ([`Session`]): every command of §4, error order of
//!   §3–§5, the FSD latch, `DATA-STALE`, `DRIVER-NOT-CONNECTED`, tracking.
//!
//! ## Using it
//!
//! A host keeps one [`Session`] per socket and one directory for all of them:
//!
//! * [`DriverUps`] serves a [`crate::driver::Driver`] directly: build it from `&Driver`, the
//!   UPS's [`UpsSlot`] (FSD latch, logins, queued SET/INSTCMD requests, tracking results) and
//!   the [`Users`] each time a batch of client input is handled;
//! * [`FixedUps`] owns a copy ([`FixedUps::sync_from_driver`] after each poll) — simplest on a
//!   firmware, and what the tests use;
//! * or implement [`UpsDirectory`] for several UPSes.
//!
//! For each chunk read from a socket the host alternates [`Session::feed`] and
//! [`Session::poll_output`] until neither makes progress (or simply calls
//! [`Session::handle`]), writes the reply bytes, closes the socket when
//! [`Session::is_closed`], and calls [`Session::disconnect`] when the socket goes (so
//! `NUMLOGINS` drops). The driver task drains [`UpsSlot::take_tracked_request`], runs each
//! request with `Ups::instcmd` / `Ups::setvar`, and reports the outcome with
//! [`UpsSlot::finish`] ([`TrackingStatus::from_instcmd`], [`TrackingStatus::from_setvar`]).
//! Idle timeouts (upsd: 60 s), `MAXCONN` and `MAXAGE` (turning the UPS [`UpsState::Stale`])
//! are the host's business. A session holds about 2 KiB whatever the client sends: a line
//! longer than [`tokenizer::LINE_MAX`] gets `ERR TOO-LONG` and the session closes; while a
//! reply is pending `feed` takes nothing, so a client that does not read cannot make the
//! server buffer. `Debug` output never shows a password.
//!
//! ```
//! use qxups::netserver::{Config, FixedUps, Session, Users};
//! use qxups::nut::vars::Vars;
//!
//! let mut vars = Vars::new();
//! vars.set("ups.status", "OB LB").unwrap();
//! let mut dir = FixedUps::new("ups", vars, &["beeper.toggle"], Users::synology());
//! let mut session = Session::new("192.0.2.7", Config::DEFAULT);
//!
//! let mut reply = Vec::new();
//! session.handle(
//!     &mut dir,
//!     b"USERNAME monuser\nPASSWORD secret\nLOGIN ups\nGET VAR ups ups.status\n",
//!     |bytes| reply.extend_from_slice(bytes),
//! );
//! assert_eq!(reply, b"OK\nOK\nOK\nVAR ups ups.status \"OB LB\"\n");
//!
//! // With back-pressure: feed, then drain into a small buffer.
//! let used = session.feed(b"LIST CLIENT ups\nrest");
//! assert_eq!(used, 16); // stops after one request
//! let mut buf = [0u8; 64];
//! let n = session.poll_output(&mut dir, &mut buf);
//! assert_eq!(&buf[..n], b"BEGIN LIST CLIENT ups\nCLIENT ups 192.0.2.7\nEND LIST CLIENT ups\n");
//!
//! session.disconnect(&mut dir); // the socket went away
//! assert_eq!(dir.client(0, 0), None);
//! # use qxups::netserver::UpsDirectory;
//! ```

pub mod directory;
pub mod reply;
pub mod session;
pub mod tokenizer;
pub mod users;

pub use directory::{
    DriverUps, FixedUps, Refused, Request, TrackingId, TrackingStatus, UpsDirectory, UpsSlot,
    UpsState, VarRef,
};
pub use reply::ErrCode;
pub use session::{Config, Session};
pub use users::{Permission, Upsmon, User, Users, UsersError};
