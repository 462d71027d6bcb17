//! The item blocks the three-phase dialects share (spec §5.11–5.17): the Q6 answer (q6,
//! innovart31, innovart33), the `WA` output statistics (q2, q6, innovart33; innovart31 takes
//! its totals), the `BPS` bypass answer (innovart31/33) and the wiring topology bytes (q2, q6).
//! The status of every one of them comes from the Q1 bits ([`super::blazer::Q1_BITS`]).

use super::{Conv, Flags, Item};
use crate::wire::q6::Topology;
use crate::wire::{Check, Window, bps, q6, wa};

/// `Q6\r`.
pub const Q6: &[u8] = b"Q6\r";
/// `WA\r`.
pub const WA: &[u8] = b"WA\r";
/// `BPS\r`.
pub const BPS: &[u8] = b"BPS\r";

const NUM1: Conv = Conv::Number(1);
const NUM0: Conv = Conv::Number(0);

/// Input voltage per phase.
pub const INPUT_VOLTAGES: [&str; 3] = [
    "input.L1-N.voltage",
    "input.L2-N.voltage",
    "input.L3-N.voltage",
];
/// Output voltage per phase.
pub const OUTPUT_VOLTAGES: [&str; 3] = [
    "output.L1-N.voltage",
    "output.L2-N.voltage",
    "output.L3-N.voltage",
];
/// Output load per phase.
pub const OUTPUT_LOADS: [&str; 3] = ["output.L1.load", "output.L2.load", "output.L3.load"];
/// Output real power per phase.
pub const OUTPUT_REALPOWER: [&str; 3] = [
    "output.L1.realpower",
    "output.L2.realpower",
    "output.L3.realpower",
];
/// Output apparent power per phase.
pub const OUTPUT_POWER: [&str; 3] = ["output.L1.power", "output.L2.power", "output.L3.power"];
/// Output current per phase.
pub const OUTPUT_CURRENTS: [&str; 3] = [
    "output.L1.current",
    "output.L2.current",
    "output.L3.current",
];
/// Bypass voltage per phase.
pub const BYPASS_VOLTAGES: [&str; 3] = [
    "input.bypass.L1-N.voltage",
    "input.bypass.L2-N.voltage",
    "input.bypass.L3-N.voltage",
];

