//! The replay of the upsd 2.8.0 transcripts in `nut-clients/` against a [`Session`], answer
//! line by answer line, without file access: `tests/netserver_replay.rs` runs it over the
//! files on the host, the QEMU test binary (`core/qemu-tests`, which includes this file by
//! path) over the texts embedded at build time. `no_std` with `alloc`.
//!
//! The simulated UPS of the replay is read from the transcripts themselves (no value is copied
//! into the tests): its variables from `03-upsc-all.txt` (`LIST VAR`), writability and ranges
//! from `14-upsrw-list.txt` (`LIST RW`, `LIST RANGE`), commands from `08-upscmd-list.txt`
//! (`LIST CMD`), the description from `01-upsc-list.txt` (`LIST UPS`). The users are the
//! harness's three (nut-netproto.md §3.2). Each transcript file starts with a fresh UPS; the
//! connections of one file share it (FSD latch, logins).
//!
//! Two formats are read: the proxy logs (`#NNN [tag] C> b'..'` / `S< b'..'`, one session per
//! `#NNN`, `C> b'<EOF>'` = the client closed) and the probes (`> b'..'` / `< b'..'`,
//! `< <no response ..>`, `< <connection closed by server>`; a new connection after one was
//! closed or after a `(second connection)` comment). A closed connection is compared as the
//! pseudo-line `<closed>`.
//!
//! The exchanges go through a [`Target`]: [`Sessions`] feeds core [`Session`]s directly;
//! `host-usb/tests/serve_replay.rs` implements it over TCP against `qxups serve`'s network code.
//!
//! Every difference must be listed in [`EXPECTED`] (or, when only one target shows it, in that
//! target's own list) with its reason, and every entry there must still occur.

extern crate alloc;

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use qxups::netserver::directory::{FixedUps, Request};
use qxups::netserver::{Config, Session, UpsState, Users};
use qxups::nut::vars::{Rw, Vars};

/// The harness's users (nut-netproto.md §3.2).
pub const USERS: &str = "\
[monuser]
  password = secret
  upsmon secondary
[upsmon]
  password = upsmonpass
  upsmon primary
[admin]
  password = adminpass
  actions = SET
  actions = FSD
  instcmds = ALL
";

/// (file, request as sent without its line end — `*` = any, reason). A request listed here
/// may differ from upsd's answer in that file; every entry must be hit at least once.
pub const EXPECTED: &[(&str, &str, &str)] = &[
    (
        "probe-basics.txt",
        "VER",
        "VER names qxups (`Network UPS Tools upsd 2.8.0 - qxups <version> (NUT protocol 1.3)`)",
    ),
    (
        "probe-basics.txt",
        "GET VAR ups server.info",
        "server.info is the VER text, which names qxups",
    ),
    (
        "probe-basics.txt",
        "atus",
        "the probe log shows only the last of three packets of one request; the replay cannot send the first two",
    ),
    (
        "20-py-aionut-anon.txt",
        "LIST VAR ups",
        "ups.delay.shutdown: nut2's SET VAR 120 in 19 had not reached the driver yet when aionut read \
         (upsd hands SETs over asynchronously; 21 shows 120); the replay applies a SET at once",
    ),
    (
        "probe-admin.txt",
        "GET VAR ups ups.delay.shutdown",
        "upsd answered OK to SET 90 but its driver kept 60 (the outcome is only visible through \
         TRACKING); the replay applies every accepted SET verbatim, so it reads 90",
    ),
    (
        "probe-tracking.txt",
        "SET VAR ups ups.delay.shutdown 30",
        "tracking ids are random UUIDs (`OK TRACKING <id>`); the replay sends later \
         `GET TRACKING <upsd's id>` with qxups's id, and those answers match",
    ),
    (
        "probe-tracking.txt",
        "INSTCMD ups beeper.toggle",
        "same: a random tracking id",
    ),
    (
        "probe-limits.txt",
        "GET DESC ups *",
        "upsd cut the 548-byte DESC answer at 512 bytes without `\\n` (it ran into the next answer); qxups cuts at 511 bytes and keeps the `\\n`",
    ),
    (
        "probe-limits.txt",
        "GET VAR ups ups.status",
        "the previous answer's cut-off bytes of upsd's arrived in front of this one",
    ),
    (
        "powerfail-upsmon.txt",
        "GET VAR ups ups.status",
        "the simulated power failure (OL -> OB -> OB LB) is not replayed: the replay UPS stays OL (FSD prefix included)",
    ),
];

