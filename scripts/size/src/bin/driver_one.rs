//! A whole driver for one dialect (megatec): claim, initialisation, updates, an instant command
//! and a setvar over a link.
#![no_std]
#![no_main]

use core::hint::black_box;

use qxups::{Options, Ups};
use qxups_size::{Link, block_on, drive, halt};

#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    let mut ups = Ups::new(black_box(&qxups::dialect::megatec::DIALECT), Options::new());
    let mut link = Link;
    if block_on(ups.claim(&mut link, true)) == Ok(true) {
        drive(&mut ups, &mut link);
    }
    halt()
}
