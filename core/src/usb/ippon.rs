//! `ippon` (usb-transports.md §4.3): at most 64 command bytes in 8-byte SET_REPORT chunks with
//! `wValue` 0x0002, 1000 ms; one 64-byte interrupt IN read. The reply runs to the first CR,
//! else to the first NUL *within the 64 bytes* (NUT's C-string length could read past the
//! packet, §10 quirk 18); a CR is appended when missing. An empty answer `00 0D ..` gives 2.

use super::{UsbHost, stream};
use crate::transport::TransportError;

/// SET_REPORT `wValue` as the devices expect it.
pub const REPORT: u16 = 0x0002;
/// SET_REPORT timeout.
pub const WRITE_TIMEOUT_MS: u32 = 1000;
/// The one reply packet.
pub const PACKET: usize = 64;

/// One command and its reply.
pub async fn transact<H: UsbHost>(
    host: &mut H,
    command: &[u8],
    reply: &mut [u8],
) -> Result<usize, TransportError> {
    let command = command.get(..PACKET).unwrap_or(command);
    stream::send_chunks::<H, 8>(host, command, REPORT, WRITE_TIMEOUT_MS).await?;
    stream::receive_packet_line::<H, PACKET>(host, reply).await
}
