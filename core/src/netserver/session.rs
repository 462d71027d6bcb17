//! The server side of one client connection (nut-netproto.md §2–§5), sans-IO.
//!
//! [`Session::feed`] takes received bytes up to the end of one request line;
//! [`Session::poll_output`] runs that request against an [`UpsDirectory`] and writes the reply
//! into the caller's buffer, as much as fits, resuming where it stopped on the next call. A
//! `LIST` is produced one line at a time, so a session holds one line of input words and one
//! reply line, whatever the client sends or the UPS publishes.
//!
//! Per-connection state is upsd's: the username and password (each set once, checked only by
//! the commands that need them), the UPS this connection did `LOGIN` to, and the tracking
//! flag. Error order follows §3–§5: for the commands that need credentials
//! `USERNAME-REQUIRED`, `PASSWORD-REQUIRED`, then the word count, the UPS
//! (`UNKNOWN-UPS`, `DRIVER-NOT-CONNECTED`, `DATA-STALE`), then the permission.
//!
//! Differences from upsd, on purpose: a request line longer than
//! [`LINE_MAX`](super::tokenizer::LINE_MAX) bytes gets `ERR TOO-LONG` and the connection is
//! closed (upsd buffers without limit); a reply line longer than 512 bytes is cut but keeps its
//! `\n` (upsd loses it); the `VER` / `server.info` text names qxups.

use super::directory::{TrackingStatus, UpsDirectory, UpsState, VarRef};
use super::reply::{ErrCode, Line};
use super::tokenizer::{Step, TokenError, Tokenizer};
use super::users::{Permission, User};
use crate::nut::vars::Rw;

/// The `NETVER` / `PROTVER` answer.
pub const PROTOCOL_VERSION: &str = "1.3";
/// The `HELP` answer (upsd 2.8.0's).
pub const HELP: &str =
    "Commands: HELP VER GET LIST SET INSTCMD LOGIN LOGOUT USERNAME PASSWORD STARTTLS";
/// Longest client address kept for `LIST CLIENT`.
pub const PEER_MAX: usize = 46;
/// Longest variable or command name a `LIST` can walk past (longer names are left out).
pub const NAME_MAX: usize = 64;
/// Longest username or password kept; longer ones never authenticate.
pub const CREDENTIAL_MAX: usize = 64;

/// What a server tells about itself, and whether it does TLS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// The `VER` answer and the value of `server.info`.
    pub ver: &'static str,
    /// The value of `server.version`.
    pub server_version: &'static str,
    /// True when the host can do TLS: `STARTTLS` then answers `OK STARTTLS` and
    /// [`Session::take_starttls`] tells the host to start the handshake. Otherwise
    /// `ERR FEATURE-NOT-CONFIGURED`, like a stock upsd without certificates.
    pub tls: bool,
}

impl Config {
    /// The defaults: upsd 2.8.0's protocol and version number, qxups named in `VER`.
    pub const DEFAULT: Self = Self {
        ver: concat!(
            "Network UPS Tools upsd 2.8.0 - qxups ",
            env!("CARGO_PKG_VERSION"),
            " (NUT protocol 1.3)"
        ),
        server_version: "2.8.0",
        tls: false,
    };
}

impl Default for Config {
    fn default() -> Self {
        Self::DEFAULT
    }
}

type Credential = Option<Result<heapless::String<CREDENTIAL_MAX>, ()>>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Close {
    Open,
    AfterOutput,
    Closed,
}

/// Its `Debug` output shows whether credentials were given, never their text.
#[derive(Clone)]
struct Conn {
    peer: heapless::String<PEER_MAX>,
    username: Credential,
    password: Credential,
    login: Option<usize>,
    tracking: bool,
    close: Close,
    tls: bool,
    starttls: bool,
}

