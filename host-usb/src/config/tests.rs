use super::*;

const MEC0003: &str = r#"
# /etc/nut/ups.conf as NUT users run the MEC0003 (Hunnox-type) UPS
maxretry = 3
user = nut

[mec]
    driver = nutdrv_qx
    port = auto
    vendorid = 0001
    productid = 0000
    subdriver = hunnox
    protocol = hunnox
    langid_fix = 0x0409
    novendor
    noscanlangid
    desc = "Hunnox HNX-850 in the rack"
    default.battery.voltage.high = 26.00
"#;

fn ups(text: &str) -> Result<UpsConfig, ConfigError> {
    parse(text, "ups.conf")?.ups(None)
}

fn section(body: &str) -> Result<UpsConfig, ConfigError> {
    ups(&format!("[u]\ndriver = nutdrv_qx\nport = auto\n{body}\n"))
}

fn err(body: &str) -> ConfigError {
    section(body).unwrap_err()
}

#[test]
fn a_typical_mec0003_section_parses() {
    let c = ups(MEC0003).unwrap();
    assert_eq!(c.name, "mec");
    assert_eq!(c.driver, DriverName::NutdrvQx);
    assert_eq!(c.link, Link::Usb);
    assert_eq!(c.desc.as_deref(), Some("Hunnox HNX-850 in the rack"));
    assert_eq!(c.usb.subdriver, Some(Subdriver::Hunnox));
    assert_eq!(
        c.usb.options,
        UsbOptions {
            langid_fix: Some(0x0409),
            noscanlangid: true,
            novendor: true,
        }
    );
    assert_eq!(c.usb.filter.vendorid.as_ref().unwrap().exact_id(), Some(1));
    assert_eq!(c.usb.filter.productid.as_ref().unwrap().exact_id(), Some(0));
    let mec = UsbIdentity {
        vid: 0x0001,
        pid: 0x0000,
        product: Some("MEC0003"),
        bus: 1,
        device: 4,
        ..UsbIdentity::default()
    };
    assert!(c.usb.filter.matches(&mec));
    assert!(!c.usb.filter.matches(&UsbIdentity { vid: 0x0665, ..mec }));
    assert_eq!(c.engine.protocol.map(|d| d.name), Some("hunnox"));
    assert!(c.engine.options.novendor);
    assert_eq!(c.engine.port.as_str(), "auto");
    assert_eq!(c.engine.poll_interval_ms, driver::POLL_INTERVAL_MS);
    assert_eq!(c.engine.poll_freq_ms, driver::POLL_FREQ_MS);
    let defaults: Vec<_> = c
        .engine
        .options
        .defaults
        .iter()
        .map(|(n, v)| (*n, v.as_str()))
        .collect();
    assert_eq!(defaults, [("battery.voltage.high", "26.00")]);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
}

#[test]
fn usb_criteria_apply_the_filter_then_the_table() {
    use crate::usb::{Identity, choose};
    let mec = Identity {
        vid: 0x0001,
        pid: 0x0000,
        product: Some("MEC0003".to_owned()),
        ..Identity::default()
    };
    let pick = |c: &UpsConfig, id: &Identity| choose(id, &c.usb_criteria(), None).0;
    let s = pick(&UpsConfig::auto("u"), &mec).unwrap();
    assert_eq!(s.subdriver, Subdriver::Hunnox);
    assert_eq!(s.options.langid_fix, Some(0x0409));
    let c = section("product = \"other\"").unwrap();
    assert!(pick(&c, &mec).is_none());
    let c = section("vendorid = 0001\nproductid = 0000\nsubdriver = krauler").unwrap();
    assert_eq!(pick(&c, &mec).unwrap().subdriver, Subdriver::Krauler);
    let unknown = Identity { vid: 0x1234, ..mec };
    assert!(pick(&UpsConfig::auto("u"), &unknown).is_none());
}

#[test]
fn driver_must_be_a_q_driver() {
    for d in ["nutdrv_qx", "blazer_usb"] {
        assert_eq!(
            ups(&format!("[u]\ndriver = {d}\nport = auto\n"))
                .unwrap()
                .driver
                .name(),
            d
        );
    }
    let e = ups("[u]\n  driver = usbhid-ups\n  port = auto\n").unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnsupportedDriver("usbhid-ups".into()));
    assert_eq!(
        e.pos,
        Pos {
            line: 2,
            column: 12
        }
    );
    assert!(
        e.to_string()
            .contains("nutdrv_qx, blazer_usb or blazer_ser"),
        "{e}"
    );
}

