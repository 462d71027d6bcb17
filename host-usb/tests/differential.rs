//! Differential test: Debian's NUT `nutdrv_qx` and `qxups status` read the same virtual UPS
//! over a Linux pseudo-terminal, and every variable both publish must agree (`driver.*`
//! excepted). What may differ is listed below, each entry with its reason:
//!
//! * [`DIFFERENT`]: a value both publish that differs — a NUT bug fixed here (spec §6), or NUT
//!   2.8.0 (Debian bookworm's `nut-server`) behaving as an older release than the NUT snapshot
//!   the spec describes;
//! * [`ONLY_NUT`] / [`ONLY_QXUPS`]: names only one side publishes. A new one-sided name fails
//!   the test, and so does an entry that no longer happens (the tables stay honest).
//!
//! Version differences and how they are handled:
//! * NUT 2.8.0's megatec (0.06) needs the plain 39-byte `I` answer, the spec's megatec (0.10)
//!   reads the 38-byte "Megatec IC" one (§5.1) and the virtual UPS plays that by default, so
//!   2.8.0 says "Device not supported". The megatec comparison therefore runs with the virtual
//!   UPS's classic identity ([`Identity::Classic`], `qxups simulate --identity classic`), which
//!   both accept: its maker, model and firmware fields are short enough to read the same at
//!   both layouts' offsets. [`nut_2_8_0_refuses_the_megatec_ic_identity`] pins the refusal.
//! * gtec, innovart31/33, innovatae, q2, q6 and omron are not in 2.8.0, and its masterguard
//!   (0.02) never claims (its claim looks for a `series` item its table does not have), so
//!   those cannot be compared here.
//!
//! The test fails loudly when `nutdrv_qx` is missing (`scripts/test-all` installs Debian's
//! `nut-server`); `NUTDRV_QX` names another binary.
#![cfg(target_os = "linux")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use qxups::virtual_ups::{Identity, VirtualUps};
use qxups_usb::pty::PtyUps;

/// The NUT release the tables below were written against.
const NUT_VERSION: &str = "2.8.0";

/// Every protocol whose `battery.voltage` goes through the battery-voltage multiplier (§2.11).
const MULTIPLIER: &[&str] = &[
    "megatec",
    "megatec/old",
    "mustek",
    "zinto",
    "hunnox",
    "q1",
    "mecer",
    "bestups",
];

/// Every protocol compared whose device reports a maker and model (q1 has no identity query).
const WITH_IDENTITY: &[&str] = &[
    "megatec",
    "megatec/old",
    "mustek",
    "zinto",
    "hunnox",
    "mecer",
    "bestups",
    "ablerex",
];

/// Protocols compared, with the identity layout the virtual UPS answers in.
const CASES: &[(&str, Identity)] = &[
    ("megatec", Identity::Classic),
    ("megatec/old", Identity::Native),
    ("mustek", Identity::Native),
    ("zinto", Identity::Native),
    ("hunnox", Identity::Native),
    ("q1", Identity::Native),
    ("mecer", Identity::Native),
    ("bestups", Identity::Native),
    ("ablerex", Identity::Native),
];

/// The states of the virtual UPS each protocol is read in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scenario {
    /// Healthy, on mains, battery full.
    Mains,
    /// Mains failed, battery at 15 % (low), beeper on, UPS fault bit set.
    LowBattery,
    /// On mains at 195 V with bit b5 set (boost), a battery test running.
    BoostTest,
}

const SCENARIOS: [Scenario; 3] = [Scenario::Mains, Scenario::LowBattery, Scenario::BoostTest];

impl Scenario {
    fn apply(self, ups: &mut VirtualUps) {
        let s = &mut ups.state;
        // The battery barely drains while the two sides read it one after the other.
        s.full_load_runtime_s = u32::MAX;
        match self {
            Self::Mains => {}
            Self::LowBattery => {
                s.power_fail();
                s.set_charge(15_000);
                s.low_battery = true;
                s.beeper = true;
                s.failed = true;
            }
            Self::BoostTest => {
                s.input_voltage = 1950;
                s.bypass = true;
                s.test = Some(qxups::virtual_ups::Test::UntilLow);
            }
        }
    }
}