impl core::fmt::Debug for Conn {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Conn")
            .field("peer", &self.peer)
            .field("username", &self.username.as_ref().map(|u| u.as_ref().ok()))
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("login", &self.login)
            .field("tracking", &self.tracking)
            .field("close", &self.close)
            .field("tls", &self.tls)
            .finish()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Ups,
    Var,
    Rw,
    Cmd,
    Enum,
    Range,
    Client,
}

impl Kind {
    const fn word(self) -> &'static str {
        match self {
            Self::Ups => "UPS",
            Self::Var => "VAR",
            Self::Rw => "RW",
            Self::Cmd => "CMD",
            Self::Enum => "ENUM",
            Self::Range => "RANGE",
            Self::Client => "CLIENT",
        }
    }
    /// How many request words after `LIST <kind>` are echoed.
    const fn args(self) -> usize {
        match self {
            Self::Ups => 0,
            Self::Var | Self::Rw | Self::Cmd | Self::Client => 1,
            Self::Enum | Self::Range => 2,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Begin,
    Items,
    End,
}

#[derive(Clone, Debug)]
struct List {
    kind: Kind,
    stage: Stage,
    ups: usize,
    next: usize,
    /// The last name sent, for the lists sorted by name.
    after: Option<heapless::String<NAME_MAX>>,
}

#[derive(Clone, Debug)]
enum Job {
    Idle,
    /// `out` holds the one reply line.
    Single,
    List(List),
}

/// One client connection. See the [module documentation](super) for the host loop.
#[derive(Clone, Debug)]
pub struct Session {
    config: Config,
    conn: Conn,
    tok: Tokenizer,
    ready: bool,
    job: Job,
    out: Line,
    out_len: usize,
    out_pos: usize,
}

fn eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn ups_check<D: UpsDirectory + ?Sized>(dir: &D, name: &str) -> Result<usize, ErrCode> {
    let ups = dir.find_ups(name).ok_or(ErrCode::UnknownUps)?;
    match dir.state(ups) {
        UpsState::NotConnected => Err(ErrCode::DriverNotConnected),
        UpsState::Stale => Err(ErrCode::DataStale),
        UpsState::Fresh => Ok(ups),
    }
}

/// C's `atoi` as glibc does it on LP64: `strtol` (saturating) cut to `int`.
fn atoi(s: &str) -> i64 {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let mut v: i64 = 0;
    for b in digits.bytes().take_while(u8::is_ascii_digit) {
        v = v.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    let v = if neg { v.saturating_neg() } else { v };
    // `(int)` of a `long`: keep the low 32 bits, as the C conversion does.
    i64::from(v as i32)
}

fn copy_name(s: &str) -> Option<heapless::String<NAME_MAX>> {
    let mut t = heapless::String::new();
    t.push_str(s).ok()?;
    Some(t)
}

/// The smallest name greater than `after` (all names when `None`).
fn next_sorted<'a>(names: impl Iterator<Item = &'a str>, after: Option<&str>) -> Option<&'a str> {
    names
        .filter(|n| n.len() <= NAME_MAX)
        .filter(|n| after.is_none_or(|a| *n > a))
        .min()
}

impl Conn {
    fn user<'d, D: UpsDirectory + ?Sized>(&self, dir: &'d D) -> Option<&'d User> {
        match (&self.username, &self.password) {
            (Some(Ok(u)), Some(Ok(p))) => dir.users().authenticate(u, p),
            _ => None,
        }
    }

    fn may<D: UpsDirectory + ?Sized>(&self, dir: &D, what: Permission<'_>) -> bool {
        self.user(dir).is_some_and(|u| u.may(what))
    }

    /// The USERNAME/PASSWORD gate of upsd's `FLAG_USER` commands.
    fn gate(&self) -> Result<(), ErrCode> {
        if self.username.is_none() {
            Err(ErrCode::UsernameRequired)
        } else if self.password.is_none() {
            Err(ErrCode::PasswordRequired)
        } else {
            Ok(())
        }
    }
}