#[test]
fn driver_and_port_are_required() {
    let e = ups("[u]\nport = auto\n").unwrap_err();
    assert!(
        matches!(e.kind, ErrorKind::MissingKey { key: "driver", .. }),
        "{e}"
    );
    let e = ups("[u]\ndriver = nutdrv_qx\n").unwrap_err();
    assert!(
        matches!(e.kind, ErrorKind::MissingKey { key: "port", .. }),
        "{e}"
    );
    assert_eq!(e.pos.line, 1);
}

#[test]
fn port_picks_usb_or_serial() {
    let c = ups("[u]\ndriver = nutdrv_qx\nport = /dev/ttyUSB0\n").unwrap();
    assert_eq!(c.link, Link::Serial("/dev/ttyUSB0".into()));
    assert_eq!(c.engine.port.as_str(), "/dev/ttyUSB0");
    let c = ups("[u]\ndriver = blazer_ser\nport = /dev/ttyS0\ncablepower = reverse\n").unwrap();
    assert_eq!(c.link, Link::Serial("/dev/ttyS0".into()));
    assert_eq!(c.cablepower, CablePower::Reverse);
    // usb-transports.md §8: a USB key selects USB mode; the port is then ignored.
    let c = ups("[u]\ndriver = nutdrv_qx\nport = /dev/null\nvendorid = 0665\n").unwrap();
    assert_eq!(c.link, Link::Usb);
    assert!(
        c.warnings[0].message.contains("`vendorid` selects USB"),
        "{:?}",
        c.warnings
    );
    // `device` alone does not.
    let c = ups("[u]\ndriver = nutdrv_qx\nport = /dev/ttyS1\ndevice = 004\n").unwrap();
    assert_eq!(c.link, Link::Serial("/dev/ttyS1".into()));
    let c = ups("[u]\ndriver = blazer_usb\nport = whatever\n").unwrap();
    assert_eq!(c.link, Link::Usb);
}

#[test]
fn blazer_ser_is_serial_only() {
    let e = ups("[u]\ndriver = blazer_ser\nport = auto\n").unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Conflict(_)), "{e}");
    let e = ups("[u]\ndriver = blazer_ser\nport = /dev/ttyS0\nsubdriver = krauler\n").unwrap_err();
    assert!(
        matches!(e.kind, ErrorKind::Conflict(ref w) if w.contains("subdriver")),
        "{e}"
    );
}

#[test]
fn unknown_keys_suggest_the_closest() {
    let e = err("  novender");
    assert_eq!(
        e.kind,
        ErrorKind::UnknownKey {
            key: "novender".into(),
            suggestion: Some("novendor"),
            global: false
        }
    );
    assert_eq!(e.pos, Pos { line: 4, column: 3 });
    assert_eq!(
        e.to_string(),
        "ups.conf:4:3: unknown option `novender`\n  hint: did you mean `novendor`?"
    );
    let e = err("pollfrq = 10");
    assert!(e.to_string().contains("did you mean `pollfreq`?"), "{e}");
    // usbhid-ups's option is refused, as nutdrv_qx does.
    let e = err("pollonly");
    assert!(matches!(e.kind, ErrorKind::UnknownKey { .. }), "{e}");
    let e = err("frobnicate = 3");
    assert!(e.hint().is_none(), "{e}");
}

