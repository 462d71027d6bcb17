//! A whole driver with autodetection over every dialect of `AUTODETECT_ORDER`: detect,
//! initialisation, updates, an instant command and a setvar over a link.
#![no_std]
#![no_main]

use core::hint::black_box;

use qxups::{Options, Poll, detect};
use qxups_size::{Link, block_on, consume, halt};

#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    let mut link = Link;
    if let Ok(mut ups) = block_on(detect(&mut link, None, &Options::new())) {
        let _ = black_box(block_on(ups.init(&mut link, 0)));
        loop {
            let poll = if black_box(true) {
                Poll::Full
            } else {
                Poll::Quick
            };
            let _ = black_box(block_on(ups.update(&mut link, poll, black_box(0))));
            let _ = black_box(block_on(ups.instcmd(
                &mut link,
                black_box("beeper.toggle"),
                None,
            )));
            let _ = black_box(block_on(ups.setvar(
                &mut link,
                black_box("ups.delay.start"),
                "60",
            )));
            consume(&ups);
        }
    }
    halt()
}
