//! Exact decimal arithmetic: device fields are parsed to [`Decimal`]s, computations run on
//! [`Ratio`]s of integers, and published strings are rounded the way C's `%.Nf` rounds a tie
//! (to the even neighbour). No floats: Cortex-M0 has no FPU and `%.1f` must never depend on a
//! binary approximation that the device's decimal text did not have.

use core::cmp::Ordering;
use core::fmt;

/// Why a number could not be read or computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum NumberError {
    /// A byte other than `0-9`, space or `.` in a field that must be numeric.
    NotNumeric {
        /// The offending byte.
        found: u8,
    },
    /// More digits than the arithmetic can hold exactly.
    Overflow,
    /// Division by zero.
    DivideByZero,
}

impl fmt::Display for NumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotNumeric { found } => write!(f, "byte 0x{found:02x} in a numeric field"),
            Self::Overflow => f.write_str("number too large"),
            Self::DivideByZero => f.write_str("division by zero"),
        }
    }
}

impl core::error::Error for NumberError {}

/// Fractional digits kept when parsing; later digits are dropped.
const MAX_SCALE: u8 = 12;

/// A decimal number exactly as the device wrote it: `mantissa / 10^scale`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Decimal {
    mantissa: i64,
    scale: u8,
}

impl Decimal {
    /// Zero.
    pub const ZERO: Self = Self {
        mantissa: 0,
        scale: 0,
    };

    /// `mantissa / 10^scale`.
    pub const fn new(mantissa: i64, scale: u8) -> Self {
        Self { mantissa, scale }
    }

    /// A whole number.
    pub const fn from_int(value: i64) -> Self {
        Self {
            mantissa: value,
            scale: 0,
        }
    }

    /// The mantissa (`value * 10^scale`).
    pub const fn mantissa(self) -> i64 {
        self.mantissa
    }

    /// The number of fractional digits.
    pub const fn scale(self) -> u8 {
        self.scale
    }

    /// Reads the longest number at the start of `text` the way C `strtod` does: leading white
    /// space is skipped, an optional sign, digits, an optional `.` and more digits; reading stops
    /// at the first byte that cannot continue the number (`"12 3"` is 12, `"1.2.3"` is 1.2).
    /// Text with no digits reads as 0, as in C.
    pub fn parse_prefix(text: &[u8]) -> Result<Self, NumberError> {
        let mut rest = text;
        while let [b, tail @ ..] = rest {
            if matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
                rest = tail;
            } else {
                break;
            }
        }
        let mut negative = false;
        if let [sign @ (b'+' | b'-'), tail @ ..] = rest {
            negative = *sign == b'-';
            rest = tail;
        }
        let mut mantissa: i64 = 0;
        let mut scale: u8 = 0;
        let mut in_fraction = false;
        for &b in rest {
            match b {
                b'0'..=b'9' => {
                    if in_fraction && scale >= MAX_SCALE {
                        continue;
                    }
                    mantissa = mantissa
                        .checked_mul(10)
                        .and_then(|m| m.checked_add(i64::from(b - b'0')))
                        .ok_or(NumberError::Overflow)?;
                    if in_fraction {
                        scale += 1;
                    }
                }
                b'.' if !in_fraction => in_fraction = true,
                _ => break,
            }
        }
        if negative {
            mantissa = -mantissa;
        }
        Ok(Self { mantissa, scale })
    }

    /// NUT's rule for a field with a numeric format: only `0-9`, space and `.` may appear (so a
    /// sign is refused), then the value is read like [`Decimal::parse_prefix`]. An empty or
    /// all-space field reads as 0.
    pub fn parse_unsigned_field(text: &[u8]) -> Result<Self, NumberError> {
        if let Some(&found) = text
            .iter()
            .find(|b| !matches!(b, b'0'..=b'9' | b' ' | b'.'))
        {
            return Err(NumberError::NotNumeric { found });
        }
        Self::parse_prefix(text)
    }

    /// The value as an exact ratio.
    pub fn ratio(self) -> Ratio {
        Ratio {
            num: i128::from(self.mantissa),
            den: pow10(self.scale),
        }
    }

    /// The integer part, truncated toward zero (C `strtol` on the same text, for values that
    /// fit).
    pub const fn trunc(self) -> i64 {
        let mut m = self.mantissa;
        let mut s = self.scale;
        while s > 0 {
            m /= 10;
            s -= 1;
        }
        m
    }
}

const fn pow10(exp: u8) -> i128 {
    let mut v: i128 = 1;
    let mut i = 0;
    while i < exp {
        v *= 10;
        i += 1;
    }
    v
}

