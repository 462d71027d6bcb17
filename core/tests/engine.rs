//! The engine's options and estimates, end to end over a scripted device: the §2.10 worked
//! examples, `norating`, `novendor`, `ignoresab` and the one-pack battery-voltage multiplier.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{ScriptedDevice, block_on, read_tsv};
use qxups::number::Decimal;
use qxups::nut::vars::text;
use qxups::options::RuntimeCal;
use qxups::{Options, Poll, Ups, dialect};

/// Claims `dialect` on a device playing `table`, initialises at t = 0 and runs one full update
/// at `t = update_ms`. Returns the engine and the commands sent.
fn run(name: &str, table: Vec<(Vec<u8>, Vec<u8>)>, options: Options) -> (Ups, Vec<Vec<u8>>) {
    let dialect = dialect::by_name(name).unwrap();
    let mut device = ScriptedDevice::new(table, dialect.rejected);
    let mut ups = Ups::new(dialect, options);
    assert!(block_on(ups.claim(&mut device, true)).unwrap());
    block_on(ups.init(&mut device, 0)).unwrap();
    block_on(ups.update(&mut device, Poll::Full, 2_000)).unwrap();
    (ups, device.sent)
}

fn with_default(mut options: Options, name: &'static str, value: &str) -> Options {
    options
        .defaults
        .push((name, text(format_args!("{value}")).unwrap()))
        .unwrap();
    options
}

fn row(cmd: &str, answer: &str) -> (Vec<u8>, Vec<u8>) {
    (cmd.as_bytes().to_vec(), answer.as_bytes().to_vec())
}

/// The options of the spec's runtimecal example: `runtimecal=240,100,720,50` and
/// `default.battery.voltage.nominal=24`.
fn runtimecal_240_100_720_50() -> Options {
    let mut options = with_default(Options::new(), "battery.voltage.nominal", "24");
    options.runtimecal = Some(RuntimeCal {
        runtime_high: Decimal::from_int(240),
        load_high: Decimal::from_int(100),
        runtime_low: Decimal::from_int(720),
        load_low: Decimal::from_int(50),
    });
    options
}

/// Spec §2.10: the megatec example: N = 24 gives L = 20.80, H = 26.00, and 22.7 V gives 37 %.
#[test]
fn voltage_based_charge_worked_example() {
    let (ups, _) = run("megatec", read_tsv("megatec"), Options::new());
    let vars = ups.vars();
    assert_eq!(vars.get("battery.voltage.low"), Some("20.80"));
    assert_eq!(vars.get("battery.voltage.high"), Some("26.00"));
    assert_eq!(vars.get("battery.charge"), Some("37"));
}

/// Spec §2.10: `runtimecal=240,100,720,50` with q1 data and
/// `default.battery.voltage.nominal=24`: charge 37, runtime 877 s.
#[test]
fn runtimecal_worked_example() {
    let options = runtimecal_240_100_720_50();
    let (ups, _) = run("q1", read_tsv("q1"), options);
    assert_eq!(ups.vars().get("battery.charge"), Some("37"));
    assert_eq!(ups.vars().get("battery.runtime"), Some("877"));
}

/// Without `runtimecal` there is a charge guess but no runtime estimate.
#[test]
fn no_runtime_without_runtimecal() {
    let options = with_default(Options::new(), "battery.voltage.nominal", "24");
    let (ups, _) = run("q1", read_tsv("q1"), options);
    assert_eq!(ups.vars().get("battery.charge"), Some("37"));
    assert_eq!(ups.vars().get("battery.runtime"), None);
}

/// A runtime estimate that drains on battery: after 60 s on battery at 14 % load the estimate
/// is lower than on line.
#[test]
fn runtime_estimate_drains_on_battery() {
    let options = runtimecal_240_100_720_50();
    let (mut ups, _) = run("q1", read_tsv("q1"), options);
    let on_line: u32 = ups.vars().get("battery.runtime").unwrap().parse().unwrap();
    let on_battery = vec![row(
        "Q1\r",
        "(215.0 195.0 230.0 014 49.0 22.7 30.0 10000000\r",
    )];
    let mut device = ScriptedDevice::new(on_battery, None);
    block_on(ups.update(&mut device, Poll::Full, 62_000)).unwrap();
    let later: u32 = ups.vars().get("battery.runtime").unwrap().parse().unwrap();
    assert!(later < on_line, "{later} !< {on_line}");
    assert_eq!(ups.vars().get("ups.status"), Some("OB"));
}