#[test]
fn known_nut_globals_are_accepted_and_unknown_ones_refused() {
    let c = ups(
        "chroot = /var/empty\ndriverpath = /lib/nut\nmaxstartdelay = 45\nmaxretry = 3\n\
         retrydelay = 5\nnowait\nsynchronous = auto\nuser = nut\ngroup = nut\ndebug_min = 1\n\
         pollinterval = 5\n[u]\ndriver = nutdrv_qx\nport = auto\n",
    )
    .unwrap();
    assert_eq!(c.engine.poll_interval_ms, 5_000);
    let e = ups("maxretri = 3\n[u]\ndriver = nutdrv_qx\nport = auto\n").unwrap_err();
    assert!(
        matches!(
            e.kind,
            ErrorKind::UnknownKey {
                global: true,
                suggestion: Some("maxretry"),
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("unknown global directive"), "{e}");
}

#[test]
fn nut_only_section_keys_are_ignored_with_a_warning() {
    let c =
        section("user = nut\nsdorder = 1\nnolock\nusb_hid_ep_in = 1\nmaxstartdelay = 30").unwrap();
    assert_eq!(c.warnings.len(), 5, "{:?}", c.warnings);
    assert!(
        c.warnings[2]
            .to_string()
            .starts_with("ups.conf:6:1: warning: `nolock` is ignored")
    );
}

#[test]
fn flags_set_their_options() {
    let c = section(
        "novendor\nnorating\nignoresab\nnooutstats\nbattery_voltage_reports_one_pack\nstayoff\n\
         noscanlangid",
    )
    .unwrap();
    let o = &c.engine.options;
    assert!(o.novendor && o.norating && o.ignoresab && o.nooutstats);
    assert!(o.battery_voltage_reports_one_pack && o.stayoff);
    assert!(c.usb.options.noscanlangid && c.usb.options.novendor);
    let c = section("norating = no\nnovendor = yes").unwrap();
    assert!(!c.engine.options.norating && c.engine.options.novendor);
    let e = err("norating = maybe");
    assert!(matches!(e.kind, ErrorKind::BadValue { .. }), "{e}");
}

#[test]
fn value_keys_need_a_value() {
    let e = err("protocol");
    assert_eq!(e.kind, ErrorKind::MissingValue("protocol".into()));
}

#[test]
fn protocol_is_resolved_or_listed() {
    let c = section("protocol = megatec/old").unwrap();
    assert_eq!(c.engine.protocol.map(|d| d.name), Some("megatec/old"));
    let c = section("protocol = Q1").unwrap();
    assert_eq!(c.engine.protocol.map(|d| d.name), Some("q1"));
    let e = err("protocol = megatek");
    assert!(e.to_string().contains("did you mean `megatec`?"), "{e}");
    let e = err("protocol = voltronic");
    let text = e.to_string();
    assert!(text.contains("unknown protocol `voltronic`"), "{text}");
    for name in protocol_names() {
        assert!(text.contains(name), "{name} missing from {text}");
    }
}

#[test]
fn subdriver_is_resolved_or_listed() {
    let c = section("subdriver = Krauler").unwrap();
    assert_eq!(c.usb.subdriver, Some(Subdriver::Krauler));
    let e = err("subdriver = hunox");
    assert!(e.to_string().contains("did you mean `hunnox`?"), "{e}");
    let e = err("subdriver = libusb");
    assert!(e.to_string().contains("cypress, phoenixtec"), "{e}");
}

#[test]
fn langid_fix_reads_hex_with_or_without_0x() {
    for (text, id) in [
        ("0x0409", 0x0409),
        ("0x4095", 0x4095),
        ("409", 0x0409),
        ("0X409", 0x0409),
    ] {
        assert_eq!(
            section(&format!("langid_fix = {text}"))
                .unwrap()
                .usb
                .options
                .langid_fix,
            Some(id)
        );
    }
    for bad in ["0x", "zz", "0x10000"] {
        let e = err(&format!("langid_fix = {bad}"));
        assert!(matches!(e.kind, ErrorKind::BadValue { .. }), "{bad}: {e}");
    }
}

#[test]
fn usb_patterns_match_whole_strings_ignoring_case() {
    let c = section("vendor = \"Foo.Corp.*\"\nproduct = MEC0003\nserial = \"\"\nbus = \"00[2-3]\"\nbusport = 001").unwrap();
    let f = &c.usb.filter;
    let id = UsbIdentity {
        vid: 1,
        pid: 0,
        vendor: Some("  foo corporation\t"),
        product: Some("mec0003"),
        serial: None,
        bus: 3,
        device: 9,
        busport: Some(1),
    };
    assert!(f.matches(&id));
    assert!(!f.matches(&UsbIdentity {
        product: Some("MEC00031"),
        ..id
    }));
    assert!(!f.matches(&UsbIdentity { bus: 4, ..id }));
    assert!(!f.matches(&UsbIdentity {
        serial: Some("x"),
        ..id
    }));
    assert!(!f.matches(&UsbIdentity {
        busport: None,
        ..id
    }));
    let c = section("vendorid = \"06da|0665\"").unwrap();
    assert!(c.usb.filter.matches(&UsbIdentity { vid: 0x0665, ..id }));
    assert!(c.usb.filter.vendorid.as_ref().unwrap().exact_id().is_none());
    let e = err("product = \"(\"");
    assert!(e.to_string().contains("regular expression"), "{e}");
}

#[test]
fn poll_intervals_are_seconds() {
    let c = section("pollinterval = 10\npollfreq = 60").unwrap();
    assert_eq!(
        (c.engine.poll_interval_ms, c.engine.poll_freq_ms),
        (10_000, 60_000)
    );
    // The section's pollinterval wins over the global one.
    let c =
        ups("pollinterval = 7\n[u]\ndriver = nutdrv_qx\nport = auto\npollinterval = 3\n").unwrap();
    assert_eq!(c.engine.poll_interval_ms, 3_000);
    for bad in ["0", "-1", "2.5", "x", "86401"] {
        assert!(
            matches!(
                err(&format!("pollinterval = {bad}")).kind,
                ErrorKind::BadValue { .. }
            ),
            "{bad}"
        );
    }
}

#[test]
fn runtimecal_follows_the_spec_rules() {
    let c = section("runtimecal = 240,100,720,50").unwrap();
    let cal = c.engine.options.runtimecal.unwrap();
    assert_eq!(cal.runtime_high, Decimal::from_int(240));
    assert_eq!(cal.load_low, Decimal::from_int(50));
    assert!(section("runtimecal = 240.5, 100, 720, 50.0").is_ok());
    // §2.10 step 5.3: each of these is fatal in NUT, an error here.
    for (bad, why) in [
        ("240,100,720", "four numbers"),
        ("240,100,720,50,1", "four numbers"),
        ("240,100,x,50", "not a number"),
        ("0,100,720,50", "above 0"),
        ("720,100,240,50", "at least the runtime at high load"),
        ("240,101,720,50", "at most 100"),
        ("240,100,720,0", "low load must be above 0"),
        ("240,50,720,60", "at most the high load"),
    ] {
        let e = err(&format!("runtimecal = \"{bad}\""));
        assert!(
            matches!(&e.kind, ErrorKind::BadValue { expected, .. } if expected.contains(why)),
            "{bad}: {e}"
        );
    }
}

#[test]
fn chargetime_and_idleload_ranges() {
    let c = section("chargetime = 3600\nidleload = 100").unwrap();
    assert_eq!(c.engine.options.chargetime, Some(3600));
    assert_eq!(c.engine.options.idleload, Some(100));
    for bad in [
        "chargetime = 0",
        "chargetime = -5",
        "idleload = 0",
        "idleload = 101",
        "idleload = 10%",
    ] {
        assert!(matches!(err(bad).kind, ErrorKind::BadValue { .. }), "{bad}");
    }
}

#[test]
fn delays_are_seconds_and_blazer_ondelay_is_minutes() {
    let c = section("ondelay = 180\noffdelay = 30").unwrap();
    assert_eq!(c.engine.options.ondelay, Some(180));
    assert_eq!(c.engine.options.offdelay, Some(30));
    let c = ups("[u]\ndriver = blazer_usb\nport = auto\nondelay = 3\n").unwrap();
    assert_eq!(c.engine.options.ondelay, Some(180));
    let e = ups("[u]\ndriver = blazer_usb\nport = auto\nondelay = 10000\n").unwrap_err();
    assert_eq!(e.pos.line, 4);
    assert!(matches!(
        err("ondelay = -1").kind,
        ErrorKind::BadValue { .. }
    ));
}

#[test]
fn dialect_options_and_their_ranges() {
    let c = section("pins_shutdown_mode = 6\nslave_address = 99").unwrap();
    assert_eq!(c.engine.options.pins_shutdown_mode, Some(6));
    assert_eq!(c.engine.options.slave_address, Some(99));
    assert_eq!(
        section("slave_addr = 7")
            .unwrap()
            .engine
            .options
            .slave_address,
        Some(7)
    );
    assert!(matches!(
        err("pins_shutdown_mode = 7").kind,
        ErrorKind::BadValue { .. }
    ));
    assert!(matches!(
        err("slave_address = 100").kind,
        ErrorKind::BadValue { .. }
    ));
}

#[test]
fn cablepower_values() {
    for (v, c) in [
        ("normal", CablePower::Normal),
        ("BOTH", CablePower::Both),
        ("none", CablePower::None),
    ] {
        assert_eq!(section(&format!("cablepower = {v}")).unwrap().cablepower, c);
    }
    let e = err("cablepower = high");
    assert!(
        e.to_string().contains("normal, reverse, both or none"),
        "{e}"
    );
}

#[test]
fn defaults_and_overrides() {
    let c = section(
        "default.input.voltage.nominal = 230\noverride.battery.voltage.nominal = 12\n\
         default.input.voltage.nominal = 240",
    )
    .unwrap();
    let o = &c.engine.options;
    assert_eq!(o.defaults.len(), 1);
    assert_eq!(o.defaults[0].1.as_str(), "240");
    assert!(o.is_overridden("battery.voltage.nominal"));
    assert_eq!(c.warnings.len(), 1);
    let nine: String = (0..9).map(|i| format!("default.x.v{i} = 1\n")).collect();
    let e = err(&nine);
    assert_eq!(
        e.kind,
        ErrorKind::TooManyPresets {
            kind: "default",
            max: MAX_PRESETS
        }
    );
    assert_eq!(e.pos.line, 12);
    assert!(matches!(
        err("default. = 1").kind,
        ErrorKind::BadValue { .. }
    ));
    assert!(matches!(
        err("override.a b = 1").kind,
        ErrorKind::ExpectedAssignment | ErrorKind::BadValue { .. }
    ));
    let long = "x".repeat(97);
    assert!(matches!(
        err(&format!("default.device.model = {long}")).kind,
        ErrorKind::BadValue { .. }
    ));
}

#[test]
fn duplicate_keys_warn_and_the_last_counts() {
    let c = section("pollfreq = 10\npollfreq = 20").unwrap();
    assert_eq!(c.engine.poll_freq_ms, 20_000);
    assert!(
        c.warnings[0].message.contains("first at line 4"),
        "{:?}",
        c.warnings
    );
}

#[test]
fn sections_are_chosen_by_name() {
    let text =
        "[a]\ndriver = nutdrv_qx\nport = auto\n[b]\ndriver = blazer_ser\nport = /dev/ttyS0\n";
    let f = parse(text, "ups.conf").unwrap();
    assert_eq!(f.ups(Some("b")).unwrap().driver, DriverName::BlazerSer);
    let e = f.ups(None).unwrap_err();
    assert!(e.to_string().contains("sections in the file: a, b"), "{e}");
    let e = f.ups(Some("c")).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::SectionNotFound { .. }), "{e}");
    let e = parse("maxretry = 1\n", "ups.conf")
        .unwrap()
        .ups(None)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NoSection);
}

