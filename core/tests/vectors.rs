//! Every row of `../shared/vectors/<dialect>.tsv` and `.expected`, read from the files: the
//! values after the initialisation walk plus one full update, per-answer parse results, derived
//! values, absent variables, instant-command bytes and results, and setvar outcomes.
//!
//! Rows the spec marks `#!` (NUT bugs) are checked against the fixed behaviour listed in
//! [`NUT_BUGS_FIXED`], each with its reason.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{ScriptedDevice, block_on, escape, read_tsv, unescape, vectors_dir};
use qxups::ups::{CmdError, SetOutcome};
use qxups::{Options, Poll, Ups, dialect};

/// `.expected` lines (as written) that describe a NUT bug, and what qxups does instead.
const NUT_BUGS_FIXED: &[(&str, &str, &str, &str)] = &[
    (
        "masterguard",
        "ups.id 5 => REJECTED",
        "ups.id 5 => SENT SS05--,00\\r",
        "NUT's integer setters leave the value unformatted (spec §5.19); qxups sends the intended bytes",
    ),
    (
        "masterguard",
        "output.voltage.nominal 240 => SENT 240",
        "output.voltage.nominal 240 => SENT PNV=240\\r",
        "NUT sends the bare value without CR (spec §5.19); qxups sends the intended bytes",
    ),
    (
        "masterguard",
        "shutdown.return @ups.delay.start:180,ups.delay.shutdown:30 => S.5R0180\\r => HANDLED",
        "shutdown.return @ups.delay.start:180,ups.delay.shutdown:30 => S.5R0003\\r => HANDLED",
        "NUT sends the restart delay in seconds where the device reads minutes (spec §5.19)",
    ),
];

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

struct Failures(Vec<String>);

impl Failures {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.0.push(what());
        }
    }
}

fn check_dialect(file: &str) {
    let name = file.replace("megatec-old", "megatec/old");
    let dialect = dialect::by_name(&name).unwrap_or_else(|| panic!("no dialect {name}"));
    let table = read_tsv(file);
    let expected_path = vectors_dir().join(format!("{file}.expected"));
    let expected = std::fs::read_to_string(&expected_path).unwrap();
    let mut f = Failures(Vec::new());

    let mut device = ScriptedDevice::new(table.clone(), dialect.rejected);
    let mut ups = Ups::new(dialect, Options::new());
    let claimed = block_on(ups.claim(&mut device, true)).unwrap();
    assert!(
        claimed,
        "{file}: claim failed; sent {:?}",
        device.sent.iter().map(|c| escape(c)).collect::<Vec<_>>()
    );
    block_on(ups.init(&mut device, 0)).unwrap_or_else(|e| panic!("{file}: init: {e}"));
    block_on(ups.update(&mut device, Poll::Full, 2_000))
        .unwrap_or_else(|e| panic!("{file}: update: {e}"));
    let walked: Vec<Vec<u8>> = device.sent.clone();
    let snapshot = ups.clone();

    let mut section = String::new();
    let mut status_seen_alarm = false;
    let mut rows = 0usize;
    for raw_line in expected.lines() {
        let line = raw_line;
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(s) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if section == "status" && !status_seen_alarm {
                f.check(snapshot.vars().get("ups.alarm").is_none(), || {
                    format!(
                        "[status] ups.alarm should be absent, is {:?}",
                        snapshot.vars().get("ups.alarm")
                    )
                });
            }
            section = s.to_owned();
            continue;
        }
        rows += 1;
        let line = NUT_BUGS_FIXED
            .iter()
            .find(|(d, nut, _, _)| *d == file && *nut == line)
            .map_or(line, |(_, _, ours, _)| ours);
        match section.as_str() {
            "status" | "derived" => {
                let (k, v) = line.split_once('=').unwrap();
                if k == "ups.alarm" {
                    status_seen_alarm = true;
                }
                let got = snapshot.vars().get(k);
                f.check(got == Some(v), || {
                    format!("[{section}] {k}: expected {v:?}, got {got:?}")
                });
            }
            "absent" => {
                let got = snapshot.vars().get(line);
                f.check(got.is_none(), || {
                    format!("[absent] {line} is published as {got:?}")
                });
            }
            "instcmd" => check_instcmd(&snapshot, &table, line, &mut f),
            "setvar" => check_setvar(&snapshot, &table, line, &mut f),
            group => {
                let (k, v) = line.split_once('=').unwrap();
                let (cmd_text, nth) = match group.split_once('#') {
                    Some((c, n)) => (c, n.parse::<usize>().unwrap()),
                    None => (group, 1),
                };
                let cmd = unescape(cmd_text);
                let sent_in_walk = walked.contains(&cmd) && nth == 1;
                let got = if sent_in_walk {
                    snapshot.vars().get(k).map(str::to_owned)
                } else {
                    let answer = table
                        .iter()
                        .filter(|(c, _)| *c == cmd)
                        .nth(nth - 1)
                        .map(|(_, a)| a.clone())
                        .unwrap();
                    let mut copy = snapshot.clone();
                    let _ = copy.decode(&cmd, &answer);
                    copy.vars().get(k).map(str::to_owned)
                };
                f.check(got.as_deref() == Some(v), || {
                    format!("[{group}] {k}: expected {v:?}, got {got:?}")
                });
            }
        }
    }
    assert!(rows > 0, "{file}: no rows read");
    assert!(
        f.0.is_empty(),
        "{file}: {} of {rows} rows differ:\n  {}",
        f.0.len(),
        f.0.join("\n  ")
    );
}

