//! `armac` (usb-transports.md §4.9, Richcomm "PowerManagerII" bridges): the command goes out
//! as `[0xA0 + n, n bytes]` — in 4-byte SET_REPORTs of up to 3 bytes (control mode) or one
//! interrupt OUT to 0x02 (interrupt mode, chosen once from the configuration descriptor);
//! replies come as `[control, data..]` packets whose count is `control & 0x3F`.
//!
//! Differences from NUT: an error on any write chunk fails the command (NUT ignored all but
//! the last, §10 quirk 13); silence is `Ok(0)`; "too much data" is
//! [`TransportError::Protocol`].

use super::{CR, DelayNs, EP_IN, EP_OUT, Setup, UsbHost, buflen, silence, stream, wrote, zero};
use crate::transport::TransportError;

/// Commands the bridge ignores; echoed without traffic, so autodetection does not stall.
pub const REFUSED: [&[u8]; 5] = [b"QGS\r", b"QS\r", b"QPI\r", b"M\r", b"D\r"];
/// SET_REPORT and interrupt OUT timeout.
pub const WRITE_TIMEOUT_MS: u32 = 5000;
/// Drain read timeout (control mode).
pub const DRAIN_TIMEOUT_MS: u32 = 100;
/// Most drain reads.
pub const DRAIN_READS: usize = 10;
/// The interrupt IN endpoint in interrupt mode.
pub const EP_IN_INTERRUPT: u8 = 0x82;
/// Below this write position a NUL ends the message; from here on it stands for `0`
/// (some units send NUL inside the Q1 status bits).
pub const NUL_AS_ZERO_FROM: usize = 38;

/// How commands travel, decided once per device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Mode {
    /// 4-byte SET_REPORTs, 8-byte reads from 0x81.
    Control,
    /// Interrupt OUT to 0x02, 64-byte reads from 0x82.
    Interrupt,
}

/// Chooses the mode from a configuration descriptor: interrupt mode needs exactly one
/// interface with one alternate setting and two endpoints, IN 0x82 and OUT 0x02 (neither a
/// control endpoint), and a 64-byte IN packet size.
pub fn choose_mode(config: &[u8]) -> Mode {
    if config.get(1) != Some(&0x02) || config.get(4) != Some(&1) {
        return Mode::Control;
    }
    let mut interfaces = 0;
    let mut endpoints = [None::<(u8, u8, u16)>; 2];
    let mut n_endpoints = 0;
    let mut rest = config;
    while let [len, kind, ..] = rest {
        let len = usize::from(*len);
        if len < 2 {
            break;
        }
        let Some((desc, tail)) = rest.split_at_checked(len) else {
            break;
        };
        match (kind, desc) {
            (0x04, [_, _, _, _, count, ..]) => {
                interfaces += 1;
                if *count != 2 {
                    return Mode::Control;
                }
            }
            (0x05, [_, _, address, attributes, lo, hi, ..]) => {
                if let Some(slot) = endpoints.get_mut(n_endpoints) {
                    *slot = Some((*address, *attributes, u16::from_le_bytes([*lo, *hi])));
                }
                n_endpoints += 1;
            }
            _ => {}
        }
        rest = tail;
    }
    if interfaces != 1 || n_endpoints != 2 {
        return Mode::Control;
    }
    let find = |dir_in: bool| {
        endpoints
            .iter()
            .flatten()
            .find(|(a, _, _)| (a & 0x80 != 0) == dir_in)
            .copied()
    };
    match (find(true), find(false)) {
        (Some((0x82, in_attr, 64)), Some((0x02, out_attr, _)))
            if in_attr & 0x03 != 0 && out_attr & 0x03 != 0 =>
        {
            Mode::Interrupt
        }
        _ => Mode::Control,
    }
}

