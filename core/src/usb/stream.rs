//! The pieces the stream-style transports share (spec §4): a command sent as zero-padded HID
//! output reports, and a reply reassembled from interrupt IN packets until a CR arrives.

use super::{CR, EP_IN, Setup, UsbHost, append_cr, echo, find_cr, silence, wrote, zero};
use crate::transport::TransportError;

/// The interrupt IN timeout of every reply read (§2.4).
pub const READ_TIMEOUT_MS: u32 = 1000;

/// Sends `command` as SET_REPORT(`value`) reports of `N` bytes, zero-padded, advancing by the
/// bytes each transfer took (cypress, phoenix, ippon, gtec: `N` = 8).
pub async fn send_chunks<H: UsbHost, const N: usize>(
    host: &mut H,
    command: &[u8],
    value: u16,
    timeout_ms: u32,
) -> Result<(), TransportError> {
    let mut off = 0;
    while let Some(rest) = command.get(off..).filter(|r| !r.is_empty()) {
        let mut chunk = [0u8; N];
        for (c, b) in chunk.iter_mut().zip(rest) {
            *c = *b;
        }
        let sent = wrote(
            host.control_out(Setup::set_report(value, N as u16), &chunk, timeout_ms)
                .await,
        )?;
        off += sent.min(N);
    }
    Ok(())
}

/// Reads `R`-byte interrupt IN packets from 0x81 into `reply` (zeroed first) until a CR is
/// anywhere in what arrived or fewer than `R` bytes of the `buflen`-byte buffer are left.
/// Returns the total received, padding after the CR included (cypress, phoenix, fuji: `R` =
/// 8; gtec: 128). All bytes of every packet are payload.
pub async fn receive_until_cr<H: UsbHost, const R: usize>(
    host: &mut H,
    reply: &mut [u8],
    buflen: usize,
) -> Result<usize, TransportError> {
    zero(reply);
    let mut off = 0;
    while off + R <= buflen && !reply.get(..off).is_some_and(|r| r.contains(&CR)) {
        let Some(slot) = reply.get_mut(off..off + R) else {
            break;
        };
        match host.interrupt_in(EP_IN, slot, READ_TIMEOUT_MS).await {
            Ok(0) => return Ok(0),
            Ok(n) => off += n.min(R),
            Err(e) => return silence(e, off),
        }
    }
    Ok(off)
}

/// One interrupt IN packet of `P` bytes as the whole reply (ippon, omron): up to and
/// including the first CR, else the first NUL within the packet, else all of it; clipped to
/// the reply buffer and copied into `reply` (zeroed first), with a CR appended by
/// [`append_cr`] when none came. Silence is `Ok(0)` ([`silence`]).
pub async fn receive_packet_line<H: UsbHost, const P: usize>(
    host: &mut H,
    reply: &mut [u8],
) -> Result<usize, TransportError> {
    let mut packet = [0u8; P];
    let got = match host.interrupt_in(EP_IN, &mut packet, READ_TIMEOUT_MS).await {
        Ok(0) => return Ok(0),
        Ok(n) => n.min(P),
        Err(e) => return silence(e, 0),
    };
    let packet = packet.get(..got).unwrap_or(&[]);
    let until_nul = packet.iter().position(|&b| b == 0).unwrap_or(got);
    let buflen = super::buflen(reply);
    let len = find_cr(packet)
        .map_or(until_nul, |p| p + 1)
        .min(buflen.saturating_sub(1))
        .min(packet.len());
    zero(reply);
    let n = echo(packet.get(..len).unwrap_or(&[]), reply);
    Ok(append_cr(reply, n, buflen))
}

/// Interrupt IN reads of `N` bytes from 0x81 thrown away, at most `reads` of them, stopping at
/// the first error, which is returned (phoenix, armac drain stale data before a command).
pub async fn drain<H: UsbHost, const N: usize>(
    host: &mut H,
    reads: usize,
    timeout_ms: u32,
    stop_on_empty: bool,
) -> Option<super::UsbError> {
    let mut scratch = [0u8; N];
    for _ in 0..reads {
        match host.interrupt_in(EP_IN, &mut scratch, timeout_ms).await {
            Ok(0) if stop_on_empty => return None,
            Ok(_) => {}
            Err(e) => return Some(e),
        }
    }
    None
}