/// Differences of the [`Sessions`] target only, in the form of [`EXPECTED`].
pub const SESSION_ONLY: &[(&str, &str, &str)] = &[(
    "probe-idle.txt",
    "",
    "the 60 s idle timeout is the host's job; the sans-IO session never closes on its own",
)];

/// What upsd answered to one client chunk, so that a target over a socket knows how long to
/// wait for its own answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expect {
    /// Answer lines (a last piece without `\n` counts); 0 with `closed` false: no answer.
    pub lines: usize,
    /// upsd closed the connection after answering.
    pub closed: bool,
}

/// Where the replay sends the requests: one UPS, served to any number of connections.
pub trait Target {
    /// One client connection.
    type Conn;
    /// Opens a connection.
    fn connect(&mut self) -> Self::Conn;
    /// Sends `data` on `conn`; returns the answer bytes and whether the server closed.
    fn exchange(&mut self, conn: &mut Self::Conn, data: &[u8], expect: Expect) -> (Vec<u8>, bool);
    /// The client closes `conn`; returns once the server has let go of it (its login gone),
    /// with any answer bytes that were still unread.
    fn close(&mut self, conn: Self::Conn) -> Vec<u8>;
    /// Changes the UPS between exchanges (what its driver does).
    fn with_ups(&mut self, f: &mut dyn FnMut(&mut FixedUps));
    /// The UPS as the connections left it, for the next transcript.
    fn into_ups(self) -> FixedUps;
}

/// The [`Target`] of core [`Session`]s fed directly, on a [`FixedUps`].
pub struct Sessions(pub FixedUps);

impl Target for Sessions {
    type Conn = Session;
    fn connect(&mut self) -> Session {
        Session::new("127.0.0.1", Config::DEFAULT)
    }
    fn exchange(&mut self, s: &mut Session, data: &[u8], _: Expect) -> (Vec<u8>, bool) {
        let mut ours = Vec::new();
        s.handle(&mut self.0, data, |b| ours.extend_from_slice(b));
        (ours, s.is_closed())
    }
    fn close(&mut self, mut s: Session) -> Vec<u8> {
        s.disconnect(&mut self.0);
        Vec::new()
    }
    fn with_ups(&mut self, f: &mut dyn FnMut(&mut FixedUps)) {
        f(&mut self.0);
    }
    fn into_ups(self) -> FixedUps {
        self.0
    }
}

pub fn decode_bytes_literal(s: &str) -> Vec<u8> {
    // A Python bytes literal: b'...' or b"...".
    let s = s.trim();
    let inner = &s[2..s.len() - 1];
    let b = inner.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            i += 1;
            match b[i] {
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                b'x' => {
                    let h = core::str::from_utf8(&b[i + 1..i + 3]).unwrap();
                    out.push(u8::from_str_radix(h, 16).unwrap());
                    i += 2;
                }
                c => out.push(c),
            }
        } else {
            out.push(b[i]);
        }
        i += 1;
    }
    out
}

#[derive(Debug)]
enum Item {
    /// A client chunk on a connection; `expected` = upsd's bytes, `closed` = upsd closed.
    Send {
        conn: String,
        data: Vec<u8>,
        expected: Vec<u8>,
        closed: bool,
    },
    /// The client closed the connection.
    Eof { conn: String },
    /// A comment line (probes).
    Comment(String),
}

/// A client chunk on `conn`, the one upsd's answer lines are added to until the next.
fn push_send(
    items: &mut Vec<Item>,
    last_send: &mut BTreeMap<String, usize>,
    conn: String,
    data: Vec<u8>,
) {
    last_send.insert(conn.clone(), items.len());
    items.push(Item::Send {
        conn,
        data,
        expected: Vec::new(),
        closed: false,
    });
}