fn credential(w: &str) -> Credential {
    let mut t = heapless::String::new();
    Some(t.push_str(w).map(|()| t).map_err(|_| ()))
}

impl Session {
    /// A new connection from `peer` (its address as `LIST CLIENT` shows it, e.g. `127.0.0.1`;
    /// cut to [`PEER_MAX`] bytes).
    pub fn new(peer: &str, config: Config) -> Self {
        let mut p = heapless::String::new();
        for c in peer.chars() {
            if p.push(c).is_err() {
                break;
            }
        }
        Self {
            config,
            conn: Conn {
                peer: p,
                username: None,
                password: None,
                login: None,
                tracking: false,
                close: Close::Open,
                tls: false,
                starttls: false,
            },
            tok: Tokenizer::new(),
            ready: false,
            job: Job::Idle,
            out: Line::new(),
            out_len: 0,
            out_pos: 0,
        }
    }

    /// Takes received bytes; returns how many were used. It stops after the `\n` of a request
    /// until [`Session::poll_output`] has sent that request's whole reply, so call the two in
    /// turn until neither makes progress. After `LOGOUT` or a fatal error everything is used
    /// (and ignored).
    pub fn feed(&mut self, input: &[u8]) -> usize {
        if self.conn.close != Close::Open {
            return input.len();
        }
        let mut used = 0;
        for &b in input {
            if !self.wants_input() {
                break;
            }
            used += 1;
            match self.tok.push(b) {
                Step::More => {}
                Step::Line => self.ready = true,
                Step::Error(TokenError::LineTooLong) => {
                    self.out.err(ErrCode::TooLong);
                    self.job = Job::Single;
                    self.conn.close = Close::AfterOutput;
                    break;
                }
                // upsd answers a parse error with silence; the line is gone.
                Step::Error(_) => self.tok.clear(),
            }
        }
        used
    }

    /// True when [`Session::feed`] would take bytes now.
    pub fn wants_input(&self) -> bool {
        self.conn.close == Close::Open && !self.ready && matches!(self.job, Job::Idle)
    }

    /// True when a request is waiting for [`Session::poll_output`].
    pub fn has_output(&self) -> bool {
        self.ready || !matches!(self.job, Job::Idle) || self.out_pos < self.out_len
    }

    /// True when the connection is over (after `LOGOUT` or a fatal error, once the reply was
    /// taken): the host closes the socket and calls [`Session::disconnect`].
    pub fn is_closed(&self) -> bool {
        self.conn.close == Close::Closed
    }

    /// True once after an `OK STARTTLS` was sent: the host starts the TLS handshake now.
    pub fn take_starttls(&mut self) -> bool {
        core::mem::take(&mut self.conn.starttls)
    }

    /// The connection ended (socket closed, idle timeout, `LOGOUT`): drops its `LOGIN`.
    /// Call it once when the socket goes; calling it again does nothing.
    pub fn disconnect<D: UpsDirectory + ?Sized>(&mut self, dir: &mut D) {
        if let Some(ups) = self.conn.login.take() {
            dir.logout(ups, &self.conn.peer);
        }
        self.conn.close = Close::Closed;
    }

    /// Runs the pending request if any and writes reply bytes into `out`; returns how many.
    pub fn poll_output<D: UpsDirectory + ?Sized>(&mut self, dir: &mut D, out: &mut [u8]) -> usize {
        let mut written = 0;
        loop {
            if self.out_pos < self.out_len {
                let src = self
                    .out
                    .finish()
                    .get(self.out_pos..self.out_len)
                    .unwrap_or(&[]);
                let dst = out.get_mut(written..).unwrap_or(&mut []);
                let n = src.len().min(dst.len());
                if let (Some(d), Some(s)) = (dst.get_mut(..n), src.get(..n)) {
                    d.copy_from_slice(s);
                }
                written += n;
                self.out_pos += n;
                if self.out_pos < self.out_len {
                    return written;
                }
                continue;
            }
            if self.next_line(dir) {
                self.out_len = self.out.finish().len();
                self.out_pos = 0;
                continue;
            }
            break;
        }
        if self.conn.close == Close::AfterOutput {
            if let Some(ups) = self.conn.login.take() {
                dir.logout(ups, &self.conn.peer);
            }
            self.conn.close = Close::Closed;
        }
        written
    }

