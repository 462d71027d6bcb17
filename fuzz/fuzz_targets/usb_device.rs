//! The virtual UPS's USB face fed arbitrary requests: any setup packet, data stage, endpoint
//! and length, faults and time passing, for every subdriver's hardware. Nothing may panic,
//! and no transfer reports more bytes than its buffer.
//!
//! Byte 0 picks the subdriver (modulo 14; 0x80 offers armac's interrupt endpoints), then each
//! request is an opcode byte and its operands.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qxups::usb::{Setup, Subdriver, UsbHost};
use qxups::virtual_ups::{Fault, VirtualUsb};
use qxups_fuzz::input::block_on;

fn take<'a>(rest: &mut &'a [u8], n: usize) -> &'a [u8] {
    let (a, b) = rest.split_at(n.min(rest.len()));
    *rest = b;
    a
}

fn byte(rest: &mut &[u8]) -> u8 {
    take(rest, 1).first().copied().unwrap_or(0)
}

fn setup(rest: &mut &[u8]) -> Setup {
    let mut s = [0u8; 8];
    s[..]
        .iter_mut()
        .zip(take(rest, 8))
        .for_each(|(a, b)| *a = *b);
    Setup {
        request_type: s[0],
        request: s[1],
        value: u16::from_le_bytes([s[2], s[3]]),
        index: u16::from_le_bytes([s[4], s[5]]),
        length: u16::from_le_bytes([s[6], s[7]]),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, mut rest)) = data.split_first() else {
        return;
    };
    let sd = Subdriver::ALL[usize::from(sel & 0x7F) % Subdriver::ALL.len()];
    let mut d = VirtualUsb::for_subdriver(sd);
    d.set_armac_interrupt(sel & 0x80 != 0);
    let mut buf = [0u8; 1300];
    while !rest.is_empty() {
        match byte(&mut rest) % 8 {
            0 => {
                let s = setup(&mut rest);
                let len = usize::from(byte(&mut rest)) * 5;
                if let Ok(n) = block_on(d.control_in(s, &mut buf[..len], 1000)) {
                    assert!(n <= len);
                }
            }
            1 => {
                let mut s = setup(&mut rest);
                let n = usize::from(byte(&mut rest));
                let data = take(&mut rest, n);
                s.length = data.len() as u16;
                let _ = block_on(d.control_out(s, data, 1000));
            }
            2 => {
                let ep = byte(&mut rest);
                let len = usize::from(byte(&mut rest));
                if let Ok(n) = block_on(d.interrupt_in(ep, &mut buf[..len], 1000)) {
                    assert!(n <= len);
                }
            }
            3 => {
                let ep = byte(&mut rest);
                let n = usize::from(byte(&mut rest));
                let data = take(&mut rest, n);
                let _ = block_on(d.interrupt_out(ep, data, 1000));
            }
            4 => {
                let fault = match byte(&mut rest) % 7 {
                    0 => Fault::NoAnswer,
                    1 => Fault::Garbage,
                    2 => Fault::Truncated,
                    3 => Fault::Stall,
                    4 => Fault::Disconnect,
                    5 => Fault::DescriptorLength,
                    _ => {
                        d.ups_mut().clear_fault();
                        continue;
                    }
                };
                let count = byte(&mut rest);
                d.ups_mut()
                    .inject(fault, (count != 0xFF).then_some(u32::from(count)));
            }
            5 => {
                let ms = u64::from(byte(&mut rest)) * 10_000;
                d.ups_mut().advance(ms);
            }
            6 => {
                if byte(&mut rest) & 1 == 0 {
                    d.unplug();
                } else {
                    d.replug();
                }
            }
            _ => {
                let _ = block_on(d.config_descriptor(&mut buf[..usize::from(byte(&mut rest))]));
            }
        }
    }
});
