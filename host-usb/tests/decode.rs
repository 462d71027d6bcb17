//! `qxups decode` run as a process: arguments, standard input, JSON, the dialect list, and the
//! exit status of bad answers and unknown protocols.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const ANSWER: &str = r"(208.4 140.0 208.4 034 59.9 2.05 35.0 00110000\r";

fn qxups(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qxups"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("qxups runs");
    let mut pipe = child.stdin.take().expect("stdin");
    pipe.write_all(stdin.unwrap_or_default()).expect("write");
    drop(pipe);
    child.wait_with_output().expect("qxups ends")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 output")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `name: value` lines as pairs.
fn pairs(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (k, v) = l.split_once(": ").expect("name: value");
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

fn vectors_dir() -> PathBuf {
    std::env::var_os("QXUPS_VECTORS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"),
        PathBuf::from,
    )
}

/// The `name=value` rows of one `[group]` of a `.expected` file.
fn expected_group(dialect: &str, group: &str) -> Vec<(String, String)> {
    let path = vectors_dir().join(format!("{dialect}.expected"));
    let text = std::fs::read_to_string(&path).expect("vector file");
    let header = format!("[{group}]");
    text.lines()
        .skip_while(|l| *l != header)
        .skip(1)
        .take_while(|l| !l.starts_with('['))
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l.split_once('=').expect("name=value");
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

/// The answer to `command` in a `.tsv` file, as written there (escapes kept).
fn tsv_answer(dialect: &str, command: &str) -> String {
    let path = vectors_dir().join(format!("{dialect}.tsv"));
    let text = std::fs::read_to_string(&path).expect("vector file");
    text.lines()
        .filter_map(|l| l.split_once('\t'))
        .find(|(c, _)| *c == command)
        .map(|(_, rest)| rest.split('\t').next().unwrap_or_default().to_owned())
        .expect("command in table")
}

#[test]
fn megatec_q1_as_argument() {
    let out = qxups(
        &["decode", "--protocol", "megatec", "--command", "Q1", ANSWER],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let got = pairs(&stdout(&out));
    let get = |k: &str| got.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(get("input.voltage"), Some("208.4"));
    assert_eq!(get("input.voltage.fault"), Some("140.0"));
    assert_eq!(get("ups.load"), Some("34"));
    assert_eq!(get("input.frequency"), Some("59.9"));
    assert_eq!(get("ups.temperature"), Some("35.0"));
    assert_eq!(get("ups.beeper.status"), Some("disabled"));
    assert!(get("ups.status").is_some_and(|s| s.contains("BYPASS")));
    // Sorted by name, like upsc.
    let names: Vec<&String> = got.iter().map(|(n, _)| n).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    // Every variable the vector file expects from a Q1 answer is there.
    for (name, _) in expected_group("megatec", r"Q1\r") {
        assert!(get(&name).is_some(), "{name} missing");
    }
}

#[test]
fn megatec_q1_matches_vector_file() {
    let answer = tsv_answer("megatec", r"Q1\r");
    let out = qxups(&["decode", "-p", "megatec", "-c", r"Q1\r", &answer], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let got = pairs(&stdout(&out));
    let group = expected_group("megatec", r"Q1\r");
    assert!(group.len() >= 5);
    for (name, value) in group {
        assert!(
            got.contains(&(name.clone(), value.clone())),
            "{name}={value} not in {got:?}"
        );
    }
}

#[test]
fn answers_from_stdin() {
    let second = tsv_answer("megatec", r"Q1\r");
    // One answer with a real CR, one with the escape; a blank line between is skipped.
    let input = format!("{}\n\n{second}\n", ANSWER.replace(r"\r", "\r"));
    let out = qxups(
        &["decode", "-p", "megatec", "-c", "Q1", "-"],
        Some(input.as_bytes()),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let blocks: Vec<&str> = text.split("\n\n").collect();
    assert_eq!(blocks.len(), 2, "{text}");
    assert!(blocks[0].contains("input.voltage: 208.4"));
    let q1 = expected_group("megatec", r"Q1\r");
    let (name, value) = &q1[0];
    assert!(blocks[1].contains(&format!("{name}: {value}")), "{text}");
}

#[test]
fn json_output() {
    let out = qxups(
        &["decode", "-p", "megatec", "-c", "Q1", "--json", ANSWER],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("JSON");
    assert_eq!(v["command"], r"Q1\r");
    assert_eq!(v["answer"], ANSWER);
    assert_eq!(v["error"], serde_json::Value::Null);
    assert_eq!(v["variables"]["input.voltage"], "208.4");
    assert_eq!(v["variables"]["ups.load"], "34");
}

#[test]
fn list_names_every_dialect_and_its_queries() {
    let out = qxups(&["decode", "--list"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for d in qxups::dialect::AUTODETECT_ORDER {
        assert!(
            text.lines().any(|l| l.split(' ').next() == Some(d.name)),
            "{} not listed",
            d.name
        );
    }
    let megatec = text
        .split_inclusive('\n')
        .skip_while(|l| !l.starts_with("megatec "))
        .take(3)
        .collect::<String>();
    assert!(megatec.contains(r"Q1\r F\r I\r"), "{megatec}");
    assert!(megatec.contains("shutdown.return"), "{megatec}");
}

#[test]
fn invalid_answer_exits_1_with_the_error() {
    let out = qxups(&["decode", "-p", "megatec", "-c", "Q1", r"(208.4\r"], None);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("answer too short"), "{err}");
    let out = qxups(
        &["decode", "-p", "megatec", "-c", "Q1", "--json", r"(208.4\r"],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("JSON");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("too short"))
    );
}

#[test]
fn unknown_protocol_exits_2_naming_the_valid_ones() {
    let out = qxups(&["decode", "-p", "nosuch", "-c", "Q1", ANSWER], None);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("nosuch"), "{err}");
    assert!(err.contains("megatec") && err.contains("hunnox"), "{err}");
}

#[test]
fn unknown_command_exits_2() {
    let out = qxups(&["decode", "-p", "megatec", "-c", "XYZ", ANSWER], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(r"Q1\r"));
}