    /// Feeds `input` and hands every reply byte to `write`, until `input` is used up: the
    /// simple way for a host that does not need back-pressure.
    pub fn handle<D: UpsDirectory + ?Sized>(
        &mut self,
        dir: &mut D,
        mut input: &[u8],
        mut write: impl FnMut(&[u8]),
    ) {
        let mut buf = [0u8; 256];
        loop {
            let used = self.feed(input);
            input = input.get(used..).unwrap_or(&[]);
            let n = self.poll_output(dir, &mut buf);
            write(buf.get(..n).unwrap_or(&[]));
            if used == 0 && n == 0 {
                break;
            }
        }
    }

    /// Puts the next reply line into `self.out`; false when the reply is complete.
    fn next_line<D: UpsDirectory + ?Sized>(&mut self, dir: &mut D) -> bool {
        if self.ready && matches!(self.job, Job::Idle) {
            self.ready = false;
            self.out.clear();
            self.job = execute(&mut self.conn, &self.config, &self.tok, &mut self.out, dir);
        }
        let more = match &mut self.job {
            Job::Idle => return false,
            Job::Single => {
                self.job = Job::Idle;
                true
            }
            Job::List(list) => {
                self.out.clear();
                let more = list_line(list, &self.tok, &mut self.out, dir);
                if !more {
                    self.job = Job::Idle;
                }
                more
            }
        };
        if matches!(self.job, Job::Idle) {
            self.tok.clear();
        }
        more
    }
}

fn single(out: &mut Line, r: Result<(), ErrCode>) -> Job {
    if let Err(code) = r {
        out.err(code);
    }
    Job::Single
}

fn execute<D: UpsDirectory + ?Sized>(
    conn: &mut Conn,
    config: &Config,
    w: &Tokenizer,
    out: &mut Line,
    dir: &mut D,
) -> Job {
    let n = w.len();
    let word = |i| w.word(i).unwrap_or("");
    let cmd = word(0);
    let no_args = |text: &str, out: &mut Line| {
        if n == 1 {
            out.raw(text);
            Ok(())
        } else {
            Err(ErrCode::InvalidArgument)
        }
    };
    let r = if n == 0 {
        Err(ErrCode::UnknownCommand)
    } else if eq(cmd, "VER") {
        no_args(config.ver, out)
    } else if eq(cmd, "NETVER") || eq(cmd, "PROTVER") {
        no_args(PROTOCOL_VERSION, out)
    } else if eq(cmd, "HELP") {
        no_args(HELP, out)
    } else if eq(cmd, "STARTTLS") {
        starttls(conn, config, n, out)
    } else if eq(cmd, "USERNAME") || eq(cmd, "PASSWORD") {
        let user = eq(cmd, "USERNAME");
        let (slot, already) = if user {
            (&mut conn.username, ErrCode::AlreadySetUsername)
        } else {
            (&mut conn.password, ErrCode::AlreadySetPassword)
        };
        if n != 2 {
            Err(ErrCode::InvalidArgument)
        } else if slot.is_some() {
            Err(already)
        } else {
            *slot = credential(word(1));
            out.raw("OK");
            Ok(())
        }
    } else if eq(cmd, "LOGOUT") {
        if n == 1 {
            conn.close = Close::AfterOutput;
        }
        no_args("OK Goodbye", out)
    } else if eq(cmd, "LOGIN") {
        login(conn, w, out, dir)
    } else if eq(cmd, "PRIMARY") || eq(cmd, "MASTER") || eq(cmd, "FSD") {
        primary_fsd(conn, w, out, dir)
    } else if eq(cmd, "SET") {
        set(conn, w, out, dir)
    } else if eq(cmd, "INSTCMD") {
        instcmd(conn, w, out, dir)
    } else if eq(cmd, "GET") {
        get(conn, config, w, out, dir)
    } else if eq(cmd, "LIST") {
        return match list(w, dir) {
            Ok(list) => Job::List(list),
            Err(e) => single(out, Err(e)),
        };
    } else {
        Err(ErrCode::UnknownCommand)
    };
    single(out, r)
}

