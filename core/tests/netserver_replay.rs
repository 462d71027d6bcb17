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

use std::fs;

use common::replay::{escaping, replay_all};

/// (file name, text) of every transcript.
fn transcripts() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = fs::read_dir(common::nut_clients_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| {
            let name = p.file_name().unwrap().to_str().unwrap().to_string();
            (name, fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn replay_matches_upsd_except_listed_differences() {
    let files = transcripts();
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(f, t)| (f.as_str(), t.as_str()))
        .collect();
    let summary = replay_all(&files).unwrap_or_else(|e| panic!("{e}"));
    for note in &summary.notes {
        println!("{note}");
    }
    println!(
        "{} transcripts replayed, {} answer lines compared, {} differ as listed, \
         {} answers not captured (client closed before reading)",
        summary.replayed, summary.compared, summary.differing_lines, summary.uncaptured
    );
}

#[test]
fn escaping_matches_upsd() {
    let files = transcripts();
    let text = |name: &str| -> &str {
        files
            .iter()
            .find(|(f, _)| f == name)
            .map_or("", |(_, t)| t.as_str())
    };
    escaping(text("escaping.txt"), text).unwrap_or_else(|e| panic!("{e}"));
}
