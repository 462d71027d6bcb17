//! One dialect (megatec) linked, used through `Ups::decode`.
#![no_std]
#![no_main]

use core::hint::black_box;

use qxups::{Options, Ups};
use qxups_size::{answer, consume, halt};

#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    let mut ups = Ups::new(black_box(&qxups::dialect::megatec::DIALECT), Options::new());
    let _ = black_box(ups.decode(black_box(b"Q1\r"), answer()));
    consume(&ups);
    halt()
}