fn starttls(conn: &mut Conn, config: &Config, n: usize, out: &mut Line) -> Result<(), ErrCode> {
    if n != 1 {
        Err(ErrCode::InvalidArgument)
    } else if conn.tls {
        Err(ErrCode::AlreadySslMode)
    } else if config.tls {
        conn.tls = true;
        conn.starttls = true;
        out.raw("OK STARTTLS");
        Ok(())
    } else {
        Err(ErrCode::FeatureNotConfigured)
    }
}

fn login<D: UpsDirectory + ?Sized>(
    conn: &mut Conn,
    w: &Tokenizer,
    out: &mut Line,
    dir: &mut D,
) -> Result<(), ErrCode> {
    conn.gate()?;
    if w.len() != 2 {
        return Err(ErrCode::InvalidArgument);
    }
    if conn.login.is_some() {
        return Err(ErrCode::AlreadyLoggedIn);
    }
    let ups = dir
        .find_ups(w.word(1).unwrap_or(""))
        .ok_or(ErrCode::UnknownUps)?;
    if !conn.may(dir, Permission::Login) {
        return Err(ErrCode::AccessDenied);
    }
    dir.login(ups, &conn.peer);
    conn.login = Some(ups);
    out.raw("OK");
    Ok(())
}

fn primary_fsd<D: UpsDirectory + ?Sized>(
    conn: &Conn,
    w: &Tokenizer,
    out: &mut Line,
    dir: &mut D,
) -> Result<(), ErrCode> {
    conn.gate()?;
    if w.len() != 2 {
        return Err(ErrCode::InvalidArgument);
    }
    let cmd = w.word(0).unwrap_or("");
    let ups = dir
        .find_ups(w.word(1).unwrap_or(""))
        .ok_or(ErrCode::UnknownUps)?;
    if eq(cmd, "FSD") {
        if !conn.may(dir, Permission::Fsd) {
            return Err(ErrCode::AccessDenied);
        }
        dir.set_fsd(ups);
        out.raw("OK FSD-SET");
    } else {
        if !conn.may(dir, Permission::Primary) {
            return Err(ErrCode::AccessDenied);
        }
        out.raw(if eq(cmd, "MASTER") {
            "OK MASTER-GRANTED"
        } else {
            "OK PRIMARY-GRANTED"
        });
    }
    Ok(())
}

fn ok_tracked(out: &mut Line, id: Option<super::directory::TrackingId>, tracking: bool) {
    out.raw("OK");
    if let Some(id) = id.filter(|_| tracking) {
        out.word("TRACKING").word(&id);
    }
}

fn value_allowed<D: UpsDirectory + ?Sized>(
    dir: &D,
    ups: usize,
    var: &VarRef<'_>,
    value: &str,
) -> Result<(), ErrCode> {
    match var.rw {
        Rw::ReadOnly => Err(ErrCode::Readonly),
        Rw::String(max) if value.len() > usize::from(max) => Err(ErrCode::TooLong),
        Rw::String(_) => Ok(()),
        Rw::Enum(list) if list.iter().any(|v| eq(v, value)) => Ok(()),
        Rw::DeviceEnum
            if (0..)
                .map_while(|i| dir.device_enum(ups, var.name, i))
                .any(|v| eq(v, value)) =>
        {
            Ok(())
        }
        Rw::Range(ranges) => {
            let v = atoi(value);
            if ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&v)) {
                Ok(())
            } else {
                Err(ErrCode::InvalidValue)
            }
        }
        _ => Err(ErrCode::InvalidValue),
    }
}

