//! Natural logarithm and powers in fixed point (Q32 in `i128`), for the `runtimecal` estimate
//! (spec §2.10). Precise to about 1e-9, far below the whole seconds and percents published.

use crate::number::{NumberError, Ratio};

const ONE: i128 = 1 << 32;
/// ln 2 in Q32.
const LN2: i128 = 2_977_044_472;

fn to_fx(r: Ratio) -> Result<i128, NumberError> {
    r.try_mul(Ratio::new(ONE, 1).ok_or(NumberError::DivideByZero)?)
        .map(|v| v.trunc())
}

fn from_fx(v: i128) -> Ratio {
    Ratio::new(v, ONE).unwrap_or(Ratio::ZERO)
}

/// `ln x` for `x > 0`.
pub fn ln(x: Ratio) -> Result<Ratio, NumberError> {
    let mut m = to_fx(x)?;
    if m <= 0 {
        return Err(NumberError::Overflow);
    }
    let mut k: i128 = 0;
    while m >= 2 * ONE {
        m >>= 1;
        k += 1;
    }
    while m < ONE {
        m <<= 1;
        k -= 1;
    }
    // ln m = 2 atanh((m-1)/(m+1)), |y| <= 1/3.
    let y = (m - ONE) * ONE / (m + ONE);
    let y2 = y * y / ONE;
    let (mut term, mut sum, mut n) = (y, 0i128, 1i128);
    while term != 0 && n < 200 {
        sum += term / n;
        term = term * y2 / ONE;
        n += 2;
    }
    Ok(from_fx(2 * sum + k * LN2))
}

/// `e^x`.
pub fn exp(x: Ratio) -> Result<Ratio, NumberError> {
    let x = to_fx(x)?;
    let k = x.div_euclid(LN2);
    let r = x - k * LN2;
    let (mut term, mut sum, mut n) = (ONE, ONE, 1i128);
    while term != 0 && n < 200 {
        term = term * r / ONE / n;
        sum += term;
        n += 1;
    }
    let v = if k >= 0 {
        if k > 60 {
            return Err(NumberError::Overflow);
        }
        sum << k
    } else if k < -100 {
        0
    } else {
        sum >> (-k)
    };
    Ok(from_fx(v))
}

/// `base^exponent` for `base >= 0`.
pub fn pow(base: Ratio, exponent: Ratio) -> Result<Ratio, NumberError> {
    if !base.is_positive() {
        return Ok(Ratio::ZERO);
    }
    exp(exponent.try_mul(ln(base)?)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Ratio, b: Ratio) -> bool {
        let d = a.try_sub(b).unwrap();
        d.max(Ratio::ZERO.try_sub(d).unwrap())
            .cmp_to(Ratio::frac(1, 1_000_000))
            .is_lt()
    }

    #[test]
    fn ln_exp_pow() {
        assert!(close(
            ln(Ratio::int(3))
                .unwrap()
                .try_div(ln(Ratio::int(2)).unwrap())
                .unwrap(),
            Ratio::frac(1_584_963, 1_000_000)
        ));
        assert!(close(
            exp(Ratio::int(1)).unwrap(),
            Ratio::frac(2_718_282, 1_000_000)
        ));
        assert!(close(
            pow(
                Ratio::frac(14, 100),
                ln(Ratio::int(3))
                    .unwrap()
                    .try_div(ln(Ratio::int(2)).unwrap())
                    .unwrap()
            )
            .unwrap(),
            Ratio::frac(443_246, 10_000_000)
        ));
        assert!(close(
            pow(Ratio::int(1), Ratio::int(7)).unwrap(),
            Ratio::int(1)
        ));
        assert_eq!(pow(Ratio::ZERO, Ratio::int(2)).unwrap().trunc(), 0);
    }
}
