//! `gtec` ("Gtec 0.01", spec §5.10): the `Q4\r` status answer with status letters, the F
//! ratings, the 39-byte `I\r` identity, the blazer command set and delays.
//!
//! Fixed here (spec §6.9):
//! * NUT reads the status letters in full updates only, so a power failure went unseen until
//!   the next full update and a lost link was never noticed by quick updates. qxups quick-polls
//!   the status item, and each letter set now decides every flag it governs (set or cleared),
//!   since quick updates do not reset the flags.
//! * NUT never clears `battery.test.status`: a test result stayed published after the device
//!   stopped reporting it. qxups removes it when the answer carries no test letter.
//!
//! Kept as NUT does it: with no mode letter (A, C or M) the status is `OL OFF` (mains present,
//! output not powered); `battery.voltage` is not multiplied, so the packs guess of §2.10 may
//! pick 0.5 (the vectors' `battery.charge = 0`), which is the shared estimation's business.
//!
//! Autodetection: the `Q4` probe is gtec's own; gtec is tried before innovatae and q1, which
//! claim any device answering `Q1` and so shadowed it in NUT (spec §4).

use super::{Accepts, Claim, Conv, ConvError, Ctx, Dialect, Flags, Item, blazer};
use crate::nut::status::Flag;
use crate::nut::vars::Text;
use crate::wire::q4::{self, Letter, field::*};

/// `Q4\r`.
pub const Q4: &[u8] = b"Q4\r";

const NUM1: Conv = Conv::Number(1);

/// Where the last mode letter (A, C or M) leaves the UPS.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// No mode letter: output off.
    Off,
    OnBattery,
    Bypass,
    Normal,
}

/// The status letters (spec §5.10): flags, alarm text and `battery.test.status`.
pub fn status_letters(ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    let mut mode = Mode::Off;
    let mut test: Option<&'static str> = None;
    let (mut low, mut fsd, mut over, mut replace) = (false, false, false, false);
    for letter in Letter::parse_all(value) {
        match letter {
            Letter::UtilityFail => mode = Mode::OnBattery,
            Letter::Bypass => mode = Mode::Bypass,
            Letter::Normal => mode = Mode::Normal,
            Letter::BatteryLow => low = true,
            Letter::ShutdownActive => fsd = true,
            Letter::Overload => over = true,
            Letter::UpsFailed => ctx.status.push_alarm("UPS failed"),
            Letter::SiteFault => ctx.status.push_alarm("Site fault"),
            Letter::EpromFail => ctx.status.push_alarm("EPROM fail"),
            Letter::BatteryDisconnected => ctx.status.push_alarm("Battery disconnected"),
            Letter::TestInProgress => test = Some("Test in progress"),
            Letter::TestPassed => test = Some("Test passed - Result: OK"),
            Letter::TestFailed => {
                test = Some("Test passed - Result: Failed");
                replace = true;
            }
            Letter::TestBatteryDisconnected => test = Some("Battery disconnected"),
            Letter::TestUnknown => test = Some("Test status unknown"),
        }
    }
    let s = &mut *ctx.status;
    s.set(Flag::Ol, mode != Mode::OnBattery);
    s.set(Flag::Bypass, mode == Mode::Bypass);
    s.set(Flag::Off, mode == Mode::Off);
    s.set(Flag::Lb, low);
    s.set(Flag::Fsd, fsd);
    s.set(Flag::Over, over);
    s.set(Flag::Rb, replace);
    match test {
        Some(text) => ctx.vars.set("battery.test.status", text)?,
        None => ctx.vars.remove("battery.test.status"),
    }
    Ok(None)
}

static STATUS: [Item; 8] = {
    let c = q4::CHECK;
    [
        Item::query("input.voltage", Q4, c, INPUT_VOLTAGE, NUM1),
        Item::query("input.voltage.fault", Q4, c, INPUT_FAULT_VOLTAGE, NUM1),
        Item::query("output.voltage", Q4, c, OUTPUT_VOLTAGE, NUM1),
        Item::query("ups.load", Q4, c, LOAD, Conv::Number(0)),
        Item::query("input.frequency", Q4, c, INPUT_FREQUENCY, NUM1),
        // A total, not per cell: plain conversion, no multiplier (spec §5.10).
        Item::query("battery.voltage", Q4, c, BATTERY_VOLTAGE, NUM1),
        Item::query("ups.temperature", Q4, c, TEMPERATURE, NUM1),
        Item::query(
            "ups.status",
            Q4,
            c,
            STATUS_LETTERS,
            Conv::Custom(status_letters),
        )
        .flags(Flags::QP),
    ]
};