fn set<D: UpsDirectory + ?Sized>(
    conn: &mut Conn,
    w: &Tokenizer,
    out: &mut Line,
    dir: &mut D,
) -> Result<(), ErrCode> {
    conn.gate()?;
    let word = |i| w.word(i).unwrap_or("");
    let n = w.len();
    if n >= 3 && eq(word(1), "TRACKING") {
        conn.tracking = if eq(word(2), "ON") {
            true
        } else if eq(word(2), "OFF") {
            false
        } else {
            return Err(ErrCode::InvalidArgument);
        };
        out.raw("OK");
        return Ok(());
    }
    if n < 5 || !eq(word(1), "VAR") {
        return Err(ErrCode::InvalidArgument);
    }
    let ups = ups_check(dir, word(2))?;
    if !conn.may(dir, Permission::Set) {
        return Err(ErrCode::AccessDenied);
    }
    let value = word(4);
    let name = {
        let var = dir.find_var(ups, word(3)).ok_or(ErrCode::VarNotSupported)?;
        value_allowed(dir, ups, &var, value)?;
        copy_name(var.name).ok_or(ErrCode::SetFailed)?
    };
    let id = dir
        .setvar(ups, &name, value, conn.tracking)
        .map_err(|_| ErrCode::SetFailed)?;
    ok_tracked(out, id, conn.tracking);
    Ok(())
}

fn instcmd<D: UpsDirectory + ?Sized>(
    conn: &Conn,
    w: &Tokenizer,
    out: &mut Line,
    dir: &mut D,
) -> Result<(), ErrCode> {
    conn.gate()?;
    if w.len() < 3 {
        return Err(ErrCode::InvalidArgument);
    }
    let ups = ups_check(dir, w.word(1).unwrap_or(""))?;
    let name = dir
        .find_command(ups, w.word(2).unwrap_or(""))
        .ok_or(ErrCode::CmdNotSupported)?;
    let name = copy_name(name).ok_or(ErrCode::InstcmdFailed)?;
    if !conn.may(dir, Permission::Instcmd(&name)) {
        return Err(ErrCode::AccessDenied);
    }
    let id = dir
        .instcmd(ups, &name, w.word(3), conn.tracking)
        .map_err(|_| ErrCode::InstcmdFailed)?;
    ok_tracked(out, id, conn.tracking);
    Ok(())
}