fn parse(text: &str) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::new();
    let mut probe_conn = 0;
    let mut logged_out = false;
    let mut last_send: BTreeMap<String, usize> = BTreeMap::new();
    for line in text.lines() {
        if let Some(rest) = line
            .strip_prefix('#')
            .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
        {
            // #NNN [tag] C> b'..'
            let (id, rest) = rest.split_once(' ').unwrap();
            let (_, rest) = rest.split_once("] ").unwrap();
            let conn = id.to_string();
            if let Some(lit) = rest.strip_prefix("C> ") {
                let data = decode_bytes_literal(lit);
                if data == b"<EOF>" {
                    items.push(Item::Eof { conn });
                } else {
                    push_send(&mut items, &mut last_send, conn, data);
                }
            } else if let Some(lit) = rest.strip_prefix("S< ") {
                let at = last_send[&conn];
                if let Item::Send { expected, .. } = &mut items[at] {
                    expected.extend(decode_bytes_literal(lit));
                }
            }
        } else if let Some(lit) = line.strip_prefix("> ") {
            let data = decode_bytes_literal(lit);
            // After `OK Goodbye` an empty send just waits for the close; anything else is
            // the next connection.
            if logged_out && !data.is_empty() {
                items.push(Item::Eof {
                    conn: format!("probe{probe_conn}"),
                });
                probe_conn += 1;
            }
            logged_out = logged_out && data.is_empty();
            push_send(
                &mut items,
                &mut last_send,
                format!("probe{probe_conn}"),
                data,
            );
        } else if let Some(rest) = line.strip_prefix("< ") {
            let conn = format!("probe{probe_conn}");
            let at = last_send[&conn];
            let Item::Send {
                expected, closed, ..
            } = &mut items[at]
            else {
                unreachable!()
            };
            if rest.starts_with("<connection closed") {
                *closed = true;
                logged_out = true;
            } else if !rest.starts_with("<no response") {
                expected.extend(decode_bytes_literal(rest));
                // upsd closes after `OK Goodbye` (nut-netproto.md §2).
                if expected.ends_with(b"OK Goodbye\n") {
                    *closed = true;
                    logged_out = true;
                }
            }
        } else if let Some(c) = line.strip_prefix("# ") {
            if c.contains("second connection") {
                items.push(Item::Eof {
                    conn: format!("probe{probe_conn}"),
                });
                probe_conn += 1;
                logged_out = false;
            }
            items.push(Item::Comment(c.to_string()));
        }
    }
    items
}

/// The lines of a reply; a last piece without `\n` is a line too.
fn lines(bytes: &[u8], closed: bool) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut v: Vec<String> = text.split_inclusive('\n').map(|l| l.to_string()).collect();
    if closed {
        v.push("<closed>".into());
    }
    v
}

fn quoted_fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = None::<String>;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (&mut cur, c) {
            (None, '"') => cur = Some(String::new()),
            (Some(s), '\\') => s.push(chars.next().unwrap()),
            (Some(_), '"') => out.push(cur.take().unwrap()),
            (Some(s), c) => s.push(c),
            (None, _) => {}
        }
    }
    out
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

/// Every upsd answer line of a transcript.
fn answers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for item in parse(text) {
        if let Item::Send { expected, .. } = item {
            out.extend(lines(&expected, false));
        }
    }
    out
}

/// The UPS as the transcripts show it; `transcript` gives the text of a transcript file.
pub fn simulated_ups<'a>(transcript: impl Fn(&str) -> &'a str) -> FixedUps {
    let mut vars = Vars::new();
    for l in answers(transcript("03-upsc-all.txt")) {
        if let Some(rest) = l.strip_prefix("VAR ups ") {
            let name = rest.split(' ').next().unwrap();
            vars.set(leak(name), &quoted_fields(rest)[0]).unwrap();
        }
    }
    let rw_list = answers(transcript("14-upsrw-list.txt"));
    for l in &rw_list {
        if let Some(rest) = l.strip_prefix("RANGE ups ") {
            let name = rest.split(' ').next().unwrap();
            let f = quoted_fields(rest);
            let range: &'static [(i64, i64)] = Box::leak(
                alloc::vec![(f[0].parse().unwrap(), f[1].parse().unwrap())].into_boxed_slice(),
            );
            vars.set_rw(name, Rw::Range(range));
        }
    }
    assert!(rw_list.iter().any(|l| l.starts_with("RW ups ")));
    let commands: Vec<&'static str> = answers(transcript("08-upscmd-list.txt"))
        .iter()
        .filter_map(|l| l.strip_prefix("CMD ups "))
        .map(|c| leak(c.trim_end()))
        .collect();
    let desc = answers(transcript("01-upsc-list.txt"))
        .iter()
        .find_map(|l| {
            l.strip_prefix("UPS ups ")
                .map(|r| quoted_fields(r)[0].clone())
        })
        .unwrap();
    let mut ups = FixedUps::new(
        "ups",
        vars,
        Box::leak(commands.into_boxed_slice()),
        Users::parse(USERS).unwrap(),
    );
    ups.desc = Some(heapless::String::try_from(desc.as_str()).unwrap());
    ups
}

