//! `cypress` (usb-transports.md §4.1): the command in 8-byte SET_REPORT(Output, ID 0) chunks,
//! 5000 ms each; the reply from 8-byte interrupt IN reads on 0x81 until a CR has arrived.
//! The count includes the padding after the CR (§10 quirk 24, harmless). Silence after a
//! command is `Ok(0)` (see [`super::silence`]).

use super::{UsbHost, buflen, stream};
use crate::transport::TransportError;

/// SET_REPORT `wValue`: Output report, ID 0.
pub const REPORT: u16 = 0x0200;
/// SET_REPORT timeout.
pub const WRITE_TIMEOUT_MS: u32 = 5000;
/// Commands longer than this are cut (NUT's scratch buffer).
pub const MAX_COMMAND: usize = 512;

/// One command and its reply.
pub async fn transact<H: UsbHost>(
    host: &mut H,
    command: &[u8],
    reply: &mut [u8],
) -> Result<usize, TransportError> {
    let command = command.get(..MAX_COMMAND).unwrap_or(command);
    stream::send_chunks::<H, 8>(host, command, REPORT, WRITE_TIMEOUT_MS).await?;
    let n = buflen(reply);
    stream::receive_until_cr::<H, 8>(host, reply, n).await
}
