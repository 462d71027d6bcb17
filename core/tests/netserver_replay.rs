//! Replays the requests of the upsd 2.8.0 transcripts in `nut-clients/` against a
//! [`Session`](qxups::netserver::Session) and compares the answers with upsd's, line by line
//! (`common/replay.rs`, which the QEMU test binary shares; its module docs say how).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::NutClients;
use common::replay::{escaping, replay_all};

#[test]
fn replay_matches_upsd_except_listed_differences() {
    let summary = replay_all(&NutClients::load().files()).unwrap_or_else(|e| panic!("{e}"));
    print!("{summary}");
}

#[test]
fn escaping_matches_upsd() {
    let t = NutClients::load();
    escaping(t.text("escaping.txt"), |n| t.text(n)).unwrap_or_else(|e| panic!("{e}"));
}
