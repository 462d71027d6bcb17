//! `fuji` (usb-transports.md §4.8): one framed 8-byte packet on interrupt OUT 0x02
//! (`80 06 <len+1> 03 <text ≤ 3> .. <expected answer length>`), the reply as cypress's.
//! Returns the C-string length of the reply. `S<n>R<m>` with `m ≠ 0` is cut to `S<n>` (the
//! device has no return delay); anything longer than 3 characters is echoed as unsupported.
//!
//! The device never answers commands with an expected length of 0, so the read times out:
//! NUT reports those commands as failed although the UPS carried them out (§10 quirk 11).
//! Here that silence is `Ok(0)`, an accepted command.

use super::{CR, EP_OUT, Shutdown, UsbHost, buflen, echo, stream, wrote};
use crate::transport::TransportError;

/// Interrupt OUT timeout.
pub const WRITE_TIMEOUT_MS: u32 = 5000;

/// The answer length the device is told to expect for `text` (the command without its CR).
pub fn expected_length(text: &[u8]) -> u8 {
    match text {
        b"Q1" => 47,
        b"F" => 22,
        b"I" => 39,
        _ => 0,
    }
}

/// The 8-byte packet for `command`, or `None` when the command cannot be carried.
pub fn packet(command: &[u8]) -> Option<[u8; 8]> {
    let mut text = command.strip_suffix(&[CR]).unwrap_or(command);
    if Shutdown::parse(command).is_some_and(|s| s.restart.is_some_and(|r| r != 0)) {
        text = text.get(..3).unwrap_or(text);
    }
    if text.len() > 3 || text.is_empty() {
        return None;
    }
    let mut p = [0x80, 0x06, text.len() as u8 + 1, 0x03, 0, 0, 0, 0];
    for (slot, b) in p.iter_mut().skip(4).zip(text) {
        *slot = *b;
    }
    p[7] = expected_length(text);
    Some(p)
}

/// One command and its reply.
pub async fn transact<H: UsbHost>(
    host: &mut H,
    command: &[u8],
    reply: &mut [u8],
) -> Result<usize, TransportError> {
    let Some(p) = packet(command) else {
        return Ok(echo(command, reply));
    };
    wrote(host.interrupt_out(EP_OUT, &p, WRITE_TIMEOUT_MS).await)?;
    let n = buflen(reply);
    let got = stream::receive_until_cr::<H, 8>(host, reply, n).await?;
    let text = reply.get(..got).unwrap_or(&[]);
    Ok(text.iter().position(|&b| b == 0).unwrap_or(got))
}
