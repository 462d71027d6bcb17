//! The committed files in host-usb/dist/ against what generates them.
//! `QXUPS_BLESS=1 cargo test -p qxups-usb --test dist` rewrites the rules file.

use std::path::PathBuf;

fn dist(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("dist")
        .join(name)
}

#[test]
fn committed_udev_rules_match_the_device_table() {
    let path = dist("60-qxups.rules");
    let generated = qxups_usb::udev::rules();
    if std::env::var_os("QXUPS_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap();
    assert!(
        committed == generated,
        "{} is out of date with qxups::usb::table::TABLE; regenerate it with \
         QXUPS_BLESS=1 cargo test -p qxups-usb --test dist\n--- generated ---\n{generated}",
        path.display()
    );
}

#[test]
fn service_unit_has_the_hardening_and_the_groups() {
    let unit = std::fs::read_to_string(dist("qxups.service")).unwrap();
    for line in [
        "DynamicUser=yes",
        "SupplementaryGroups=plugdev dialout",
        "Restart=on-failure",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "DeviceAllow=char-usb_device rw",
    ] {
        assert!(unit.lines().any(|l| l == line), "missing `{line}`");
    }
    let exec = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .unwrap();
    assert!(exec.ends_with("qxups serve"), "{exec}");
}