/// An exact rational number used for every computed value (`num / den`, `den > 0`).
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Ratio {
    num: i128,
    den: i128,
}

impl Ratio {
    /// Zero.
    pub const ZERO: Self = Self { num: 0, den: 1 };

    /// `num / den`; `None` when `den` is 0.
    pub const fn new(num: i128, den: i128) -> Option<Self> {
        if den == 0 {
            None
        } else if den < 0 {
            Some(Self {
                num: -num,
                den: -den,
            })
        } else {
            Some(Self { num, den })
        }
    }

    /// A whole number.
    pub const fn int(value: i64) -> Self {
        Self {
            num: value as i128,
            den: 1,
        }
    }

    /// `a / b` of two whole numbers, for constants such as `104/120`.
    pub const fn frac(a: i64, b: i64) -> Self {
        match Self::new(a as i128, b as i128) {
            Some(r) => r,
            None => Self::ZERO,
        }
    }

    fn reduce(self) -> Self {
        let g = gcd(self.num.unsigned_abs(), self.den.unsigned_abs());
        if g > 1 {
            let g = g as i128;
            Self {
                num: self.num / g,
                den: self.den / g,
            }
        } else {
            self
        }
    }

    /// `self + other`.
    pub fn try_add(self, other: Self) -> Result<Self, NumberError> {
        let num = self
            .num
            .checked_mul(other.den)
            .and_then(|a| {
                other
                    .num
                    .checked_mul(self.den)
                    .and_then(|b| a.checked_add(b))
            })
            .ok_or(NumberError::Overflow)?;
        let den = self
            .den
            .checked_mul(other.den)
            .ok_or(NumberError::Overflow)?;
        Ok(Self { num, den }.reduce())
    }

    /// `self - other`.
    pub fn try_sub(self, other: Self) -> Result<Self, NumberError> {
        self.try_add(Self {
            num: -other.num,
            den: other.den,
        })
    }

    /// `self * other`.
    pub fn try_mul(self, other: Self) -> Result<Self, NumberError> {
        let num = self
            .num
            .checked_mul(other.num)
            .ok_or(NumberError::Overflow)?;
        let den = self
            .den
            .checked_mul(other.den)
            .ok_or(NumberError::Overflow)?;
        Ok(Self { num, den }.reduce())
    }

    /// `self / other`.
    pub fn try_div(self, other: Self) -> Result<Self, NumberError> {
        if other.num == 0 {
            return Err(NumberError::DivideByZero);
        }
        let num = self
            .num
            .checked_mul(other.den)
            .ok_or(NumberError::Overflow)?;
        let den = self
            .den
            .checked_mul(other.num)
            .ok_or(NumberError::Overflow)?;
        Self::new(num, den)
            .map(Self::reduce)
            .ok_or(NumberError::DivideByZero)
    }

    /// The larger of the two.
    pub fn max(self, other: Self) -> Self {
        if self.cmp_to(other) == Ordering::Less {
            other
        } else {
            self
        }
    }

    /// The smaller of the two.
    pub fn min(self, other: Self) -> Self {
        if self.cmp_to(other) == Ordering::Greater {
            other
        } else {
            self
        }
    }

    /// Limits the value to `lo..=hi`.
    pub fn clamp(self, lo: Self, hi: Self) -> Self {
        self.max(lo).min(hi)
    }

    /// Compares two ratios exactly.
    pub fn cmp_to(self, other: Self) -> Ordering {
        match (
            self.num.checked_mul(other.den),
            other.num.checked_mul(self.den),
        ) {
            (Some(a), Some(b)) => a.cmp(&b),
            // Far outside any UPS value; compare the integer parts instead.
            _ => (self.num / self.den).cmp(&(other.num / other.den)),
        }
    }

    /// True when the value is greater than zero.
    pub const fn is_positive(self) -> bool {
        self.num > 0
    }

    /// True when the value is below zero.
    pub const fn is_negative(self) -> bool {
        self.num < 0
    }

    /// Truncates toward zero.
    pub const fn trunc(self) -> i128 {
        self.num / self.den
    }

