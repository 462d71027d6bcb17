//! `gtec` (usb-transports.md §4.6): the command up to its first NUL in 8-byte SET_REPORT
//! chunks with `wValue` 0x0002 (§10 quirk 8, the devices accept it), 5000 ms; the reply from
//! 128-byte interrupt IN reads, because 8-byte reads make these devices drop off the bus.
//! Never chosen automatically (`subdriver=gtec`).

use super::{UsbHost, buflen, stream};
use crate::transport::TransportError;

/// SET_REPORT `wValue` as the devices expect it.
pub const REPORT: u16 = 0x0002;
/// SET_REPORT timeout.
pub const WRITE_TIMEOUT_MS: u32 = 5000;

/// One command and its reply.
pub async fn transact<H: UsbHost>(
    host: &mut H,
    command: &[u8],
    reply: &mut [u8],
) -> Result<usize, TransportError> {
    let end = command
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(command.len());
    let command = command.get(..end).unwrap_or(command);
    stream::send_chunks::<H, 8>(host, command, REPORT, WRITE_TIMEOUT_MS).await?;
    let n = buflen(reply);
    stream::receive_until_cr::<H, 128>(host, reply, n).await
}