/// A value both sides publish that differs.
struct Difference {
    protocols: &'static [&'static str],
    /// `&[]`: every scenario.
    scenarios: &'static [Scenario],
    name: &'static str,
    /// Whether NUT's value and qxups's differ as explained (and in no other way).
    rule: fn(nut: &str, qxups: &str) -> bool,
    reason: &'static str,
}

/// A name only one side publishes.
struct OneSided {
    protocols: &'static [&'static str],
    /// `&[]`: every scenario.
    scenarios: &'static [Scenario],
    name: &'static str,
    reason: &'static str,
}

/// The blazer-family protocols compared whose Q1 bit b4 is the plain alarm item (§3.2).
const B4_ALARM: &[&str] = MULTIPLIER;

const DIFFERENT: &[Difference] = &[
    Difference {
        protocols: MULTIPLIER,
        scenarios: &[],
        name: "battery.voltage",
        rule: |n, q| n == format!("{q}0"),
        reason: "NUT 2.8.0 vs the spec's NUT: 2.8.0 prints the multiplied battery voltage with \
                 %.2f even with one pack (27.2 -> 27.20); the spec's NUT publishes the raw text \
                 unless battery_voltage_reports_one_pack is set (§2.11)",
    },
    Difference {
        protocols: B4_ALARM,
        scenarios: &[Scenario::LowBattery],
        name: "ups.status",
        rule: |n, q| q == format!("ALARM {n}"),
        reason: "NUT 2.8.0 vs the spec's NUT: 2.8.0 publishes no alarm for Q1 bit b4 (UPS \
                 failed), so no ALARM prefix; the spec's NUT prefixes ALARM while ups.alarm is \
                 non-empty (§2.8, §3.2)",
    },
    Difference {
        protocols: &["hunnox"],
        scenarios: &[Scenario::LowBattery],
        name: "battery.charge",
        rule: |n, q| n == "10" && q == "15",
        reason: "NUT 2.8.0 vs the spec's NUT: 2.8.0's Hunnox 0.01 has no BL item and guesses the \
                 charge from 21.3 V between 20.80 and 26.00 V (10); Hunnox 0.03 reads BL015 (§5.6)",
    },
    Difference {
        protocols: &["ablerex"],
        scenarios: &[Scenario::LowBattery],
        name: "battery.charge",
        rule: |n, q| n == "100" && q == "16",
        reason: "NUT bug fixed here (spec §6 quirk 8, §5.9 order-of-walk): NUT reads Q1 before F, \
                 so its charge is 100 without the nominal voltage; qxups reads F first and looks \
                 10.65 V per block up in the table (16)",
    },
    Difference {
        protocols: &["ablerex"],
        scenarios: &[Scenario::LowBattery],
        name: "ups.alarm",
        rule: |n, q| n == "0" && q == "UPS selftest failed! Replace battery!",
        reason: "NUT bugs fixed here (spec §6 quirk 8, §5.9): NUT appends Q5's error code 0 (no \
                 error) as the alarm, and its direct RB token raises no `Replace battery!`; \
                 NUT 2.8.0 also publishes no b4 alarm text (see ups.status above)",
    },
    Difference {
        protocols: &["ablerex"],
        scenarios: &[Scenario::LowBattery],
        name: "ups.status",
        rule: |n, q| n == "RB OB LB" && q == "ALARM OB LB RB",
        reason: "NUT bug fixed here (spec §6 quirk 8, §2.6): NUT puts ablerex's direct RB token \
                 before OB; qxups keeps NUT's usual order, with the ALARM prefix of §2.8",
    },
    Difference {
        protocols: &["ablerex"],
        scenarios: &[Scenario::BoostTest],
        name: "ups.status",
        rule: |n, q| n == "BOOST OL CAL" && q == "OL BOOST CAL",
        reason: "NUT bug fixed here (spec §6 quirk 8, §2.6): NUT puts ablerex's direct BOOST \
                 token before OL; qxups keeps NUT's usual order (§2.8)",
    },
];