fn get<D: UpsDirectory + ?Sized>(
    conn: &Conn,
    config: &Config,
    w: &Tokenizer,
    out: &mut Line,
    dir: &D,
) -> Result<(), ErrCode> {
    let n = w.len();
    let word = |i| w.word(i).unwrap_or("");
    let sub = word(1);
    let (ups_word, name) = (word(2), word(3));
    if eq(sub, "TRACKING") && n >= 2 {
        if n == 2 {
            out.raw(if conn.tracking { "ON" } else { "OFF" });
            return Ok(());
        }
        if !conn.tracking {
            return Err(ErrCode::FeatureNotConfigured);
        }
        return match dir.tracking(word(2)) {
            TrackingStatus::Pending => {
                out.raw("PENDING");
                Ok(())
            }
            TrackingStatus::Success => {
                out.raw("SUCCESS");
                Ok(())
            }
            TrackingStatus::InvalidArgument => Err(ErrCode::InvalidArgument),
            TrackingStatus::Failed => Err(ErrCode::Failed),
            TrackingStatus::Unknown => Err(ErrCode::Unknown),
        };
    }
    let need = if eq(sub, "NUMLOGINS") || eq(sub, "UPSDESC") {
        3
    } else if eq(sub, "VAR") || eq(sub, "TYPE") || eq(sub, "DESC") || eq(sub, "CMDDESC") {
        4
    } else {
        return Err(ErrCode::InvalidArgument);
    };
    if n < need {
        return Err(ErrCode::InvalidArgument);
    }
    if eq(sub, "UPSDESC") {
        let ups = dir.find_ups(ups_word).ok_or(ErrCode::UnknownUps)?;
        out.raw("UPSDESC")
            .word(ups_word)
            .quoted(dir.ups_desc(ups).unwrap_or("Unavailable"));
        return Ok(());
    }
    if eq(sub, "VAR") {
        if let Some(rest) = name
            .get(..7)
            .filter(|p| eq(p, "server."))
            .and(name.get(7..))
        {
            let value = if eq(rest, "info") {
                config.ver
            } else if eq(rest, "version") {
                config.server_version
            } else {
                return Err(ErrCode::VarNotSupported);
            };
            out.raw("VAR").word(ups_word).word(name).quoted(value);
            return Ok(());
        }
    }
    let ups = ups_check(dir, ups_word)?;
    if eq(sub, "NUMLOGINS") {
        out.raw("NUMLOGINS")
            .word(ups_word)
            .number(u64::try_from(dir.numlogins(ups)).unwrap_or(u64::MAX));
    } else if eq(sub, "DESC") {
        out.raw("DESC")
            .word(ups_word)
            .word(name)
            .quoted(dir.var_desc(ups, name).unwrap_or("Description unavailable"));
    } else if eq(sub, "CMDDESC") {
        out.raw("CMDDESC")
            .word(ups_word)
            .word(name)
            .quoted(dir.cmd_desc(ups, name).unwrap_or("Description unavailable"));
    } else {
        let var = dir.find_var(ups, name).ok_or(ErrCode::VarNotSupported)?;
        if eq(sub, "VAR") {
            out.raw("VAR").word(ups_word).word(name);
            quoted_value(out, &var, dir.fsd(ups));
        } else {
            out.raw("TYPE").word(ups_word).word(name);
            type_words(out, var.rw);
        }
    }
    Ok(())
}

/// The value, with the `FSD ` prefix on `ups.status` while the latch is set.
fn quoted_value(out: &mut Line, var: &VarRef<'_>, fsd: bool) {
    if fsd && eq(var.name, "ups.status") {
        let mut v: heapless::String<128> = heapless::String::new();
        let fits = v.push_str("FSD ").is_ok() && v.push_str(var.value).is_ok();
        out.quoted(if fits { &v } else { "FSD" });
    } else {
        out.quoted(var.value);
    }
}

fn type_words(out: &mut Line, rw: Rw) {
    match rw {
        Rw::ReadOnly => out.word("NUMBER"),
        Rw::String(n) => out.word("RW").word("STRING:").raw_number(u64::from(n)),
        Rw::Range(_) => out.word("RW").word("RANGE").word("NUMBER"),
        Rw::Enum(_) | Rw::DeviceEnum => out.word("RW").word("ENUM").word("NUMBER"),
    };
}

fn list<D: UpsDirectory + ?Sized>(w: &Tokenizer, dir: &D) -> Result<List, ErrCode> {
    let n = w.len();
    let sub = w.word(1).ok_or(ErrCode::InvalidArgument)?;
    let kind = [
        Kind::Ups,
        Kind::Var,
        Kind::Rw,
        Kind::Cmd,
        Kind::Enum,
        Kind::Range,
        Kind::Client,
    ]
    .into_iter()
    .find(|k| eq(k.word(), sub))
    .ok_or(ErrCode::InvalidArgument)?;
    if n < 2 + kind.args() {
        return Err(ErrCode::InvalidArgument);
    }
    let ups_word = w.word(2).unwrap_or("");
    let ups = match kind {
        Kind::Ups => 0,
        Kind::Client => dir.find_ups(ups_word).ok_or(ErrCode::UnknownUps)?,
        _ => ups_check(dir, ups_word)?,
    };
    if matches!(kind, Kind::Enum | Kind::Range) {
        dir.find_var(ups, w.word(3).unwrap_or(""))
            .ok_or(ErrCode::VarNotSupported)?;
    }
    Ok(List {
        kind,
        stage: Stage::Begin,
        ups,
        next: 0,
        after: None,
    })
}