#[test]
fn norating_never_sends_f() {
    let mut options = Options::new();
    options.norating = true;
    let (ups, sent) = run("megatec", read_tsv("megatec"), options);
    assert!(!sent.contains(&b"F\r".to_vec()));
    assert_eq!(ups.vars().get("input.voltage.nominal"), None);
    assert!(sent.contains(&b"I\r".to_vec()));
}

#[test]
fn novendor_never_sends_i() {
    let mut options = Options::new();
    options.novendor = true;
    let (ups, sent) = run("megatec", read_tsv("megatec"), options);
    assert!(!sent.contains(&b"I\r".to_vec()));
    assert_eq!(ups.vars().get("ups.firmware"), None);
    assert_eq!(ups.vars().get("input.voltage"), Some("215.0"));
}

/// Bit b1 (shutdown active) gives FSD and an alarm, unless `ignoresab` is set.
#[test]
fn ignoresab_ignores_the_shutdown_active_bit() {
    let mut table = read_tsv("megatec");
    table[0] = row("Q1\r", "(215.0 195.0 230.0 014 49.0 22.7 30.0 00000010\r");
    let (ups, _) = run("megatec", table.clone(), Options::new());
    assert!(ups.vars().get("ups.status").unwrap().contains("FSD"));
    assert_eq!(ups.vars().get("ups.alarm"), Some("Shutdown imminent!"));

    let mut options = Options::new();
    options.ignoresab = true;
    let (ups, _) = run("megatec", table, options);
    assert_eq!(ups.vars().get("ups.status"), Some("OL"));
    assert_eq!(ups.vars().get("ups.alarm"), None);
}

/// Spec §2.11: a per-cell voltage with `battery_voltage_reports_one_pack` and 12 packs is
/// published multiplied (`2.27` → `27.24`) after the first full update.
#[test]
fn one_pack_mode_multiplies_the_battery_voltage() {
    let mut table = read_tsv("megatec");
    table[0] = row("Q1\r", "(215.0 195.0 230.0 014 49.0 2.27 30.0 00000000\r");
    let mut options = with_default(Options::new(), "battery.packs", "12");
    options.battery_voltage_reports_one_pack = true;
    let (ups, _) = run("megatec", table.clone(), options);
    assert_eq!(ups.vars().get("battery.voltage"), Some("27.24"));

    // Off (the default): the raw text is published unchanged.
    let options = with_default(Options::new(), "battery.packs", "12");
    let (ups, _) = run("megatec", table, options);
    assert_eq!(ups.vars().get("battery.voltage"), Some("2.27"));
}

/// `override.*` wins over the device. A `default.*` of a static (`ST`) item is never read from
/// the device at all (spec §2.5): the configured value stays.
#[test]
fn overrides_win_and_defaults_yield() {
    let mut options = with_default(Options::new(), "input.voltage.nominal", "120");
    options
        .overrides
        .push(("ups.firmware", text(format_args!("custom")).unwrap()))
        .unwrap();
    let (ups, _) = run("megatec", read_tsv("megatec"), options);
    assert_eq!(ups.vars().get("ups.firmware"), Some("custom"));
    assert_eq!(ups.vars().get("input.voltage.nominal"), Some("120"));
}

/// A garbled status answer fails the update with a typed error and leaves the last good
/// values in place; five failures make the data stale, the next good answer recovers.
#[test]
fn garbled_answers_fail_typed_and_go_stale() {
    let (mut ups, _) = run("megatec", read_tsv("megatec"), Options::new());
    let garbled = vec![row("Q1\r", "(215.0 19\r")];
    for n in 1..=qxups::ups::STALE_AFTER {
        let mut device = ScriptedDevice::new(garbled.clone(), None);
        let err = block_on(ups.update(&mut device, Poll::Quick, 2_000 + u64::from(n) * 1_000));
        assert!(err.is_err());
        assert_eq!(ups.vars().get("input.voltage"), Some("215.0"));
    }
    assert!(ups.is_stale());
    let mut device = ScriptedDevice::new(read_tsv("megatec"), None);
    block_on(ups.update(&mut device, Poll::Quick, 9_000)).unwrap();
    assert!(!ups.is_stale());
}