fn check_instcmd(snapshot: &Ups, table: &[(Vec<u8>, Vec<u8>)], line: &str, f: &mut Failures) {
    let parts: Vec<&str> = line.split(" => ").collect();
    let [call, bytes, result] = parts[..] else {
        panic!("bad instcmd line {line}")
    };
    let mut words = call.split(' ');
    let name = words.next().unwrap();
    let mut arg = None;
    let mut ups = snapshot.clone();
    for w in words {
        if let Some(list) = w.strip_prefix('@') {
            for kv in list.split(',') {
                let (k, v) = kv.split_once(':').unwrap();
                ups.publish(leak(k), v).unwrap();
            }
        } else {
            arg = Some(w);
        }
    }
    let mut device = ScriptedDevice::new(table.to_vec(), ups.dialect().rejected);
    let outcome = block_on(ups.instcmd(&mut device, name, arg));
    let sent = device
        .sent
        .iter()
        .map(|c| escape(c))
        .collect::<Vec<_>>()
        .join(" + ");
    let got = match outcome {
        Ok(()) => "HANDLED",
        Err(CmdError::Unknown) => "INVALID",
        Err(_) => "FAILED",
    };
    f.check(sent == bytes && got == result, || {
        format!("[instcmd] {line}: sent {sent:?}, result {got} ({outcome:?})")
    });
}

fn check_setvar(snapshot: &Ups, table: &[(Vec<u8>, Vec<u8>)], line: &str, f: &mut Failures) {
    let (call, want) = line.split_once(" => ").unwrap();
    let (var, value) = call.split_once(' ').unwrap();
    let mut ups = snapshot.clone();
    let mut device = ScriptedDevice::new(table.to_vec(), ups.dialect().rejected);
    let outcome = block_on(ups.setvar(&mut device, var, value));
    let sent = device
        .sent
        .iter()
        .map(|c| escape(c))
        .collect::<Vec<_>>()
        .join(" + ");
    let ok = match (want, &outcome) {
        ("REJECTED", Err(_)) => true,
        ("REJECTED", Ok(_)) => false,
        (w, Ok(SetOutcome::Sent)) if w.starts_with("SENT ") => {
            w.strip_prefix("SENT ") == Some(sent.as_str())
        }
        (w, Ok(SetOutcome::Stored(_) | SetOutcome::Unchanged)) => {
            sent.is_empty() && ups.vars().get(var) == Some(w)
        }
        _ => false,
    };
    f.check(ok, || {
        format!(
            "[setvar] {line}: got {outcome:?}, sent {sent:?}, {var} = {:?}",
            ups.vars().get(var)
        )
    });
}

macro_rules! vector_tests {
    ($($test:ident => $file:literal),* $(,)?) => {
        $(#[test] fn $test() { check_dialect($file); })*

        /// No vector file is left out.
        #[test]
        fn every_vector_file_is_checked() {
            let files = [$($file),*];
            for entry in std::fs::read_dir(vectors_dir()).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "tsv") {
                    let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
                    assert!(files.contains(&stem.as_str()), "{stem}.tsv has no test");
                    assert!(path.with_extension("expected").exists(), "{stem}.expected missing");
                }
            }
        }
    };
}

vector_tests! {
    megatec => "megatec",
    megatec_old => "megatec-old",
    mustek => "mustek",
    zinto => "zinto",
    q1 => "q1",
    hunnox => "hunnox",
    mecer => "mecer",
    bestups => "bestups",
    ablerex => "ablerex",
    gtec => "gtec",
    innovart31 => "innovart31",
    innovart33 => "innovart33",
    innovatae => "innovatae",
    omron => "omron",
    q2 => "q2",
    q6 => "q6",
    masterguard => "masterguard",
}
