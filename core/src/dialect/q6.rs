//! `q6` ("Q6 0.01", spec §5.14–5.16): three-phase measurements from `Q6\r`, output statistics
//! from `WA\r` and status from the `Q1\r` bits (its measurement fields are unused).
//!
//! Autodetection: the probe `Q6`, `Q1`, `WA` is a subset of the innovart probe, so q6 is tried
//! after innovart31/33 (whose claim also needs `BPS`, `F`, `FW?` and `SASV07?`). It comes before
//! innovatae and q1, which claim any device answering `Q1` and so shadowed q6 in NUT (spec §4).

use super::{Accepts, Claim, Conv, Dialect, Item, blazer, three_phase};
use crate::wire::q6::{self, field};

/// Negative battery voltage (multiplier: raw text) and the wiring bytes.
static EXTRA: [Item; 3] = {
    let [input, output] = three_phase::topology(
        three_phase::Q6,
        q6::CHECK,
        field::INPUT_TOPOLOGY,
        field::OUTPUT_TOPOLOGY,
    );
    [
        Item::query(
            "experimental.battery.voltage.negative",
            three_phase::Q6,
            q6::CHECK,
            field::BATTERY_VOLTAGE_NEGATIVE,
            Conv::BatteryVoltage,
        ),
        input,
        output,
    ]
};

/// The claim shared by q2 and q6: their own answer, the Q1 bits, then `WA` (skipped when
/// `nooutstats` disabled it).
pub const CLAIM: Claim = Claim::items(&["input.L1-N.voltage", "ups.type", "output.L1.current"]);

/// The dialect.
pub static DIALECT: Dialect = Dialect {
    name: "q6",
    version: "Q6 0.01",
    items: &[
        &three_phase::Q6_INPUT,
        &three_phase::Q6_OUTPUT,
        &three_phase::Q6_BATTERY,
        &EXTRA,
        &three_phase::WA_ITEMS,
        &blazer::Q1_BITS,
        &blazer::COMMANDS,
        &blazer::DELAYS,
    ],
    accepted: Some("ACK"),
    rejected: None,
    claim: CLAIM,
    accepts: Accepts::THREE_PHASE,
    constants: three_phase::PHASES_3_3,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Options, Ups};

    const ANSWER: &[u8] = b"(227.0 225.6 230.0 50.0 229.9 000.0 000.0 49.9 007 000 000 327.8 000.0 23.0 06932 100 32 00000000 00000000 10\r";

    #[test]
    fn accepts_a_q6_answer() {
        let mut ups = Ups::new(&DIALECT, Options::new());
        ups.decode(three_phase::Q6, ANSWER).unwrap();
        let v = ups.vars();
        assert_eq!(v.get("input.L2-N.voltage"), Some("225.6"));
        assert_eq!(v.get("output.L1.load"), Some("7"));
        assert_eq!(v.get("battery.runtime"), Some("6932"));
        assert_eq!(
            v.get("experimental.battery.voltage.negative"),
            Some("000.0")
        );
        assert_eq!(v.get("experimental.input.topology"), Some("star"));
        assert_eq!(v.get("experimental.output.topology"), Some("delta"));
    }

    #[test]
    fn rejects_short_and_bad_answers() {
        let mut ups = Ups::new(&DIALECT, Options::new());
        assert!(ups.decode(three_phase::Q6, &ANSWER[..100]).is_err());
        assert!(ups.vars().get("input.L1-N.voltage").is_none());
        let mut bad = ANSWER.to_vec();
        bad[107] = b'2';
        assert!(ups.decode(three_phase::Q6, &bad).is_err());
        assert!(ups.vars().get("experimental.input.topology").is_none());
    }

    #[test]
    fn nooutstats_drops_wa_from_the_claim() {
        use crate::testkit::{Device, block_on};
        let table = [
            (three_phase::Q6, ANSWER),
            (
                blazer::Q1,
                &b"(215.0 195.0 230.0 014 49.0 22.7 30.0 00000000\r"[..],
            ),
        ];
        // No WA answer (echoed): refused unless nooutstats leaves WA out.
        let mut ups = Ups::new(&DIALECT, Options::new());
        assert!(!block_on(ups.claim(&mut Device::new(&table, None), false)).unwrap());
        let mut options = Options::new();
        options.nooutstats = true;
        let mut ups = Ups::new(&DIALECT, options);
        let mut dev = Device::new(&table, None);
        assert!(block_on(ups.claim(&mut dev, false)).unwrap());
        assert!(!dev.sent.iter().any(|c| c == three_phase::WA));
    }
}