    /// Rounds to `decimals` fractional digits, a tie going to the even neighbour, and returns
    /// the result as a [`Decimal`].
    pub fn round(self, decimals: u8) -> Result<Decimal, NumberError> {
        let scaled = self
            .num
            .unsigned_abs()
            .checked_mul(pow10(decimals) as u128)
            .ok_or(NumberError::Overflow)?;
        let den = self.den.unsigned_abs();
        let mut q = scaled / den;
        let r = scaled % den;
        let twice = r.checked_mul(2).ok_or(NumberError::Overflow)?;
        if twice > den || (twice == den && q % 2 == 1) {
            q += 1;
        }
        let q = i64::try_from(q).map_err(|_| NumberError::Overflow)?;
        Ok(Decimal {
            mantissa: if self.num < 0 { -q } else { q },
            scale: decimals,
        })
    }

    /// Writes the value like C `printf("%.Nf")` with `N = decimals`.
    pub fn write_fixed<W: fmt::Write>(self, decimals: u8, out: &mut W) -> Result<(), FormatError> {
        let d = self.round(decimals).map_err(|_| FormatError)?;
        // C keeps the sign of a negative value that rounds to zero ("-0.0").
        let negative = self.num < 0;
        write_decimal(d.mantissa.unsigned_abs(), decimals, negative, out).map_err(|_| FormatError)
    }
}

/// Writes a value that did not fit the output text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FormatError;

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("value does not fit")
    }
}

impl core::error::Error for FormatError {}

fn write_decimal<W: fmt::Write>(
    magnitude: u64,
    decimals: u8,
    negative: bool,
    out: &mut W,
) -> fmt::Result {
    if negative {
        out.write_char('-')?;
    }
    let div = pow10(decimals) as u64;
    write!(out, "{}", magnitude / div)?;
    if decimals > 0 {
        write!(
            out,
            ".{:0width$}",
            magnitude % div,
            width = usize::from(decimals)
        )?;
    }
    Ok(())
}

impl From<Decimal> for Ratio {
    fn from(d: Decimal) -> Self {
        d.ratio()
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_decimal(
            self.mantissa.unsigned_abs(),
            self.scale,
            self.mantissa < 0,
            f,
        )
    }
}

const fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    if a == 0 { 1 } else { a }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::string::String;

    fn fixed(r: Ratio, d: u8) -> String {
        let mut s = String::new();
        r.write_fixed(d, &mut s).unwrap();
        s
    }

    fn dec(s: &str) -> Decimal {
        Decimal::parse_prefix(s.as_bytes()).unwrap()
    }

    #[test]
    fn parses_like_strtod() {
        assert_eq!(dec("  22.7"), Decimal::new(227, 1));
        assert_eq!(dec("12 3"), Decimal::new(12, 0));
        assert_eq!(dec("1.2.3"), Decimal::new(12, 1));
        assert_eq!(dec("-3.5x"), Decimal::new(-35, 1));
        assert_eq!(dec(""), Decimal::ZERO);
        assert_eq!(dec("   "), Decimal::ZERO);
        assert_eq!(dec(".5"), Decimal::new(5, 1));
    }

    #[test]
    fn unsigned_field_refuses_signs() {
        assert_eq!(
            Decimal::parse_unsigned_field(b"-12.0"),
            Err(NumberError::NotNumeric { found: b'-' })
        );
        assert_eq!(
            Decimal::parse_unsigned_field(b"014"),
            Ok(Decimal::new(14, 0))
        );
    }

    #[test]
    fn formats_like_printf() {
        assert_eq!(fixed(dec("014").ratio(), 0), "14");
        assert_eq!(fixed(dec("024.0").ratio(), 1), "24.0");
        assert_eq!(fixed(dec("000").ratio(), 1), "0.0");
        assert_eq!(fixed(dec("301.5").ratio(), 0), "302");
        assert_eq!(fixed(dec("302.5").ratio(), 0), "302");
        assert_eq!(fixed(dec("0.5").ratio(), 0), "0");
        assert_eq!(fixed(dec("1.5").ratio(), 0), "2");
        assert_eq!(fixed(Ratio::frac(104 * 24, 120), 2), "20.80");
        assert_eq!(fixed(dec("-0.04").ratio(), 1), "-0.0");
        assert_eq!(fixed(Ratio::frac(190, 52), 0), "4");
    }

    #[test]
    fn arithmetic_is_exact() {
        let charge = dec("22.7")
            .ratio()
            .try_sub(dec("20.8").ratio())
            .and_then(|a| a.try_div(dec("26.0").ratio().try_sub(dec("20.8").ratio()).unwrap()))
            .and_then(|f| f.try_mul(Ratio::int(100)))
            .unwrap();
        assert_eq!(fixed(charge, 0), "37");
        assert!(Ratio::int(1).try_div(Ratio::ZERO).is_err());
    }
}
