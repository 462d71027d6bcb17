//! Instant commands and setvars with arbitrary arguments, against a device whose replies come
//! from the fuzz input, optionally after an initialisation walk (which publishes the delays and
//! the values encoders read). Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qxups::Ups;
use qxups_fuzz::input::{self, Device, Script, block_on, flags};

fuzz_target!(|data: &[u8]| {
    let [d, f, body @ ..] = data else {
        return;
    };
    let dialect = input::dialect(*d);
    let controls = input::controls(dialect);
    let script = Script::parse(body);
    let mut device = Device::new(script.rows, dialect.rejected);
    let mut ups = Ups::new(dialect, input::options(*f));
    if f & flags::INIT != 0 {
        let _ = block_on(ups.init(&mut device, 0));
    }
    for op in script.ops.iter().take(16) {
        let Some(&(name, setting)) = controls.get(usize::from(op.selector) % controls.len().max(1))
        else {
            // A dialect without controls: unknown names must be refused cleanly.
            let _ = block_on(ups.instcmd(&mut device, "load.off", Some(&op.arg)));
            let _ = block_on(ups.setvar(&mut device, "ups.delay.start", &op.arg));
            continue;
        };
        if setting {
            let _ = block_on(ups.setvar(&mut device, name, &op.arg));
        } else {
            let arg = (!op.arg.is_empty()).then_some(op.arg.as_str());
            let _ = block_on(ups.instcmd(&mut device, name, arg));
        }
    }
});
