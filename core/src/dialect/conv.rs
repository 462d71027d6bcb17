//! The shared conversions of [`Conv`] (spec §2.3, §2.11, §3.2–3.3).

use super::{Conv, ConvError, Ctx, Flags, Item};
use crate::number::{Decimal, Ratio};
use crate::nut::status::Flag;
use crate::nut::vars::{Text, text};
use crate::wire::trim_field;

/// The value as UTF-8 text.
pub fn as_str(value: &[u8]) -> Result<&str, ConvError> {
    core::str::from_utf8(value).map_err(|_| ConvError::NotText)
}

/// The value as a [`Text`].
pub fn to_text(value: &[u8]) -> Result<Text, ConvError> {
    let mut t = Text::new();
    t.push_str(as_str(value)?)
        .map_err(|_| ConvError::Vars(crate::nut::vars::VarsError::TooLong))?;
    Ok(t)
}

/// `value` printed like `%.Nf`.
pub fn fixed(value: Ratio, decimals: u8) -> Result<Text, ConvError> {
    let mut t = Text::new();
    value
        .write_fixed(decimals, &mut t)
        .map_err(|_| ConvError::Vars(crate::nut::vars::VarsError::TooLong))?;
    Ok(t)
}

/// A published variable read like C `strtod`; `None` when unpublished.
pub fn published(ctx: &Ctx<'_>, name: &'static str) -> Result<Option<Ratio>, ConvError> {
    match ctx.vars.get(name) {
        Some(v) => Ok(Some(Decimal::parse_prefix(v.as_bytes())?.ratio())),
        None => Ok(None),
    }
}

/// One status byte: `true` for `1`, `false` for `0`, anything else (including more or fewer
/// bytes) is an error.
pub fn bit(value: &[u8]) -> Result<bool, ConvError> {
    match value {
        [b'1'] => Ok(true),
        [b'0'] => Ok(false),
        [found, ..] => Err(ConvError::NotABit { found: *found }),
        [] => Err(ConvError::NotABit { found: 0 }),
    }
}

/// The blazer TRIM/BYPASS/BOOST choice from the output/input voltage ratio (spec §3.3).
pub fn bypass_token(ctx: &Ctx<'_>) -> Result<&'static str, ConvError> {
    let vi = published(ctx, "input.voltage")?.ok_or(ConvError::Missing("input.voltage"))?;
    let vo = published(ctx, "output.voltage")?.ok_or(ConvError::Missing("output.voltage"))?;
    let below = |pct: i64| -> Result<bool, ConvError> {
        Ok(vo.cmp_to(vi.try_mul(Ratio::frac(pct, 100))?) == core::cmp::Ordering::Less)
    };
    if below(50)? {
        Err(ConvError::VoltageRatio)
    } else if below(95)? {
        Ok("TRIM")
    } else if below(105)? {
        Ok("BYPASS")
    } else if below(150)? {
        Ok("BOOST")
    } else {
        Err(ConvError::VoltageRatio)
    }
}

/// The battery-voltage multiplier (spec §2.11). The raw text is published unchanged unless
/// one-pack mode is on with more than one pack; unlike NUT, text that is not a number is refused
/// rather than published.
pub fn battery_voltage(ctx: &mut Ctx<'_>, value: &[u8]) -> Result<Option<Text>, ConvError> {
    ctx.battery.multiplier_ran = true;
    let reading = Decimal::parse_unsigned_field(value)?;
    match ctx.battery.one_pack_packs() {
        Some(packs) => fixed(reading.ratio().try_mul(packs)?, 2).map(Some),
        None => to_text(value).map(Some),
    }
}

/// Runs one of the shared conversions (or the dialect's own) on `value`.
pub fn convert(
    item: &Item,
    conv: Conv,
    ctx: &mut Ctx<'_>,
    value: &[u8],
) -> Result<Option<Text>, ConvError> {
    let value = if item.flags.has(Flags::TR) {
        trim_field(value)
    } else {
        value
    };
    match conv {
        Conv::Text => to_text(value).map(Some),
        Conv::Number(decimals) => {
            fixed(Decimal::parse_unsigned_field(value)?.ratio(), decimals).map(Some)
        }
        Conv::Integer => Ok(Some(text(format_args!(
            "{}",
            Decimal::parse_unsigned_field(value)?.trunc()
        ))?)),
        Conv::BatteryVoltage => battery_voltage(ctx, value),
        Conv::Kilo => fixed(
            Decimal::parse_prefix(value)?
                .ratio()
                .try_mul(Ratio::int(1000))?,
            2,
        )
        .map(Some),
        Conv::MinutesToSeconds => fixed(
            Decimal::parse_unsigned_field(value)?
                .ratio()
                .try_mul(Ratio::int(60))?,
            0,
        )
        .map(Some),
        Conv::Bit { one, zero } => {
            let t = if bit(value)? { one } else { zero };
            Ok(if t.is_empty() {
                None
            } else {
                Some(to_text(t.as_bytes())?)
            })
        }
        Conv::Bypass => {
            // NUT never clears these on a 0 bit, so TRIM/BOOST/BYPASS outlive the condition
            // until the next full update (spec §6.11); here every reading decides them.
            let on = bit(value)?;
            for flag in [Flag::Trim, Flag::Bypass, Flag::Boost] {
                ctx.status.set(flag, false);
            }
            if on {
                Ok(Some(to_text(bypass_token(ctx)?.as_bytes())?))
            } else {
                Ok(None)
            }
        }
        Conv::Custom(f) => f(ctx, value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Options, Ups, dialect::megatec};

    #[test]
    fn bits_are_exactly_one_zero_or_one() {
        assert_eq!(bit(b"1"), Ok(true));
        assert_eq!(bit(b"0"), Ok(false));
        assert_eq!(bit(b"x"), Err(ConvError::NotABit { found: b'x' }));
        assert!(bit(b"").is_err() && bit(b"01").is_err());
    }

    #[test]
    fn fixed_rounds_like_printf() {
        assert_eq!(fixed(Ratio::frac(3654, 100), 0).unwrap().as_str(), "37");
        assert_eq!(fixed(Ratio::frac(24, 1), 1).unwrap().as_str(), "24.0");
        assert_eq!(fixed(Ratio::frac(125, 1000), 2).unwrap().as_str(), "0.12");
    }

    #[test]
    fn text_must_be_utf8() {
        assert_eq!(to_text(b"ok").unwrap().as_str(), "ok");
        assert_eq!(to_text(&[0xff, 0xfe]), Err(ConvError::NotText));
    }

    /// Spec §3.3: the voltage ratio picks TRIM, BYPASS or BOOST; outside 0.5..1.5 is an error.
    #[test]
    fn b5_token_follows_the_voltage_ratio() {
        let token = |vi: &str, vo: &str| {
            let mut ups = Ups::new(&megatec::DIALECT, Options::new());
            let answer = std::format!("({vi} 195.0 {vo} 014 49.0 22.7 30.0 00100000\r");
            let result = ups.decode(b"Q1\r", answer.as_bytes());
            (
                result.is_ok(),
                ups.vars().get("ups.status").map(std::string::String::from),
            )
        };
        assert_eq!(token("230.0", "200.0"), (true, Some("OL TRIM".into())));
        assert_eq!(token("230.0", "230.0"), (true, Some("OL BYPASS".into())));
        assert_eq!(token("200.0", "230.0"), (true, Some("OL BOOST".into())));
        assert_eq!(token("230.0", "100.0"), (false, None));
        assert_eq!(token("100.0", "230.0"), (false, None));
    }
}
