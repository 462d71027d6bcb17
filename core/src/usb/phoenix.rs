//! `phoenix` (usb-transports.md §4.2): cypress with a drain of up to 8 stale interrupt IN
//! packets before each command (a stall there is cleared on 0x81) and a 1000 ms write
//! timeout. The drain costs about 1 s per command when nothing is queued (§10 quirk 10).

use super::{EP_IN, UsbError, UsbHost, buflen, clear_halt, cypress, stream};
use crate::transport::TransportError;

/// SET_REPORT timeout.
pub const WRITE_TIMEOUT_MS: u32 = 1000;
/// Most stale packets read and dropped before a command.
pub const DRAIN_READS: usize = 8;

/// One command and its reply.
pub async fn transact<H: UsbHost>(
    host: &mut H,
    command: &[u8],
    reply: &mut [u8],
) -> Result<usize, TransportError> {
    // A zero-length packet does not end the drain; only an error does.
    if let Some(UsbError::Stall) =
        stream::drain::<H, 8>(host, DRAIN_READS, stream::READ_TIMEOUT_MS, false).await
    {
        // As in NUT, the command is sent whether or not the halt could be cleared.
        let _ = clear_halt(host, EP_IN).await;
    }
    let command = command.get(..cypress::MAX_COMMAND).unwrap_or(command);
    stream::send_chunks::<H, 8>(host, command, cypress::REPORT, WRITE_TIMEOUT_MS).await?;
    let n = buflen(reply);
    stream::receive_until_cr::<H, 8>(host, reply, n).await
}
