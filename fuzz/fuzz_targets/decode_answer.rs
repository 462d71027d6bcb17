//! A captured answer decoded by any dialect, for any of its queries: `Ups::decode` must never
//! panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qxups::{Options, Ups};
use qxups_fuzz::input;

fuzz_target!(|data: &[u8]| {
    let [d, q, answer @ ..] = data else {
        return;
    };
    let dialect = input::dialect(*d);
    let Some(cmd) = input::query(dialect, *q) else {
        return;
    };
    let mut ups = Ups::new(dialect, Options::new());
    let _ = ups.decode(cmd, answer);
    // A second answer on top of the first: conversions that read earlier values.
    let _ = ups.decode(cmd, answer);
    for v in ups.vars().iter() {
        assert!(v.value().len() <= qxups::nut::vars::VALUE_MAX);
    }
});
