//! A whole driver with autodetection over every dialect of `AUTODETECT_ORDER`: detect,
//! initialisation, updates, an instant command and a setvar over a link.
#![no_std]
#![no_main]

use qxups::{Options, detect};
use qxups_size::{Link, block_on, drive, halt};

#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    let mut link = Link;
    if let Ok(mut ups) = block_on(detect(&mut link, None, &Options::new())) {
        drive(&mut ups, &mut link);
    }
    halt()
}