struct Outcome {
    compared: usize,
    uncaptured: usize,
    differing: Vec<(String, String, Vec<String>, Vec<String>)>,
}

/// The driver side of the replay: every SET that was handed over is applied verbatim (the
/// harness's nutdrv_qx stored them), INSTCMDs are dropped, and no outcome is reported, so a
/// tracked request stays `PENDING` as it did with upsd 2.8.0.
fn apply_requests(dir: &mut FixedUps) {
    while let Some(r) = dir.take_request() {
        if let Request::Set(name, value) = r {
            let name = dir.vars.var(&name).unwrap().name();
            dir.vars.set(name, &value).unwrap();
        }
    }
}

/// The order the harness ran the transcripts in: the numbered client runs (#002..#023 of one
/// proxy session), then the probes by their start time; `powerfail-upsmon.txt` came from a
/// restarted upsd (its UPS starts `OL` without the FSD latch probe-fsd left). The numbered
/// runs and the probes share one UPS, so values written by SET VAR carry over as in upsd.
fn run_key(file: &str, text: &str) -> (u8, String, String) {
    let stamp = text
        .lines()
        .next()
        .and_then(|l| l.split(" at ").nth(1))
        .unwrap_or("")
        .to_string();
    let group = if file.starts_with(|c: char| c.is_ascii_digit()) {
        0
    } else if file.starts_with("probe-") {
        1
    } else {
        2
    };
    (group, stamp, file.to_string())
}

/// Replays one transcript on `target`; connections still open at its end are closed.
fn replay<T: Target>(file: &str, text: &str, target: &mut T) -> Outcome {
    let items = parse(text);
    let mut conns: BTreeMap<String, T::Conn> = BTreeMap::new();
    let mut ids: Vec<(String, String)> = Vec::new();
    let mut outcome = Outcome {
        compared: 0,
        uncaptured: 0,
        differing: Vec::new(),
    };
    for (i, item) in items.iter().enumerate() {
        match item {
            Item::Send {
                conn,
                data,
                expected,
                closed,
            } => {
                // probe-stale's comments say when the UPS went silent and came back; they
                // follow the exchange they describe.
                if let Some(Item::Comment(c)) = items.get(i + 1) {
                    let state = if c.starts_with("DATA-STALE after") {
                        Some(UpsState::Stale)
                    } else if c.starts_with("fresh again") {
                        Some(UpsState::Fresh)
                    } else {
                        None
                    };
                    if let Some(state) = state {
                        target.with_ups(&mut |u| u.state = state);
                    }
                }
                let c = conns
                    .entry(conn.clone())
                    .or_insert_with(|| target.connect());
                // Tracking ids are random: the client's later requests name upsd's ids, so
                // they are sent with ours instead.
                let mut data = data.clone();
                for (theirs, ours) in &ids {
                    data = String::from_utf8_lossy(&data)
                        .replace(theirs.as_str(), ours)
                        .into_bytes();
                }
                // A client that closes right after its last request (upscmd, upsrw, upsc
                // after LOGOUT) never read the answer, so the proxy did not log it; ours is
                // still awaited (one line at least), so that the request has run.
                let next = items[i + 1..].iter().find(|it| {
                    matches!(it, Item::Send { conn: c, .. } | Item::Eof { conn: c } if c == conn)
                });
                let uncaptured =
                    expected.is_empty() && !closed && matches!(next, Some(Item::Eof { .. }));
                let theirs = lines(expected, *closed);
                let expect = Expect {
                    lines: if uncaptured {
                        1
                    } else {
                        theirs.len() - usize::from(*closed)
                    },
                    closed: *closed,
                };
                let (ours, ours_closed) = target.exchange(c, &data, expect);
                target.with_ups(&mut apply_requests);
                if uncaptured {
                    outcome.uncaptured += 1;
                    continue;
                }
                let ours = lines(&ours, ours_closed);
                for (t, o) in theirs.iter().zip(&ours) {
                    if let (Some(t), Some(o)) = (
                        t.strip_prefix("OK TRACKING "),
                        o.strip_prefix("OK TRACKING "),
                    ) {
                        ids.push((t.trim_end().to_string(), o.trim_end().to_string()));
                    }
                }
                outcome.compared += theirs.len().max(ours.len());
                if ours != theirs {
                    let req = String::from_utf8_lossy(&data)
                        .trim_end_matches(['\n', '\r'])
                        .to_string();
                    outcome
                        .differing
                        .push((file.to_string(), req, theirs, ours));
                }
            }
            Item::Eof { conn } => {
                if let Some(c) = conns.remove(conn) {
                    unread(file, target.close(c), &mut outcome);
                }
            }
            Item::Comment(_) => {}
        }
    }
    for (_, c) in conns {
        unread(file, target.close(c), &mut outcome);
    }
    outcome
}