#[test]
fn command_line_entries_come_last() {
    let f = parse(MEC0003, "ups.conf").unwrap();
    let c = f
        .ups_with(
            None,
            &[
                Entry::new("protocol", Some("megatec")),
                Entry::new("norating", None),
            ],
        )
        .unwrap();
    assert_eq!(c.engine.protocol.map(|d| d.name), Some("megatec"));
    assert!(c.engine.options.norating);
    let e = f
        .ups_with(None, &[Entry::new("novender", None)])
        .unwrap_err();
    assert!(e.to_string().starts_with("ups.conf: unknown option"), "{e}");
}

#[test]
fn auto_is_nutdrv_qx_on_usb() {
    let c = UpsConfig::auto("ups");
    assert_eq!(c.link, Link::Usb);
    assert_eq!(c.engine.port.as_str(), "auto");
    assert!(c.engine.protocol.is_none());
}

#[test]
fn load_reports_a_missing_file() {
    let e = load(Path::new("/nonexistent/ups.conf")).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Io(_)));
    assert!(
        e.to_string()
            .starts_with("/nonexistent/ups.conf: cannot read"),
        "{e}"
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn words() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "[u]",
            "[",
            "]",
            "driver",
            "nutdrv_qx",
            "blazer_ser",
            "port",
            "auto",
            "=",
            " = ",
            "\"",
            "\\",
            "#",
            "\n",
            " ",
            "\t",
            "novendor",
            "protocol",
            "hunnox",
            "runtimecal",
            "240,100,720,50",
            "default.battery.voltage.high",
            "26.00",
            "langid_fix",
            "0x0409",
            "pollinterval",
            "-1",
            "99999999999999999999",
            ",",
            ".",
            "(",
            "*",
            "vendorid",
            "idleload",
            "ondelay",
            "é",
            "\r\n",
            "\\\n",
        ]);
        prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn any_text_gives_ok_or_a_typed_error(text in "\\PC*") {
            if let Ok(f) = parse(&text, "p") {
                let _ = f.ups(None).map_err(|e| e.to_string());
            }
        }

        #[test]
        fn config_shaped_text_gives_ok_or_a_typed_error(text in words()) {
            match parse(&text, "p") {
                Ok(f) => {
                    for s in &f.sections {
                        if let Err(e) = f.ups(Some(&s.name)) {
                            prop_assert!(!e.to_string().is_empty());
                        }
                    }
                }
                Err(e) => prop_assert!(e.pos.line >= 1),
            }
        }
    }
}
