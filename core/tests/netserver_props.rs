//! Property tests of the network session: any byte stream, cut into any chunks and drained
//! through any output buffer size, gives the same replies as in one piece, never panics, and
//! every reply line is at most 512 bytes and ends with `\n`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use qxups::netserver::{Config, FixedUps, Session, UpsDirectory, UpsState, Users};
use qxups::nut::vars::{Rw, Vars};

const USERS: &str = "[monuser]\npassword = secret\nupsmon secondary\n\
[upsmon]\npassword = upsmonpass\nupsmon primary\n\
[admin]\npassword = adminpass\nactions = SET FSD\ninstcmds = ALL\n";

fn dir(state: UpsState) -> FixedUps {
    let mut v = Vars::new();
    v.set("ups.status", "OL").unwrap();
    v.set("device.mfr", "Q\"S#I\\M").unwrap();
    v.set("ups.delay.shutdown", "30").unwrap();
    v.set_rw("ups.delay.shutdown", Rw::Range(&[(12, 600)]));
    v.set("ups.beeper.status", "enabled").unwrap();
    v.set_rw("ups.beeper.status", Rw::Enum(&["enabled", "disabled"]));
    let mut d = FixedUps::new(
        "ups",
        v,
        &["beeper.toggle", "load.off"],
        Users::parse(USERS).unwrap(),
    );
    d.state = state;
    d
}

const FRAGMENTS: &[&str] = &[
    "GET VAR ups ups.status\n",
    "get var UPS Ups.Status\n",
    "LIST VAR ups\n",
    "LIST RW ups\n",
    "LIST CMD ups\n",
    "LIST ENUM ups ups.beeper.status\n",
    "LIST RANGE ups ups.delay.shutdown\n",
    "LIST CLIENT ups\n",
    "LIST UPS\n",
    "USERNAME admin\n",
    "USERNAME upsmon\n",
    "PASSWORD adminpass\n",
    "PASSWORD upsmonpass\n",
    "LOGIN ups\n",
    "PRIMARY ups\n",
    "FSD ups\n",
    "SET VAR ups ups.delay.shutdown 60\n",
    "SET VAR ups ups.beeper.status \"disabled\"\n",
    "SET TRACKING ON\n",
    "GET TRACKING\n",
    "INSTCMD ups beeper.toggle\n",
    "GET DESC ups ups.status\n",
    "GET TYPE ups ups.delay.shutdown\n",
    "VER\n",
    "HELP\n",
    "STARTTLS\n",
    "LOGOUT\n",
    "\"",
    "\\",
    "#",
    "=",
    " ",
    "\r",
    "\n",
];

fn input() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(FRAGMENTS).prop_map(|f| f.as_bytes().to_vec()),
            1 => prop::collection::vec(any::<u8>(), 0..40),
            1 => (0usize..600).prop_map(|n| vec![b'a'; n]),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

/// Everything the session said, whether it closed, and what the directory saw.
fn run(
    input: &[u8],
    state: UpsState,
    chunks: &[usize],
    out_sizes: &[usize],
) -> (Vec<u8>, bool, bool, usize, usize) {
    let mut d = dir(state);
    let mut s = Session::new("127.0.0.1", Config::DEFAULT);
    let mut out = Vec::new();
    let mut rest = input;
    let mut k = 0;
    loop {
        let chunk = chunks[k % chunks.len()].min(rest.len());
        let used = s.feed(&rest[..chunk]);
        rest = &rest[used..];
        let mut buf = vec![0u8; out_sizes[k % out_sizes.len()]];
        let n = s.poll_output(&mut d, &mut buf);
        out.extend_from_slice(&buf[..n]);
        k += 1;
        if rest.is_empty() && !s.has_output() {
            break;
        }
        assert!(k < 10_000_000, "no progress");
    }
    let logins = d.numlogins(0);
    let mut requests = 0;
    while d.take_request().is_some() {
        requests += 1;
    }
    (out, s.is_closed(), d.slot.fsd, logins, requests)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn chunking_does_not_change_replies(
        input in input(),
        stale in any::<bool>(),
        chunks in prop::collection::vec(1usize..80, 1..8),
        out_sizes in prop::collection::vec(1usize..80, 1..8),
    ) {
        let state = if stale { UpsState::Stale } else { UpsState::Fresh };
        let whole = run(&input, state, &[usize::MAX], &[1 << 16]);
        let cut = run(&input, state, &chunks, &out_sizes);
        prop_assert_eq!(&whole, &cut);
        let text = whole.0;
        if !text.is_empty() {
            prop_assert_eq!(text.last(), Some(&b'\n'));
        }
        for line in text.split_inclusive(|&b| b == b'\n') {
            prop_assert!(line.len() <= 512, "line of {} bytes", line.len());
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..5000)) {
        let mut d = dir(UpsState::Fresh);
        let mut s = Session::new("::1", Config::DEFAULT);
        let mut sink = 0usize;
        s.handle(&mut d, &bytes, |b| sink += b.len());
        s.disconnect(&mut d);
        prop_assert_eq!(d.numlogins(0), 0);
    }
}