/// One command and its reply; `mode` caches the mode choice.
pub async fn transact<H: UsbHost, D: DelayNs>(
    host: &mut H,
    delay: &mut D,
    mode: &mut Option<Mode>,
    command: &[u8],
    reply: &mut [u8],
) -> Result<usize, TransportError> {
    if REFUSED.contains(&command) {
        return Ok(super::echo(command, reply));
    }
    let mode = match mode {
        Some(m) => *m,
        None => {
            let mut config = [0u8; 128];
            let m = match host.config_descriptor(&mut config).await {
                Ok(n) => choose_mode(config.get(..n).unwrap_or(&[])),
                Err(_) => Mode::Control,
            };
            *mode = Some(m);
            m
        }
    };
    let (endpoint, read_size) = if mode == Mode::Interrupt && command.len() < 64 {
        let n = command.len().min(62);
        let mut packet = [0u8; 63];
        packet[0] = 0xA0 + n as u8;
        for (p, b) in packet.iter_mut().skip(1).zip(command.iter().take(n)) {
            *p = *b;
        }
        wrote(
            host.interrupt_out(
                EP_OUT,
                packet.get(..=n).unwrap_or(&packet),
                WRITE_TIMEOUT_MS,
            )
            .await,
        )?;
        (EP_IN_INTERRUPT, 64)
    } else {
        // Stale data ends at the first read that brings nothing.
        let _ = stream::drain::<H, 8>(host, DRAIN_READS, DRAIN_TIMEOUT_MS, true).await;
        for chunk in command.chunks(3) {
            let mut report = [0u8; 4];
            report[0] = 0xA0 + chunk.len() as u8;
            for (r, b) in report.iter_mut().skip(1).zip(chunk) {
                *r = *b;
            }
            wrote(
                host.control_out(Setup::set_report(0x0200, 4), &report, WRITE_TIMEOUT_MS)
                    .await,
            )?;
        }
        (EP_IN, 8)
    };
    receive(host, delay, endpoint, read_size, reply).await
}

/// Reads `[control, data..]` packets until a CR, a count of 0 or a NUL ends the message.
async fn receive<H: UsbHost, D: DelayNs>(
    host: &mut H,
    delay: &mut D,
    endpoint: u8,
    read_size: usize,
    reply: &mut [u8],
) -> Result<usize, TransportError> {
    delay.delay_ms(2).await;
    zero(reply);
    let buflen = buflen(reply);
    let mut pos = 0;
    while pos + read_size + 1 < buflen {
        let mut packet = [0u8; 64];
        let slot = packet.get_mut(..read_size).unwrap_or(&mut []);
        let got = match host
            .interrupt_in(endpoint, slot, stream::READ_TIMEOUT_MS)
            .await
        {
            Ok(0) => return Ok(pos),
            Ok(n) => n.min(read_size),
            Err(e) => return silence(e, pos),
        };
        let count = usize::from(packet[0] & 0x3F);
        if count == 0 {
            return Ok(pos);
        }
        let count = count.min(got.saturating_sub(1));
        for &b in packet.iter().skip(1).take(count) {
            let stored = match b {
                0 if pos == 0 => return Ok(0),
                0 if pos >= NUL_AS_ZERO_FROM => b'0',
                0 => return Ok(pos),
                b => b,
            };
            if let Some(slot) = reply.get_mut(pos) {
                *slot = stored;
            }
            pos += 1;
            if stored == CR {
                return Ok(pos);
            }
        }
        if count <= 2 {
            delay.delay_ms(10).await;
        }
    }
    Err(TransportError::Protocol)
}

#[cfg(test)]
mod tests {
    use super::*;

    const INTERRUPT_CONFIG: [u8; 41] = [
        9, 2, 41, 0, 1, 1, 0, 0x80, 50, // configuration
        9, 4, 0, 0, 2, 3, 0, 0, 0, // interface: 2 endpoints
        9, 0x21, 0x10, 1, 0, 1, 0x22, 30, 0, // HID
        7, 5, 0x82, 3, 64, 0, 10, // IN 0x82 interrupt, 64
        7, 5, 0x02, 3, 8, 0, 10, // OUT 0x02 interrupt
    ];

    #[test]
    fn mode_from_configuration_descriptor() {
        assert_eq!(choose_mode(&INTERRUPT_CONFIG), Mode::Interrupt);
        let mut other = INTERRUPT_CONFIG;
        other[29] = 0x81;
        assert_eq!(choose_mode(&other), Mode::Control);
        let mut small = INTERRUPT_CONFIG;
        small[31] = 8;
        assert_eq!(choose_mode(&small), Mode::Control);
        assert_eq!(choose_mode(&[]), Mode::Control);
        assert_eq!(choose_mode(&INTERRUPT_CONFIG[..30]), Mode::Control);
    }
}
