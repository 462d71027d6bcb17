//! `ippon` (usb-transports.md §4.3): at most 64 command bytes in 8-byte SET_REPORT chunks with
//! `wValue` 0x0002, 1000 ms; one 64-byte interrupt IN read. The reply runs to the first CR,
//! else to the first NUL *within the 64 bytes* (NUT's C-string length could read past the
//! packet, §10 quirk 18); a CR is appended when missing. An empty answer `00 0D ..` gives 2.

use super::{EP_IN, UsbHost, buflen, silence, stream};
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
    let mut packet = [0u8; PACKET];
    let got = match host
        .interrupt_in(EP_IN, &mut packet, stream::READ_TIMEOUT_MS)
        .await
    {
        Ok(0) => return Ok(0),
        Ok(n) => n.min(PACKET),
        Err(e) => return silence(e, 0),
    };
    let packet = packet.get(..got).unwrap_or(&[]);
    let c_len = packet.iter().position(|&b| b == 0).unwrap_or(got);
    let n = buflen(reply);
    Ok(stream::copy_line(packet, c_len, reply, n))
}