const ONLY_NUT: &[OneSided] = &[OneSided {
    protocols: &["ablerex"],
    scenarios: &[Scenario::Mains, Scenario::BoostTest],
    name: "ups.alarm",
    reason: "NUT bug fixed here (spec §6 quirk 8, §5.9): a Q5 error code of 0 (no error) still \
             raises the alarm `0`",
}];

const ONLY_QXUPS: &[OneSided] = &[
    OneSided {
        protocols: WITH_IDENTITY,
        scenarios: &[],
        name: "ups.mfr",
        reason: "qxups mirrors device.mfr to ups.mfr (issue 4: Synology's UI reads ups.mfr)",
    },
    OneSided {
        protocols: WITH_IDENTITY,
        scenarios: &[],
        name: "ups.model",
        reason: "qxups mirrors device.model to ups.model (issue 4: Synology's UI reads ups.model)",
    },
    OneSided {
        protocols: &["megatec"],
        scenarios: &[],
        name: "ups.serial",
        reason: "NUT 2.8.0 vs the spec's NUT: megatec 0.06 has no serial item; megatec 0.10 reads \
                 ups.serial at 8..15 without trimming (§5.1), blank in the classic layout",
    },
    OneSided {
        protocols: &["megatec"],
        scenarios: &[],
        name: "device.serial",
        reason: "the engine mirrors ups.serial to device.serial, as it does mfr and model",
    },
    OneSided {
        protocols: B4_ALARM,
        scenarios: &[Scenario::LowBattery],
        name: "ups.alarm",
        reason: "NUT 2.8.0 vs the spec's NUT: 2.8.0 publishes no text for Q1 bit b4; the spec's \
                 NUT publishes `UPS selftest failed!` on full walks (§3.2, §2.9)",
    },
];

fn nutdrv_qx() -> PathBuf {
    if let Some(p) = std::env::var_os("NUTDRV_QX") {
        return PathBuf::from(p);
    }
    let candidates = [
        "/lib/nut/nutdrv_qx",
        "/usr/lib/nut/nutdrv_qx",
        "/usr/libexec/nut/nutdrv_qx",
        "/usr/sbin/nutdrv_qx",
    ];
    candidates
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "nutdrv_qx not found (looked in {candidates:?}): install Debian's nut-server \
                 (`apt-get install nut-server nut-client`; scripts/test-all does) or set NUTDRV_QX"
            )
        })
}

