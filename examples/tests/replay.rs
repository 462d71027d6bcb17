//! The replay example on the vector tables: the right dialect, and its values.

use std::process::Command;

fn replay(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_replay"))
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn vectors(file: &str) -> String {
    let dir = std::env::var("QXUPS_VECTORS")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors").into());
    format!("{dir}/{file}")
}

#[test]
fn hunnox_capture_is_detected_and_read() {
    let (ok, out) = replay(&[&vectors("hunnox.tsv")]);
    assert!(ok, "{out}");
    assert!(out.starts_with("# dialect hunnox\n"), "{out}");
    assert!(out.contains("\nbattery.charge: 100\n"), "{out}");
}

#[test]
fn a_named_protocol_is_used() {
    let (ok, out) = replay(&["--protocol", "q1", &vectors("megatec.tsv")]);
    assert!(ok, "{out}");
    assert!(out.starts_with("# dialect q1\n"), "{out}");
}

#[test]
fn a_missing_file_fails() {
    let (ok, _) = replay(&["/nonexistent/capture.tsv"]);
    assert!(!ok);
}
