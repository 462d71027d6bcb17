//! The check of one dialect's vectors (`../shared/vectors/<dialect>.tsv` and `.expected`): the
//! values after the initialisation walk plus one full update, per-answer parse results, derived
//! values, absent variables, instant-command bytes and results, and setvar outcomes.
//!
//! Rows the spec marks `#!` (NUT bugs) are checked against the fixed behaviour listed in
//! [`NUT_BUGS_FIXED`], each with its reason.
//!
//! `no_std` with `alloc`: `tests/vectors.rs` runs it on the host over the files, the QEMU test
//! binary (`core/qemu-tests`, which includes this file by path) over the texts embedded at
//! build time. Its parent module must have `script` (`common/script.rs`) beside it.

extern crate alloc;

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::script::{ScriptedDevice, block_on, escape, parse_tsv, unescape};
use qxups::ups::{CmdError, SetOutcome};
use qxups::{Options, Poll, Ups, dialect};

/// `.expected` lines (as written) that describe a NUT bug, and what qxups does instead.
pub const NUT_BUGS_FIXED: &[(&str, &str, &str, &str)] = &[
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

type Table = [(Vec<u8>, Vec<u8>)];

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

struct Failures(Vec<String>);

impl Failures {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.0.push(what());
        }
    }
}

/// What `device` was sent, as the `.expected` files write it (`Q1\r + F\r`).
fn sent(device: &ScriptedDevice) -> String {
    device
        .sent
        .iter()
        .map(|c| escape(c))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// A malformed `.expected` line.
fn bad(section: &str, line: &str) -> String {
    format!("[{section}] malformed line {line:?}")
}

/// Checks every row of `expected` (the text of `<file>.expected`) against the dialect `file`
/// names (`megatec-old` is `megatec/old`), walked over a device playing `tsv` (the text of
/// `<file>.tsv`). The number of rows checked, or a report of every row that differs.
pub fn check_dialect(file: &str, tsv: &str, expected: &str) -> Result<usize, String> {
    let name = file.replace("megatec-old", "megatec/old");
    let dialect = dialect::by_name(&name).ok_or_else(|| format!("no dialect {name}"))?;
    let table = parse_tsv(tsv);
    let mut f = Failures(Vec::new());

    let mut device = ScriptedDevice::new(table.clone(), dialect.rejected);
    let mut ups = Ups::new(dialect, Options::new());
    let claimed =
        block_on(ups.claim(&mut device, true)).map_err(|e| format!("{file}: claim: {e}"))?;
    if !claimed {
        return Err(format!(
            "{file}: claim failed; sent {:?}",
            device.sent.iter().map(|c| escape(c)).collect::<Vec<_>>()
        ));
    }
    block_on(ups.init(&mut device, 0)).map_err(|e| format!("{file}: init: {e}"))?;
    block_on(ups.update(&mut device, Poll::Full, 2_000))
        .map_err(|e| format!("{file}: update: {e}"))?;
    let walked: Vec<Vec<u8>> = device.sent.clone();
    let snapshot = ups.clone();

    let mut section = String::new();
    let mut status_seen_alarm = false;
    let mut rows = 0usize;
    for line in expected.lines() {
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
            section = s.to_string();
            continue;
        }
        rows += 1;
        let line = NUT_BUGS_FIXED
            .iter()
            .find(|(d, nut, _, _)| *d == file && *nut == line)
            .map_or(line, |(_, _, ours, _)| ours);
        match section.as_str() {
            "status" | "derived" => {
                let (k, v) = line.split_once('=').ok_or_else(|| bad(&section, line))?;
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
            "instcmd" => check_instcmd(&snapshot, &table, line, &mut f)?,
            "setvar" => check_setvar(&snapshot, &table, line, &mut f)?,
            group => {
                let (k, v) = line.split_once('=').ok_or_else(|| bad(group, line))?;
                let (cmd_text, nth) = match group.split_once('#') {
                    Some((c, n)) => (c, n.parse::<usize>().map_err(|_| bad(group, line))?),
                    None => (group, 1),
                };
                let cmd = unescape(cmd_text);
                let sent_in_walk = walked.contains(&cmd) && nth == 1;
                let got = if sent_in_walk {
                    snapshot.vars().get(k).map(str::to_string)
                } else {
                    let answer = table
                        .iter()
                        .filter(|(c, _)| *c == cmd)
                        .nth(nth.saturating_sub(1))
                        .map(|(_, a)| a.clone())
                        .ok_or_else(|| format!("[{group}] no answer #{nth} in {file}.tsv"))?;
                    let mut copy = snapshot.clone();
                    let _ = copy.decode(&cmd, &answer);
                    copy.vars().get(k).map(str::to_string)
                };
                f.check(got.as_deref() == Some(v), || {
                    format!("[{group}] {k}: expected {v:?}, got {got:?}")
                });
            }
        }
    }
    if rows == 0 {
        return Err(format!("{file}: no rows read"));
    }
    if f.0.is_empty() {
        Ok(rows)
    } else {
        Err(format!(
            "{file}: {} of {rows} rows differ:\n  {}",
            f.0.len(),
            f.0.join("\n  ")
        ))
    }
}

fn check_instcmd(
    snapshot: &Ups,
    table: &Table,
    line: &str,
    f: &mut Failures,
) -> Result<(), String> {
    let parts: Vec<&str> = line.split(" => ").collect();
    let [call, bytes, result] = parts[..] else {
        return Err(bad("instcmd", line));
    };
    let mut words = call.split(' ');
    let name = words.next().ok_or_else(|| bad("instcmd", line))?;
    let mut arg = None;
    let mut ups = snapshot.clone();
    for w in words {
        if let Some(list) = w.strip_prefix('@') {
            for kv in list.split(',') {
                let (k, v) = kv.split_once(':').ok_or_else(|| bad("instcmd", line))?;
                ups.publish(leak(k), v)
                    .map_err(|e| format!("[instcmd] {line}: publish {k}: {e:?}"))?;
            }
        } else {
            arg = Some(w);
        }
    }
    let mut device = ScriptedDevice::new(table.to_vec(), ups.dialect().rejected);
    let outcome = block_on(ups.instcmd(&mut device, name, arg));
    let sent = sent(&device);
    let got = match outcome {
        Ok(()) => "HANDLED",
        Err(CmdError::Unknown) => "INVALID",
        Err(_) => "FAILED",
    };
    f.check(sent == bytes && got == result, || {
        format!("[instcmd] {line}: sent {sent:?}, result {got} ({outcome:?})")
    });
    Ok(())
}

fn check_setvar(snapshot: &Ups, table: &Table, line: &str, f: &mut Failures) -> Result<(), String> {
    let (call, want) = line.split_once(" => ").ok_or_else(|| bad("setvar", line))?;
    let (var, value) = call.split_once(' ').ok_or_else(|| bad("setvar", line))?;
    let mut ups = snapshot.clone();
    let mut device = ScriptedDevice::new(table.to_vec(), ups.dialect().rejected);
    let outcome = block_on(ups.setvar(&mut device, var, value));
    let sent = sent(&device);
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
    Ok(())
}
