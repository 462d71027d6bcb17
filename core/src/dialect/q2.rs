//! `q2` ("Q2 0.01", spec §5.14): three-phase measurements from `Q2\r` (runtime in minutes),
//! output statistics from `WA\r` and status from the `Q1\r` bits.
//!
//! Autodetection: tried before innovatae and q1, which claim any device answering `Q1` and so
//! shadowed q2 in NUT (spec §4); q2's own `Q2` answer tells it apart.

use super::{Accepts, Conv, Dialect, Item, blazer, q6, three_phase};
use crate::wire::q2::{self, field::*};

/// `Q2\r`.
pub const Q2: &[u8] = b"Q2\r";

const NUM1: Conv = Conv::Number(1);
const NUM0: Conv = Conv::Number(0);

static MEASUREMENTS: [Item; 17] = {
    use three_phase::{INPUT_VOLTAGES, OUTPUT_LOADS, OUTPUT_VOLTAGES, per_phase};
    let c = q2::CHECK;
    let [i1, i2, i3] = per_phase(INPUT_VOLTAGES, Q2, c, INPUT_VOLTAGE, NUM1);
    let [o1, o2, o3] = per_phase(OUTPUT_VOLTAGES, Q2, c, OUTPUT_VOLTAGE, NUM1);
    let [l1, l2, l3] = per_phase(OUTPUT_LOADS, Q2, c, LOAD, NUM0);
    let [ti, to] = three_phase::topology(Q2, c, INPUT_TOPOLOGY, OUTPUT_TOPOLOGY);
    [
        i1,
        i2,
        i3,
        Item::query("input.voltage.fault", Q2, c, INPUT_FAULT_VOLTAGE, NUM1),
        Item::query("input.frequency", Q2, c, INPUT_FREQUENCY, NUM1),
        o1,
        o2,
        o3,
        l1,
        l2,
        l3,
        Item::query("ups.temperature", Q2, c, TEMPERATURE, NUM1),
        Item::query(
            "battery.voltage",
            Q2,
            c,
            BATTERY_VOLTAGE,
            Conv::BatteryVoltage,
        ),
        Item::query(
            "battery.runtime",
            Q2,
            c,
            RUNTIME_MINUTES,
            Conv::MinutesToSeconds,
        ),
        Item::query("battery.charge", Q2, c, CHARGE, NUM0),
        ti,
        to,
    ]
};

/// The dialect.
pub static DIALECT: Dialect = Dialect {
    name: "q2",
    version: "Q2 0.01",
    items: &[
        &MEASUREMENTS,
        &three_phase::WA_ITEMS,
        &blazer::Q1_BITS,
        &blazer::COMMANDS,
        &blazer::DELAYS,
    ],
    accepted: Some("ACK"),
    rejected: None,
    claim: q6::CLAIM,
    accepts: Accepts::THREE_PHASE,
    constants: three_phase::PHASES_3_3,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Options, Ups};

    const ANSWER: &[u8] = b"(226.6 224.3 228.0 226.6 229.9 000.0 000.0 000 000 000 49.9 327.6 18.0 00000000 999.24 100 02 00 00 00 00 00000000 01\r";

    #[test]
    fn accepts_a_q2_answer() {
        let mut ups = Ups::new(&DIALECT, Options::new());
        ups.decode(Q2, ANSWER).unwrap();
        let v = ups.vars();
        assert_eq!(v.get("input.voltage.fault"), Some("226.6"));
        assert_eq!(v.get("input.frequency"), Some("49.9"));
        assert_eq!(v.get("battery.runtime"), Some("59954"));
        assert_eq!(v.get("battery.voltage"), Some("327.6"));
        assert_eq!(v.get("experimental.input.topology"), Some("delta"));
        assert_eq!(v.get("experimental.output.topology"), Some("star"));
    }

    #[test]
    fn rejects_a_q6_answer_and_signs() {
        let mut ups = Ups::new(&DIALECT, Options::new());
        let q6 = b"(227.0 225.6 230.0 50.0 229.9 000.0 000.0 49.9 007 000 000 327.8 000.0 23.0 06932 100 32 00000000 00000000 11\r";
        assert!(ups.decode(Q2, q6).is_err());
        assert!(ups.vars().is_empty());
        let mut signed = ANSWER.to_vec();
        signed[1] = b'-';
        assert!(ups.decode(Q2, &signed).is_err());
        assert!(ups.vars().get("input.L1-N.voltage").is_none());
    }
}
