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

use common::replay::{escaping, replay_all};

#[test]
fn replay_matches_upsd_except_listed_differences() {
    let files = common::nut_client_files();
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(f, t)| (f.as_str(), t.as_str()))
        .collect();
    let summary = replay_all(&files).unwrap_or_else(|e| panic!("{e}"));
    print!("{summary}");
}

#[test]
fn escaping_matches_upsd() {
    let files = common::nut_client_files();
    let text = |name: &str| -> &str {
        files
            .iter()
            .find(|(f, _)| f == name)
            .map_or("", |(_, t)| t.as_str())
    };
    escaping(text("escaping.txt"), text).unwrap_or_else(|e| panic!("{e}"));
}