/// Three items, one per phase: `names[i]` read from `windows[i]` of the answer to `cmd`.
pub const fn per_phase(
    names: [&'static str; 3],
    cmd: &'static [u8],
    check: Check,
    windows: [Window; 3],
    conv: Conv,
) -> [Item; 3] {
    let [n1, n2, n3] = names;
    let [w1, w2, w3] = windows;
    [
        Item::query(n1, cmd, check, w1, conv),
        Item::query(n2, cmd, check, w2, conv),
        Item::query(n3, cmd, check, w3, conv),
    ]
}

/// Q6: input voltage per phase and input frequency.
pub static Q6_INPUT: [Item; 4] = {
    let [l1, l2, l3] = per_phase(
        INPUT_VOLTAGES,
        Q6,
        q6::CHECK,
        q6::field::INPUT_VOLTAGE,
        NUM1,
    );
    [
        l1,
        l2,
        l3,
        Item::query(
            "input.frequency",
            Q6,
            q6::CHECK,
            q6::field::INPUT_FREQUENCY,
            NUM1,
        ),
    ]
};

/// Q6: output voltage per phase, output frequency and load per phase (three-phase output).
pub static Q6_OUTPUT: [Item; 7] = {
    let [v1, v2, v3] = per_phase(
        OUTPUT_VOLTAGES,
        Q6,
        q6::CHECK,
        q6::field::OUTPUT_VOLTAGE,
        NUM1,
    );
    let [l1, l2, l3] = per_phase(OUTPUT_LOADS, Q6, q6::CHECK, q6::field::LOAD, NUM0);
    [v1, v2, v3, Q6_OUTPUT_FREQUENCY, l1, l2, l3]
};

/// Q6: output frequency.
pub const Q6_OUTPUT_FREQUENCY: Item = Item::query(
    "output.frequency",
    Q6,
    q6::CHECK,
    q6::field::OUTPUT_FREQUENCY,
    NUM1,
);

/// Q6: temperature, battery voltage (multiplier), runtime (as is) and charge.
pub static Q6_BATTERY: [Item; 4] = {
    use q6::field::*;
    let c = q6::CHECK;
    [
        Item::query("ups.temperature", Q6, c, TEMPERATURE, NUM1),
        Item::query(
            "battery.voltage",
            Q6,
            c,
            BATTERY_VOLTAGE,
            Conv::BatteryVoltage,
        ),
        Item::query("battery.runtime", Q6, c, RUNTIME, NUM0),
        Item::query("battery.charge", Q6, c, CHARGE, NUM0),
    ]
};

/// The input and output wiring bytes of `cmd`'s answer (`1` star, `0` delta), static.
pub const fn topology(
    cmd: &'static [u8],
    check: Check,
    input: Window,
    output: Window,
) -> [Item; 2] {
    let conv = Conv::Bit {
        one: Topology::Star.name(),
        zero: Topology::Delta.name(),
    };
    [
        Item::query("experimental.input.topology", cmd, check, input, conv).flags(Flags::ST),
        Item::query("experimental.output.topology", cmd, check, output, conv).flags(Flags::ST),
    ]
}

/// WA: total real and apparent power, kW/kVA to W/VA.
pub const WA_TOTALS: [Item; 2] = [
    Item::query(
        "ups.realpower",
        WA,
        wa::CHECK,
        wa::field::TOTAL_REALPOWER,
        Conv::Kilo,
    ),
    Item::query(
        "ups.power",
        WA,
        wa::CHECK,
        wa::field::TOTAL_POWER,
        Conv::Kilo,
    ),
];

/// WA: per-phase real power, apparent power and current, the totals and the load.
pub static WA_ITEMS: [Item; 12] = {
    use wa::field::*;
    let c = wa::CHECK;
    let [r1, r2, r3] = per_phase(OUTPUT_REALPOWER, WA, c, REALPOWER, Conv::Kilo);
    let [p1, p2, p3] = per_phase(OUTPUT_POWER, WA, c, POWER, Conv::Kilo);
    let [c1, c2, c3] = per_phase(OUTPUT_CURRENTS, WA, c, CURRENT, NUM1);
    let [real, apparent] = WA_TOTALS;
    [
        r1,
        r2,
        r3,
        p1,
        p2,
        p3,
        c1,
        c2,
        c3,
        real,
        apparent,
        Item::query("ups.load", WA, c, LOAD, NUM0),
    ]
};

/// BPS: bypass frequency.
pub const BPS_FREQUENCY: Item = Item::query(
    "input.bypass.frequency",
    BPS,
    bps::CHECK,
    bps::field::FREQUENCY,
    NUM1,
);

/// BPS: bypass voltage per phase and bypass frequency.
pub static BPS_ITEMS: [Item; 4] = {
    let [v1, v2, v3] = per_phase(BYPASS_VOLTAGES, BPS, bps::CHECK, bps::field::VOLTAGE, NUM1);
    [v1, v2, v3, BPS_FREQUENCY]
};

/// `input.phases = 3`, `output.phases = 3` (q2, q6).
pub const PHASES_3_3: &[(&str, &str)] = &[("input.phases", "3"), ("output.phases", "3")];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::Kind;

    #[test]
    fn blocks_read_their_own_answer() {
        for item in Q6_INPUT.iter().chain(&Q6_OUTPUT).chain(&Q6_BATTERY) {
            assert_eq!(item.cmd, Q6, "{}", item.name);
            assert_eq!(item.check, q6::CHECK);
            assert!(matches!(item.kind, Kind::Query(_)));
        }
        assert!(WA_ITEMS.iter().all(|i| i.cmd == WA && i.check == wa::CHECK));
        assert!(
            BPS_ITEMS
                .iter()
                .all(|i| i.cmd == BPS && i.check == bps::CHECK)
        );
        assert_eq!(WA_ITEMS[11].name, "ups.load");
    }

    #[test]
    fn topology_is_static_and_strict() {
        let [i, o] = topology(
            Q6,
            q6::CHECK,
            q6::field::INPUT_TOPOLOGY,
            q6::field::OUTPUT_TOPOLOGY,
        );
        assert!(i.flags.has(Flags::ST) && o.flags.has(Flags::ST));
        assert!(matches!(
            i.kind,
            Kind::Query(Conv::Bit {
                one: "star",
                zero: "delta"
            })
        ));
    }
}