/// Answer bytes a connection still had when the client closed it: upsd had none.
fn unread(file: &str, rest: Vec<u8>, outcome: &mut Outcome) {
    if !rest.is_empty() {
        outcome.differing.push((
            file.to_string(),
            "<EOF>".to_string(),
            Vec::new(),
            lines(&rest, false),
        ));
    }
}

/// The differing lines of two answers.
fn line_diff(theirs: &[String], ours: &[String]) -> String {
    let mut out = String::new();
    for i in 0..theirs.len().max(ours.len()) {
        let (t, o) = (theirs.get(i), ours.get(i));
        if t != o {
            out.push_str(&format!("  line {i}: upsd {t:?}\n          qxups {o:?}\n"));
        }
    }
    out
}

fn matches(pattern: &str, req: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => req.starts_with(prefix),
        None => pattern == req,
    }
}

/// What a replay of every transcript found.
#[derive(Debug, Default)]
pub struct Summary {
    /// Transcripts replayed.
    pub replayed: usize,
    /// Answer lines compared.
    pub compared: usize,
    /// Lines that differ as listed.
    pub differing_lines: usize,
    /// Answers upsd sent but the proxy did not log (the client closed before reading).
    pub uncaptured: usize,
    /// One line per listed difference that occurred, with its reason.
    pub notes: Vec<String>,
}

/// One line per listed difference with its reason, then the counts.
impl core::fmt::Display for Summary {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for note in &self.notes {
            writeln!(f, "{note}")?;
        }
        writeln!(
            f,
            "{} transcripts replayed, {} answer lines compared, {} differ as listed, \
             {} answers not captured (client closed before reading)",
            self.replayed, self.compared, self.differing_lines, self.uncaptured
        )
    }
}

/// Replays every wire transcript among `files` ((file name, text); the others — driver logs,
/// serial captures, upsc output, escaping.txt — are skipped) in the order the harness ran
/// them, through [`Sessions`], allowing [`EXPECTED`] and [`SESSION_ONLY`]. `Err` reports
/// unexplained differences, listed ones that no longer occur, or too few transcripts.
pub fn replay_all(files: &[(&str, &str)]) -> Result<Summary, String> {
    let listed: Vec<_> = EXPECTED.iter().chain(SESSION_ONLY).copied().collect();
    replay_on(files, &listed, |_, ups| Sessions(ups))
}

