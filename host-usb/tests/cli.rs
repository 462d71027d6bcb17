//! The `qxups` command against the built-in virtual UPS: status, monitor (changes and hooks),
//! cmd, set, capture and replay.

use std::process::{Command, Output};

fn qxups(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qxups"))
        .args(args)
        .output()
        .expect("qxups runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn status_reads_the_virtual_ups_in_upsc_format() {
    let o = qxups(&["status", "--simulate", "hunnox"]);
    assert!(o.status.success(), "{o:?}");
    let text = stdout(&o);
    let names: Vec<&str> = text
        .lines()
        .map(|l| l.split(": ").next().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "sorted by name");
    for want in [
        "ups.status: OL",
        "driver.name: qxups",
        "driver.version.data: Hunnox 0.03",
    ] {
        assert!(text.lines().any(|l| l == want), "{want} missing:\n{text}");
    }
    assert!(
        text.contains("\nups.mfr: ") && text.contains("\nups.model: "),
        "{text}"
    );
}

#[test]
fn status_json_is_one_object() {
    let o = qxups(&["status", "--simulate", "q1", "--json"]);
    assert!(o.status.success(), "{o:?}");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["ups.status"], "OL");
    assert_eq!(v["driver.parameter.port"], "simulate");
}

#[test]
fn monitor_prints_changes_and_runs_the_on_battery_hook() {
    let dir = std::env::temp_dir().join(format!("qxups-hook-{}", std::process::id()));
    let _ = std::fs::remove_file(&dir);
    let hook = format!("echo \"$QXUPS_EVENT $QXUPS_STATUS\" > {}", dir.display());
    let o = qxups(&[
        "monitor",
        "--simulate",
        "--interval",
        "1",
        "--count",
        "3",
        "--simulate-power-fail",
        "1",
        "--on-battery",
        &hook,
    ]);
    assert!(o.status.success(), "{o:?}");
    let text = stdout(&o);
    assert!(
        text.lines().any(|l| l.ends_with("ups.status: OL -> OB")),
        "{text}"
    );
    // The hook runs in the background; give it a moment.
    for _ in 0..50 {
        if dir.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let written = std::fs::read_to_string(&dir).unwrap_or_default();
    assert_eq!(written.trim(), "onbattery OB");
    let _ = std::fs::remove_file(&dir);
}

#[test]
fn monitor_json_lines_parse() {
    let o = qxups(&["monitor", "--simulate", "--json", "--count", "0"]);
    assert!(o.status.success(), "{o:?}");
    let text = stdout(&o);
    assert!(text.lines().count() > 10);
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(
            v.get("name").is_some() || v.get("event").is_some(),
            "{line}"
        );
    }
}

