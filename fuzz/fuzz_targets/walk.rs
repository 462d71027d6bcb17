//! Claim (or autodetection), initialisation, full and quick updates against a device whose
//! answers come from the fuzz input. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qxups::{Poll, Ups, detect};
use qxups_fuzz::input::{self, Device, Script, block_on, flags};

fuzz_target!(|data: &[u8]| {
    let [d, f, body @ ..] = data else {
        return;
    };
    let dialect = input::dialect(*d);
    let options = input::options(*f);
    let script = Script::parse(body);
    let mut device = Device::new(script.rows, dialect.rejected);
    let mut ups = if f & flags::DETECT != 0 {
        match block_on(detect(&mut device, None, &options)) {
            Ok(ups) => ups,
            Err(_) => return,
        }
    } else {
        let mut ups = Ups::new(dialect, options);
        let _ = block_on(ups.claim(&mut device, true));
        ups
    };
    let _ = block_on(ups.init(&mut device, 0));
    let _ = block_on(ups.update(&mut device, Poll::Full, 2_000));
    let _ = block_on(ups.update(&mut device, Poll::Quick, 4_000));
    let _ = block_on(ups.update(&mut device, Poll::Full, 3_600_000));
    let _ = ups.vars().get("ups.status");
});
