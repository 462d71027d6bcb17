//! `omron` (usb-transports.md §4.4, OMRON BN150T): the command (at most 64 bytes) in 16-byte
//! SET_REPORT reports with `wValue` 0x0002, 1000 ms, each of which must transfer fully; one
//! 64-byte interrupt IN read whose reply runs to the first CR, else the first NUL, else all
//! of it. A short report write is [`TransportError::Protocol`] (NUT's −1, §10 quirk 14).

use super::{Setup, UsbHost, stream, wrote};
use crate::transport::TransportError;

/// SET_REPORT `wValue` as the device expects it.
pub const REPORT: u16 = 0x0002;
/// SET_REPORT timeout.
pub const WRITE_TIMEOUT_MS: u32 = 1000;
/// Size of one output report.
pub const REPORT_LEN: usize = 16;
/// The one reply packet, and the longest command.
pub const PACKET: usize = 64;

/// One command and its reply.
pub async fn transact<H: UsbHost>(
    host: &mut H,
    command: &[u8],
    reply: &mut [u8],
) -> Result<usize, TransportError> {
    let mut scratch = [0u8; PACKET];
    for (s, c) in scratch.iter_mut().zip(command) {
        *s = *c;
    }
    let cmdlen = command.len().min(PACKET);
    for off in (0..cmdlen).step_by(REPORT_LEN) {
        let report = scratch.get(off..off + REPORT_LEN).unwrap_or(&[]);
        let sent = wrote(
            host.control_out(
                Setup::set_report(REPORT, REPORT_LEN as u16),
                report,
                WRITE_TIMEOUT_MS,
            )
            .await,
        )?;
        // A partial report is never resumed.
        if sent != REPORT_LEN {
            return Err(TransportError::Protocol);
        }
    }
    stream::receive_packet_line::<H, PACKET>(host, reply).await
}