#[test]
fn cmd_lists_and_runs_instant_commands() {
    let o = qxups(&["cmd", "--simulate", "--list"]);
    assert!(o.status.success(), "{o:?}");
    assert!(stdout(&o).lines().any(|l| l == "beeper.toggle"));
    let o = qxups(&["cmd", "--simulate", "megatec", "test.battery.start.quick"]);
    assert!(o.status.success(), "{o:?}");
    let o = qxups(&["cmd", "--simulate", "megatec", "no.such.command"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
}

/// A command meant for a real UPS never goes to the virtual one by accident (this machine
/// has no UPS on USB).
#[test]
fn cmd_without_a_device_never_falls_back_to_the_virtual_ups() {
    let o = qxups(&["cmd", "shutdown.return"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(stdout(&o).is_empty());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("no UPS found"),
        "{o:?}"
    );
}

/// The main command on a machine without a UPS: the monitor says so and runs against the
/// virtual UPS.
#[test]
fn monitor_without_a_device_uses_the_virtual_ups() {
    let o = qxups(&["monitor", "--count", "0"]);
    assert!(o.status.success(), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("built-in virtual UPS"),
        "{o:?}"
    );
    assert!(
        stdout(&o)
            .lines()
            .any(|l| l == "driver.parameter.port: simulate")
    );
}

#[test]
fn list_runs_without_usb() {
    let o = qxups(&["list"]);
    assert!(o.status.success(), "{o:?}");
}

#[test]
fn set_checks_the_range() {
    let o = qxups(&["set", "--simulate", "megatec", "ups.delay.shutdown", "120"]);
    assert!(o.status.success(), "{o:?}");
    let o = qxups(&[
        "set",
        "--simulate",
        "megatec",
        "ups.delay.shutdown",
        "999999",
    ]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
}

#[test]
fn a_capture_replays_to_the_same_values() {
    let path = std::env::temp_dir().join(format!("qxups-trace-{}.tsv", std::process::id()));
    let live = qxups(&[
        "status",
        "--simulate",
        "zinto",
        "--capture",
        path.to_str().unwrap(),
    ]);
    assert!(live.status.success(), "{live:?}");
    let replay = qxups(&["decode", "--trace", path.to_str().unwrap()]);
    assert!(replay.status.success(), "{replay:?}");
    let live = stdout(&live);
    let replayed = stdout(&replay);
    // Every value read from the device comes back from the trace.
    for name in [
        "input.voltage",
        "output.voltage",
        "ups.load",
        "battery.voltage",
        "ups.status",
    ] {
        let pick = |text: &str| {
            text.lines()
                .find(|l| l.starts_with(&format!("{name}: ")))
                .map(str::to_owned)
        };
        assert_eq!(pick(&live), pick(&replayed), "{name}");
    }
    let _ = std::fs::remove_file(&path);
}

#[test]
fn verbose_logs_every_frame() {
    let o = qxups(&["status", "--simulate", "q1", "-vv"]);
    assert!(o.status.success(), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.lines().any(|l| l == "> Q1\\r"), "{err}");
    assert!(err.lines().any(|l| l.starts_with("< (")), "{err}");
}

fn write_conf(name: &str, text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("qxups-{}-{name}.conf", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

/// A section from an existing NUT install works unchanged.
#[test]
fn a_nut_ups_conf_section_is_used() {
    let path = write_conf(
        "mec0003",
        "maxretry = 3\n[mec]\n\tdriver = nutdrv_qx\n\tport = auto\n\tvendorid = 0001\n\tproductid = 0000\n\
         \tsubdriver = hunnox\n\tprotocol = hunnox\n\tlangid_fix = 0x0409\n\tnovendor\n\tnoscanlangid\n\
         \tdefault.battery.voltage.high = 26.50\n\tpollinterval = 5\n",
    );
    let o = qxups(&[
        "status",
        "--simulate",
        "hunnox",
        "--config",
        path.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{o:?}");
    let text = stdout(&o);
    for want in [
        "battery.voltage.high: 26.50",
        "driver.parameter.pollinterval: 5",
        "driver.parameter.protocol: hunnox",
    ] {
        assert!(text.lines().any(|l| l == want), "{want} missing:\n{text}");
    }
    let _ = std::fs::remove_file(path);
}

#[test]
fn an_unknown_key_names_file_line_and_suggests() {
    let path = write_conf("typo", "[ups]\ndriver = nutdrv_qx\nport = auto\nnovender\n");
    let o = qxups(&["status", "--simulate", "--config", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&format!("{}:4:", path.display())), "{err}");
    assert!(err.contains("did you mean `novendor`?"), "{err}");
    let _ = std::fs::remove_file(path);
}

#[test]
fn dash_x_settings_apply() {
    let o = qxups(&[
        "status",
        "--simulate",
        "-x",
        "pollinterval=7",
        "-x",
        "protocol=q1",
    ]);
    assert!(o.status.success(), "{o:?}");
    let text = stdout(&o);
    assert!(
        text.lines()
            .any(|l| l == "driver.parameter.pollinterval: 7"),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l == "driver.version.data: Q1 0.08"),
        "{text}"
    );
}