fn is_root() -> bool {
    let out = Command::new("id").arg("-u").output().expect("run id -u");
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// Runs `cmd` to completion, killing it after `limit`.
fn run(mut cmd: Command, limit: Duration) -> Output {
    let what = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{what} did not finish within {limit:?}; stderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "qxups-differential-{}-{}",
        std::process::id(),
        tag.replace('/', "-")
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `nutdrv_qx -d 1`: one update, then its variables on standard output.
fn nut_read(port: &Path, protocol: &str, state: &Path) -> Output {
    let mut cmd = Command::new(nutdrv_qx());
    cmd.env("NUT_STATEPATH", state)
        .arg("-s")
        .arg("ups")
        .arg("-x")
        .arg(format!("port={}", port.display()))
        .arg("-x")
        .arg(format!("protocol={protocol}"))
        .args(["-d", "1"]);
    // As root the driver would otherwise drop to the `nut` user, who cannot open the pty.
    if is_root() {
        cmd.args(["-u", "root"]);
    }
    run(cmd, Duration::from_secs(60))
}

fn parse_dump(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn qxups_read(port: &Path, protocol: &str) -> BTreeMap<String, String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_qxups"));
    cmd.arg("status")
        .arg("--port")
        .arg(port)
        .args(["--protocol", protocol, "--json"]);
    let out = run(cmd, Duration::from_secs(60));
    assert!(
        out.status.success(),
        "qxups status ({protocol}) failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    json.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect()
}

fn serve(protocol: &str, identity: Identity, scenario: Scenario) -> PtyUps {
    let dialect = qxups::dialect::by_name(protocol).unwrap();
    let mut ups = VirtualUps::for_dialect(dialect).unwrap();
    ups.set_identity(identity);
    scenario.apply(&mut ups);
    PtyUps::serve(ups, None).unwrap()
}

fn applies(protocols: &[&str], scenarios: &[Scenario], protocol: &str, scenario: Scenario) -> bool {
    protocols.contains(&protocol) && (scenarios.is_empty() || scenarios.contains(&scenario))
}

/// Compares one protocol in one scenario; the failures, or an empty list.
fn compare(protocol: &str, identity: Identity, scenario: Scenario) -> Vec<String> {
    let served = serve(protocol, identity, scenario);
    let state = temp_dir(&format!("{protocol}-{scenario:?}"));
    let out = nut_read(served.path(), protocol, &state);
    let _ = std::fs::remove_dir_all(&state);
    let nut = parse_dump(&String::from_utf8_lossy(&out.stdout));
    assert!(
        out.status.success() && !nut.is_empty(),
        "nutdrv_qx ({protocol}) failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let version = nut.get("driver.version").map_or("?", String::as_str);
    assert_eq!(
        version, NUT_VERSION,
        "the tables of this test are for NUT {NUT_VERSION}; review them for {version}"
    );
    let ours = qxups_read(served.path(), protocol);

    let mut failures = Vec::new();
    let mut explained = Vec::new();
    let mut compared = Vec::new();
    let not_driver = |k: &&String| !k.starts_with("driver.");
    for name in nut.keys().chain(ours.keys()).filter(not_driver) {
        if compared.contains(name) {
            continue;
        }
        match (nut.get(name), ours.get(name)) {
            (Some(n), Some(q)) => {
                compared.push(name.clone());
                if n == q {
                    continue;
                }
                match DIFFERENT.iter().find(|d| {
                    applies(d.protocols, d.scenarios, protocol, scenario)
                        && d.name == name
                        && (d.rule)(n, q)
                }) {
                    Some(d) => {
                        explained.push(format!("{name}: NUT {n:?}, qxups {q:?}: {}", d.reason))
                    }
                    None => failures.push(format!("{name}: NUT {n:?}, qxups {q:?} (not listed)")),
                }
            }
            (Some(n), None) => {
                match ONLY_NUT.iter().find(|o| {
                    applies(o.protocols, o.scenarios, protocol, scenario) && o.name == name
                }) {
                    Some(o) => {
                        explained.push(format!("{name} = {n:?} only from NUT: {}", o.reason))
                    }
                    None => failures.push(format!("{name} = {n:?} only from NUT (not listed)")),
                }
            }
            (None, Some(q)) => {
                match ONLY_QXUPS.iter().find(|o| {
                    applies(o.protocols, o.scenarios, protocol, scenario) && o.name == name
                }) {
                    Some(o) => {
                        explained.push(format!("{name} = {q:?} only from qxups: {}", o.reason));
                    }
                    None => failures.push(format!("{name} = {q:?} only from qxups (not listed)")),
                }
            }
            (None, None) => {}
        }
    }
    // Listed entries must still happen, or the table is out of date.
    for d in DIFFERENT
        .iter()
        .filter(|d| applies(d.protocols, d.scenarios, protocol, scenario))
    {
        let seen = match (nut.get(d.name), ours.get(d.name)) {
            (Some(n), Some(q)) => n != q && (d.rule)(n, q),
            _ => false,
        };
        if !seen {
            failures.push(format!("listed difference {} no longer seen", d.name));
        }
    }
    for o in ONLY_NUT
        .iter()
        .filter(|o| applies(o.protocols, o.scenarios, protocol, scenario))
    {
        if !nut.contains_key(o.name) || ours.contains_key(o.name) {
            failures.push(format!("listed NUT-only {} no longer seen", o.name));
        }
    }
    for o in ONLY_QXUPS
        .iter()
        .filter(|o| applies(o.protocols, o.scenarios, protocol, scenario))
    {
        if nut.contains_key(o.name) || !ours.contains_key(o.name) {
            failures.push(format!("listed qxups-only {} no longer seen", o.name));
        }
    }
    compared.sort();
    let equal = compared
        .iter()
        .filter(|k| nut.get(*k) == ours.get(*k))
        .count();
    let mut report = format!(
        "{protocol} {scenario:?}: {} variables compared ({equal} equal): {}\n",
        compared.len(),
        compared.join(" ")
    );
    for e in &explained {
        report.push_str(&format!("  {e}\n"));
    }
    print!("{report}");
    if compared.len() < 12 {
        failures.push(format!("only {} variables in common", compared.len()));
    }
    failures
        .into_iter()
        .map(|f| format!("{protocol} {scenario:?} (NUT {version} vs qxups): {f}"))
        .collect()
}

fn case(protocol: &str) {
    let (_, identity) = CASES.iter().find(|(p, _)| *p == protocol).unwrap();
    let failures: Vec<String> = std::thread::scope(|s| {
        let runs: Vec<_> = SCENARIOS
            .iter()
            .map(|&sc| s.spawn(move || compare(protocol, *identity, sc)))
            .collect();
        runs.into_iter().flat_map(|r| r.join().unwrap()).collect()
    });
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn megatec() {
    case("megatec");
}

#[test]
fn megatec_old() {
    case("megatec/old");
}

#[test]
fn mustek() {
    case("mustek");
}

#[test]
fn zinto() {
    case("zinto");
}

#[test]
fn hunnox() {
    case("hunnox");
}

#[test]
fn q1() {
    case("q1");
}

#[test]
fn mecer() {
    case("mecer");
}

#[test]
fn bestups() {
    case("bestups");
}

#[test]
fn ablerex() {
    case("ablerex");
}

/// NUT 2.8.0's megatec needs 39 identity bytes; the spec's megatec, and qxups, read the
/// 38-byte Megatec IC layout (§5.1) with its serial number and runtime.
#[test]
fn nut_2_8_0_refuses_the_megatec_ic_identity() {
    let served = serve("megatec", Identity::Native, Scenario::Mains);
    let state = temp_dir("megatec-ic");
    let out = nut_read(served.path(), "megatec", &state);
    let _ = std::fs::remove_dir_all(&state);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("Device not supported"),
        "NUT {NUT_VERSION} was expected to refuse the 38-byte identity; status {}, stderr:\n{stderr}",
        out.status
    );
    let ours = qxups_read(served.path(), "megatec");
    assert_eq!(ours.get("ups.serial").map(String::as_str), Some("QX000001"));
    assert_eq!(ours.get("device.mfr").map(String::as_str), Some("QXUPS"));
    assert_eq!(ours.get("ups.firmware").map(String::as_str), Some("V1.0"));
}

/// Every protocol named in the tables is one that is compared.
#[test]
fn tables_name_compared_protocols() {
    let names = DIFFERENT
        .iter()
        .flat_map(|d| d.protocols)
        .chain(ONLY_NUT.iter().flat_map(|o| o.protocols))
        .chain(ONLY_QXUPS.iter().flat_map(|o| o.protocols));
    for p in names {
        assert!(CASES.iter().any(|(c, _)| c == p), "{p} is not compared");
    }
    for d in DIFFERENT {
        assert!(!d.reason.is_empty());
    }
}
