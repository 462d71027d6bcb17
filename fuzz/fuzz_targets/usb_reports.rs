//! Report reassembly of every USB subdriver fed arbitrary interrupt and control packets (and
//! transfer errors) by a fuzz-driven host. Byte 0 picks the subdriver (low nibble, modulo 14)
//! and options (0x10 `langid_fix`, 0x20 `novendor`, 0x40 `reconnected` between calls), byte 1
//! the command, byte 2 the reply buffer size; the rest is the host's stream
//! (`qxups_fuzz::usb`). Three calls, so hunnox's preamble rotates and armac's mode is cached.
//! Nothing may panic, and a reply count never exceeds the buffer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qxups::Transport;
use qxups::usb::{Subdriver, UsbOptions, UsbTransport};
use qxups_fuzz::input::block_on;
use qxups_fuzz::usb::{COMMANDS, FuzzHost, NoDelay, SIZES};

fuzz_target!(|data: &[u8]| {
    let [sel, cmd, size, rest @ ..] = data else {
        return;
    };
    let sd = Subdriver::ALL[usize::from(sel & 0x0F) % Subdriver::ALL.len()];
    let options = UsbOptions {
        langid_fix: (sel & 0x10 != 0).then_some(0x0409),
        noscanlangid: false,
        novendor: sel & 0x20 != 0,
    };
    let command = COMMANDS[usize::from(*cmd) % COMMANDS.len()];
    let mut reply = vec![0u8; SIZES[usize::from(*size) % SIZES.len()]];
    let mut t = UsbTransport::new(sd, FuzzHost::new(rest), NoDelay, options);
    let _ = block_on(t.start());
    for _ in 0..3 {
        if let Ok(n) = block_on(t.transact(command, &mut reply)) {
            assert!(n <= reply.len(), "{sd}: {n} > {}", reply.len());
        }
        if sel & 0x40 != 0 {
            t.reconnected();
        }
    }
});