/// The dialect.
pub static DIALECT: Dialect = Dialect {
    name: "gtec",
    version: "Gtec 0.01",
    items: &[
        &STATUS,
        &blazer::RATINGS,
        &blazer::IDENTITY_I,
        &blazer::COMMANDS,
        &blazer::DELAYS,
    ],
    accepted: Some("ACK"),
    rejected: None,
    claim: Claim::items(&["input.voltage", "ups.firmware"]),
    accepts: Accepts::FULL,
    constants: &[],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{Device, block_on};
    use crate::{Options, Poll, Ups};

    const HEAD: &str = "(236.7 243.2 212.1 220.1 230.4 002 001 50.0 371 372 041.3 22.9 ";

    fn answer(letters: &str) -> std::string::String {
        std::format!("{HEAD}{letters}\r")
    }

    fn decoded(letters: &str) -> Ups {
        let mut ups = Ups::new(&DIALECT, Options::new());
        let _ = ups.decode(Q4, answer(letters).as_bytes());
        ups
    }

    fn status(ups: &Ups) -> Option<&str> {
        ups.vars().get("ups.status")
    }

    #[test]
    fn accepts_the_q4_answer() {
        let ups = decoded("IM");
        assert_eq!(ups.vars().get("input.voltage.fault"), Some("220.1"));
        assert_eq!(ups.vars().get("battery.voltage"), Some("41.3"));
        assert_eq!(ups.vars().get("ups.load"), Some("1"));
        assert_eq!(
            ups.vars().get("battery.test.status"),
            Some("Test passed - Result: OK")
        );
        assert_eq!(status(&ups), Some("OL"));
        assert_eq!(status(&decoded("ABFN")), Some("ALARM OB LB OVER FSD"));
        assert_eq!(status(&decoded("C")), Some("OL BYPASS"));
        // The last mode letter wins; with none, the output is off.
        assert_eq!(status(&decoded("CAM")), Some("OL"));
        assert_eq!(status(&decoded("")), Some("OL OFF"));
    }

    #[test]
    fn rejects_short_or_unframed_answers() {
        let mut ups = Ups::new(&DIALECT, Options::new());
        assert!(ups.decode(Q4, b"(236.7 243.2 212.1\r").is_err());
        assert!(
            ups.decode(Q4, answer("M").replace('(', "#").as_bytes())
                .is_err()
        );
        assert!(ups.vars().get("input.voltage").is_none());
        let mut signed = answer("M");
        signed.replace_range(52..53, "-");
        assert!(ups.decode(Q4, signed.as_bytes()).is_err());
        assert!(ups.vars().get("battery.voltage").is_none());
    }

    fn leak(s: std::string::String) -> &'static [u8] {
        std::boxed::Box::leak(s.into_boxed_str()).as_bytes()
    }

    /// NUT quirk §6.9: no QP item, so quick updates sent nothing and a power failure was seen
    /// only at the next full update.
    #[test]
    fn gtec_status_is_quick_polled() {
        let mut ups = Ups::new(&DIALECT, Options::new());
        let table = [
            (Q4, leak(answer("M"))),
            (blazer::F, &b"#230.0 000 024.0 50.0\r"[..]),
            (blazer::I, &b"#NOT_A_LIVE_UPS  TESTING    TESTING   \r"[..]),
        ];
        let mut dev = Device::new(&table, None);
        assert!(block_on(ups.claim(&mut dev, false)).unwrap());
        block_on(ups.init(&mut dev, 0)).unwrap();
        assert_eq!(status(&ups), Some("OL"));
        let mut failing = Device::new(&[(Q4, leak(answer("AB")))], None);
        block_on(ups.update(&mut failing, Poll::Quick, 1_000)).unwrap();
        assert_eq!(failing.sent, [Q4.to_vec()]);
        assert_eq!(status(&ups), Some("OB LB"));
        // Cleared again by the next quick update: the letters decide every flag they govern.
        let mut back = Device::new(&[(Q4, leak(answer("M")))], None);
        block_on(ups.update(&mut back, Poll::Quick, 2_000)).unwrap();
        assert_eq!(status(&ups), Some("OL"));
        // A silent device now fails quick updates.
        let mut silent = Device::new(&[], Some(b""));
        assert!(block_on(ups.update(&mut silent, Poll::Quick, 3_000)).is_err());
    }

    /// NUT quirk §6.9: `battery.test.status` was never cleared.
    #[test]
    fn gtec_test_status_is_cleared() {
        let mut ups = decoded("JM");
        assert_eq!(
            ups.vars().get("battery.test.status"),
            Some("Test passed - Result: Failed")
        );
        assert_eq!(status(&ups), Some("ALARM OL RB"));
        assert_eq!(ups.vars().get("ups.alarm"), Some("Replace battery!"));
        ups.decode(Q4, answer("M").as_bytes()).unwrap();
        assert_eq!(ups.vars().get("battery.test.status"), None);
        assert_eq!(status(&ups), Some("OL"));
    }
}
