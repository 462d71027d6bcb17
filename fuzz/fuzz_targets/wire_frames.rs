//! Every typed view of the wire layer, and every dialect item's check and window, on arbitrary
//! bytes; the exact-number layer on the fields they yield. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qxups::dialect::AUTODETECT_ORDER;
use qxups::number::Decimal;
use qxups::wire::trim_field;

/// The typed views, shared with core's property tests.
#[path = "../../core/tests/common/views.rs"]
mod views;

fuzz_target!(|data: &[u8]| {
    views::exercise(data);
    // Each dialect's own checks and windows, as the engine applies them.
    for dialect in AUTODETECT_ORDER {
        for item in dialect.items() {
            let _ = item.window.slice(data);
            if let Ok(answer) = item.check.validate(data, dialect.rejected) {
                let field = trim_field(answer.field(item.window));
                let _ = Decimal::parse_unsigned_field(field);
            }
        }
    }
    // Numbers: the two halves as C's strtod would read them, then arithmetic and printing.
    let (a, b) = data.split_at(data.len() / 2);
    if let (Ok(x), Ok(y)) = (Decimal::parse_prefix(a), Decimal::parse_prefix(b)) {
        let (x, y) = (x.ratio(), y.ratio());
        for r in [x.try_add(y), x.try_sub(y), x.try_mul(y), x.try_div(y)]
            .into_iter()
            .flatten()
        {
            let mut out = String::new();
            let _ = r.write_fixed(2, &mut out);
            let _ = r.round(1);
            let _ = r.cmp_to(x);
        }
    }
});
