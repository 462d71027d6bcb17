//! `hunnox` ("Hunnox 0.03", spec §5.6): zinto with every measurement quick-polled, the
//! battery charge from `BL\r`, delays 0 s / 60 s, and `UPS No Ack` as the acceptance.
//!
//! Fixed here: NUT requires 6 bytes for the `BL` answer, so a charge below 100 (`BL50\r`,
//! `BL5\r`) fails every update; qxups accepts one to three digits. Autodetection also asks
//! `BL`, which zinto devices do not answer, so hunnox is tried before zinto and both are
//! detectable. It is also tried before megatec: a MEC0003 device runs with `novendor` (the
//! device table sets it, `FW?` has no string index), and then megatec's claim is only `Q1`,
//! which would take every hunnox device; megatec devices do not answer `BL`.

use super::{Accepts, Claim, ConvError, Ctx, Dialect, Flags, Item, blazer, conv};
use crate::nut::vars::{Text, text};
use crate::wire::{Check, Window};

/// `BL\r`.
pub const BL: &[u8] = b"BL\r";

static MEASUREMENTS: [Item; 7] = blazer::q1_measurements(blazer::Q1, Flags::QP);

/// `BL<digits>`: one to three digits, 0..=100.
pub fn battery_level(_ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    let digits = value
        .strip_prefix(b"BL")
        .ok_or(ConvError::Malformed("no BL prefix"))?;
    let n = digits.iter().take_while(|b| b.is_ascii_digit()).count();
    let number = digits
        .get(..n)
        .filter(|d| (1..=3).contains(&d.len()))
        .ok_or(ConvError::Malformed("no digits after BL"))?;
    let charge: u16 = conv::as_str(number)?
        .parse()
        .map_err(|_| ConvError::OutOfRange)?;
    if charge > 100 {
        return Err(ConvError::OutOfRange);
    }
    Ok(Some(text(format_args!("{charge}"))?))
}

static EXTRA: [Item; 1] = [Item::query(
    "battery.charge",
    BL,
    Check::new(3, b'B'),
    Window::to_eol(0),
    super::Conv::Custom(battery_level),
)
.flags(Flags::QP)];

static DELAYS: [Item; 2] = blazer::delays("0", blazer::ONDELAY_RANGE, "60", blazer::OFFDELAY_RANGE);

/// The dialect.
pub static DIALECT: Dialect = Dialect {
    name: "hunnox",
    version: "Hunnox 0.03",
    items: &[
        &MEASUREMENTS,
        &blazer::Q1_BITS,
        &blazer::RATINGS,
        &blazer::IDENTITY_FW,
        &EXTRA,
        &blazer::COMMANDS,
        &DELAYS,
    ],
    accepted: Some("UPS No Ack"),
    rejected: None,
    claim: Claim::items(&["input.voltage", "ups.firmware"]).detect_also(&["battery.charge"]),
    accepts: Accepts::FULL,
    constants: &[],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Options, Ups};

    fn charge(answer: &[u8]) -> Option<std::string::String> {
        let mut ups = Ups::new(&DIALECT, Options::new());
        let _ = ups.decode(BL, answer);
        ups.vars()
            .get("battery.charge")
            .map(std::string::String::from)
    }

    /// NUT quirk §6.3: `BL` min len 6 rejects one- and two-digit charges.
    #[test]
    fn hunnox_bl_accepts_one_two_or_three_digits() {
        assert_eq!(charge(b"BL100\r").as_deref(), Some("100"));
        assert_eq!(charge(b"BL50\r").as_deref(), Some("50"));
        assert_eq!(charge(b"BL5\r").as_deref(), Some("5"));
        assert_eq!(charge(b"BL0").as_deref(), Some("0"));
    }

    #[test]
    fn rejects_bad_levels() {
        assert_eq!(charge(b"BL101\r"), None);
        assert_eq!(charge(b"BL\r"), None);
        assert_eq!(charge(b"BX50\r"), None);
        assert_eq!(charge(b"BL1000\r"), None);
        assert_eq!(charge(b""), None);
    }
}
