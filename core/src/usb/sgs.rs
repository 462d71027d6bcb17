//! `sgs` (usb-transports.md §4.5, TS Shara): length-prefixed 8-byte reports both ways —
//! `[count, up to 7 bytes]`. The reply only ends when the device stays silent for a read
//! timeout (so every command costs about 1 s, §10 quirk 9); a CR is appended when missing.
//! The count byte is read unsigned and capped at 7 and at what arrived, so a count of 0x80+
//! cannot move the write position backwards as in NUT.

use super::{EP_IN, Setup, UsbError, UsbHost, append_cr, buflen, stream, wrote, zero};
use crate::transport::TransportError;

/// SET_REPORT `wValue`: Output report, ID 0.
pub const REPORT: u16 = 0x0200;
/// SET_REPORT timeout.
pub const WRITE_TIMEOUT_MS: u32 = 5000;
/// Payload bytes per report.
pub const PAYLOAD: usize = 7;

/// One command and its reply.
pub async fn transact<H: UsbHost>(
    host: &mut H,
    command: &[u8],
    reply: &mut [u8],
) -> Result<usize, TransportError> {
    let mut off = 0;
    while let Some(rest) = command.get(off..).filter(|r| !r.is_empty()) {
        let n = rest.len().min(PAYLOAD);
        let mut report = [0u8; 8];
        report[0] = n as u8;
        for (r, b) in report.iter_mut().skip(1).zip(rest.iter().take(n)) {
            *r = *b;
        }
        let sent = wrote(
            host.control_out(Setup::set_report(REPORT, 8), &report, WRITE_TIMEOUT_MS)
                .await,
        )?;
        // The count byte is not payload; a transfer of only that byte would never advance.
        let advanced = sent.saturating_sub(1).min(n);
        if advanced == 0 {
            return Err(TransportError::Protocol);
        }
        off += advanced;
    }
    let buflen = buflen(reply);
    receive(host, reply, buflen).await
}

/// Reassembles `[count, data..]` reports until a read times out (the normal end) or the
/// buffer is full; appends a CR when none came.
pub async fn receive<H: UsbHost>(
    host: &mut H,
    reply: &mut [u8],
    buflen: usize,
) -> Result<usize, TransportError> {
    zero(reply);
    let mut off = 0;
    while off + 8 <= buflen {
        let mut report = [0u8; 8];
        let got = match host
            .interrupt_in(EP_IN, &mut report, stream::READ_TIMEOUT_MS)
            .await
        {
            Err(UsbError::Timeout) => break,
            Err(e) => return Err(e.into()),
            Ok(0) => return Ok(0),
            Ok(n) => n.min(8),
        };
        let count = usize::from(report[0])
            .min(PAYLOAD)
            .min(got.saturating_sub(1));
        for (r, b) in reply
            .iter_mut()
            .skip(off)
            .zip(report.iter().skip(1).take(count))
        {
            *r = *b;
        }
        off += count;
    }
    Ok(append_cr(reply, off, buflen))
}