/// [`replay_all`] through the targets `open` makes: one per transcript, given the file name
/// and the UPS as the previous transcript left it (it gets it back by [`Target::into_ups`]).
/// `listed` are the differences allowed, in the form of [`EXPECTED`].
pub fn replay_on<T: Target>(
    files: &[(&str, &str)],
    listed: &[(&str, &str, &str)],
    mut open: impl FnMut(&str, FixedUps) -> T,
) -> Result<Summary, String> {
    let transcript = |name: &str| -> &str {
        files
            .iter()
            .find(|(f, _)| *f == name)
            .map_or("", |(_, t)| *t)
    };
    let mut runs: Vec<((u8, String, String), &str)> = files
        .iter()
        .map(|(file, text)| (run_key(file, text), *text))
        .filter(|(_, text)| parse(text).iter().any(|i| matches!(i, Item::Send { .. })))
        .collect();
    runs.sort();
    let mut summary = Summary::default();
    let mut hit = BTreeSet::new();
    let mut unexplained = Vec::new();
    let mut dir = simulated_ups(transcript);
    let mut group = 0;
    for ((g, _, file), text) in &runs {
        if *g != group {
            group = *g;
            if group == 2 {
                dir = simulated_ups(transcript);
            }
        }
        summary.replayed += 1;
        let mut target = open(file, dir);
        let out = replay(file, text, &mut target);
        dir = target.into_ups();
        summary.compared += out.compared;
        summary.uncaptured += out.uncaptured;
        for (f, req, theirs, ours) in out.differing {
            match listed
                .iter()
                .position(|(ef, er, _)| *ef == f && matches(er, &req))
            {
                Some(i) => {
                    hit.insert(i);
                    summary.differing_lines += (0..theirs.len().max(ours.len()))
                        .filter(|&k| theirs.get(k) != ours.get(k))
                        .count();
                    summary.notes.push(format!(
                        "expected difference {f} `{}`: {}",
                        req.chars().take(60).collect::<String>(),
                        listed[i].2
                    ));
                }
                None => unexplained.push(format!("{f}: `{req}`\n{}", line_diff(&theirs, &ours))),
            }
        }
    }
    let unhit: Vec<_> = (0..listed.len())
        .filter(|i| !hit.contains(i))
        .map(|i| listed[i])
        .collect();
    if !unexplained.is_empty() {
        return Err(format!(
            "unexplained differences:\n{}",
            unexplained.join("\n")
        ));
    }
    if !unhit.is_empty() {
        return Err(format!(
            "listed differences that no longer occur: {unhit:?}"
        ));
    }
    if summary.replayed < 30 {
        return Err(format!("only {} transcripts found", summary.replayed));
    }
    Ok(summary)
}

/// escaping.txt: the UPS published the value upsc printed; upsd's raw answer must come back
/// byte for byte. `Err` shows both answers.
pub fn escaping<'a>(text: &str, transcript: impl Fn(&str) -> &'a str) -> Result<(), String> {
    escaping_on(text, transcript, |_, ups| Sessions(ups))
}

/// [`escaping`] through the target `open` makes.
pub fn escaping_on<'a, T: Target>(
    text: &str,
    transcript: impl Fn(&str) -> &'a str,
    open: impl FnOnce(&str, FixedUps) -> T,
) -> Result<(), String> {
    let mut lines = text.lines();
    let request = lines
        .find_map(|l| l.strip_prefix("## raw: "))
        .ok_or("escaping.txt: no `## raw:` line")?
        .to_string();
    let raw = decode_bytes_literal(lines.next().ok_or("escaping.txt: no raw answer")?);
    lines.find(|l| l.starts_with("## upsc "));
    let value = lines.next().ok_or("escaping.txt: no upsc value")?;
    let var = request
        .split(' ')
        .nth(3)
        .ok_or("escaping.txt: no variable")?;
    let mut dir = simulated_ups(transcript);
    dir.vars
        .set(leak(var), value)
        .map_err(|e| format!("{var}: {e:?}"))?;
    let mut target = open("escaping.txt", dir);
    let mut s = target.connect();
    let expect = Expect {
        lines: 1,
        closed: false,
    };
    let (ours, _) = target.exchange(&mut s, format!("{request}\n").as_bytes(), expect);
    target.close(s);
    if ours == raw {
        Ok(())
    } else {
        Err(format!(
            "qxups {:?}\nupsd  {:?}",
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&raw)
        ))
    }
}