/// NUT quirk §6.11: bit b5 never cleared TRIM/BOOST/BYPASS within quick updates. Here the
/// next quick reading with b5 = 0 clears it. (Megatec's voltages are read on full updates, so
/// those choose the token.)
#[test]
fn b5_clears_trim_boost_bypass_within_quick_updates() {
    let (mut ups, _) = run("megatec", read_tsv("megatec"), Options::new());
    let poll = |ups: &mut Ups, poll: Poll, answer: &str| {
        let mut device = ScriptedDevice::new(vec![row("Q1\r", answer)], None);
        block_on(ups.update(&mut device, poll, 3_000)).unwrap();
        ups.vars().get("ups.status").unwrap().to_owned()
    };
    let trim = "(230.0 195.0 200.0 014 49.0 22.7 30.0 00100000\r";
    let boost = "(200.0 195.0 230.0 014 49.0 22.7 30.0 00100000\r";
    let plain = "(215.0 195.0 230.0 014 49.0 22.7 30.0 00000000\r";
    assert_eq!(poll(&mut ups, Poll::Full, trim), "OL TRIM");
    assert_eq!(poll(&mut ups, Poll::Quick, plain), "OL");
    assert_eq!(poll(&mut ups, Poll::Full, boost), "OL BOOST");
    assert_eq!(poll(&mut ups, Poll::Quick, plain), "OL");
}

/// NUT quirk §6.12: a signed number fails the item rather than being misread; the error says
/// which item, and the other values of the answer are still published.
#[test]
fn negative_numbers_fail_the_item_typed() {
    let mut ups = Ups::new(dialect::by_name("megatec").unwrap(), Options::new());
    let err = ups
        .decode(b"Q1\r", b"(215.0 195.0 230.0 014 49.0 22.7 -5.0 00000000\r")
        .unwrap_err();
    assert_eq!(err.item, "ups.temperature");
    assert_eq!(ups.vars().get("ups.temperature"), None);
    assert_eq!(ups.vars().get("input.voltage"), Some("215.0"));
}

/// NUT quirk §6.14: a claim that fails part-way left its variables published. Here a failed
/// claim leaves nothing behind.
#[test]
fn failed_claim_leaves_nothing_published() {
    // Answers Q1 (so the status item publishes) but not I: megatec's full claim fails.
    let table = vec![read_tsv("megatec")[0].clone()];
    let mut device = ScriptedDevice::new(table, None);
    let mut ups = Ups::new(dialect::by_name("megatec").unwrap(), Options::new());
    assert!(!block_on(ups.claim(&mut device, true)).unwrap());
    assert!(
        ups.vars().is_empty(),
        "left behind: {:?}",
        ups.vars().iter().count()
    );
}

/// A status answer whose bits cannot be read publishes no `ups.status` at all, rather than
/// one built from the readable bits (`OB` because the utility bit was garbled).
#[test]
fn garbled_status_bits_publish_no_status() {
    let mut ups = Ups::new(dialect::by_name("megatec").unwrap(), Options::new());
    assert!(ups.decode(b"Q1\r", b"(bad\r").is_err());
    assert_eq!(ups.vars().get("ups.status"), None);
    let garbled_b7 = b"(215.0 195.0 230.0 014 49.0 22.7 30.0 x0000000\r";
    assert!(ups.decode(b"Q1\r", garbled_b7).is_err());
    assert_eq!(ups.vars().get("ups.status"), None);
    assert_eq!(ups.vars().get("input.voltage"), Some("215.0"));
}

/// A configured `default.battery.voltage.high` survives the set-up: only the unknown low
/// threshold is derived from the nominal voltage (NUT replaced both).
#[test]
fn a_configured_high_voltage_is_kept() {
    let options = with_default(Options::new(), "battery.voltage.high", "26.50");
    let (ups, _) = run("megatec", read_tsv("megatec"), options);
    assert_eq!(ups.vars().get("battery.voltage.high"), Some("26.50"));
    assert_eq!(ups.vars().get("battery.voltage.low"), Some("20.80"));
}