fn frame(out: &mut Line, begin: &str, list: &List, w: &Tokenizer) {
    out.raw(begin).word("LIST").word(list.kind.word());
    for i in 0..list.kind.args() {
        out.word(w.word(2 + i).unwrap_or(""));
    }
}

/// The next line of `list` into `out`; false when the list is complete.
fn list_line<D: UpsDirectory + ?Sized>(
    list: &mut List,
    w: &Tokenizer,
    out: &mut Line,
    dir: &D,
) -> bool {
    match list.stage {
        Stage::Begin => {
            frame(out, "BEGIN", list, w);
            list.stage = Stage::Items;
            true
        }
        Stage::Items => {
            if list_item(list, w, out, dir) {
                list.next += 1;
            } else {
                list.stage = Stage::End;
                out.clear();
                frame(out, "END", list, w);
            }
            true
        }
        Stage::End => false,
    }
}

/// One item line; false when there are no more.
fn list_item<D: UpsDirectory + ?Sized>(
    list: &mut List,
    w: &Tokenizer,
    out: &mut Line,
    dir: &D,
) -> bool {
    let ups = list.ups;
    let ups_word = w.word(2).unwrap_or("");
    let var_word = w.word(3).unwrap_or("");
    let vars = || (0..).map_while(move |i| dir.var(ups, i));
    match list.kind {
        Kind::Ups => {
            let Some(name) = dir.ups_name(list.next) else {
                return false;
            };
            out.raw("UPS")
                .word(name)
                .quoted(dir.ups_desc(list.next).unwrap_or("Description unavailable"));
            true
        }
        Kind::Var | Kind::Rw => {
            let rw_only = list.kind == Kind::Rw;
            let names = vars()
                .filter(|v| !rw_only || v.rw != Rw::ReadOnly)
                .map(|v| v.name);
            let Some(name) = next_sorted(names, list.after.as_deref()) else {
                return false;
            };
            let Some(var) = vars().find(|v| v.name == name) else {
                return false;
            };
            out.raw(list.kind.word()).word(ups_word).word(var.name);
            quoted_value(out, &var, dir.fsd(ups));
            list.after = copy_name(name);
            true
        }
        Kind::Cmd => {
            let names = (0..).map_while(|i| dir.command(ups, i));
            let Some(name) = next_sorted(names, list.after.as_deref()) else {
                return false;
            };
            out.raw("CMD").word(ups_word).word(name);
            list.after = copy_name(name);
            true
        }
        Kind::Client => {
            let Some(peer) = dir.client(ups, list.next) else {
                return false;
            };
            out.raw("CLIENT").word(ups_word).word(peer);
            true
        }
        Kind::Enum | Kind::Range => {
            let Some(var) = dir.find_var(ups, var_word) else {
                return false;
            };
            out.raw(list.kind.word()).word(ups_word).word(var_word);
            match (list.kind, var.rw) {
                (Kind::Enum, Rw::Enum(values)) => match values.get(list.next) {
                    Some(v) => out.quoted(v),
                    None => return false,
                },
                (Kind::Enum, Rw::DeviceEnum) => match dir.device_enum(ups, var.name, list.next) {
                    Some(v) => out.quoted(v),
                    None => return false,
                },
                (Kind::Range, Rw::Range(ranges)) => match ranges.get(list.next) {
                    Some(&(lo, hi)) => out
                        .raw(" \"")
                        .raw_signed(lo)
                        .raw("\" \"")
                        .raw_signed(hi)
                        .raw("\""),
                    None => return false,
                },
                _ => return false,
            };
            true
        }
    }
}

#[cfg(test)]
mod tests;
