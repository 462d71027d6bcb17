//! Every dialect of `AUTODETECT_ORDER` linked, used through `Ups::decode`.
#![no_std]
#![no_main]

use core::hint::black_box;

use qxups::dialect::AUTODETECT_ORDER;
use qxups::{Options, Ups};
use qxups_size::{answer, consume, halt};

#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    let pick = black_box(0usize);
    if let Some(dialect) = black_box(AUTODETECT_ORDER).get(pick) {
        let mut ups = Ups::new(dialect, Options::new());
        let _ = black_box(ups.decode(black_box(b"Q1\r"), answer()));
        consume(&ups);
    }
    halt()
}
