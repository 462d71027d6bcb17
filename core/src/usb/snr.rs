//! `snr` (usb-transports.md §5.8, SNR-UPS-LID): a wake-up interrupt IN read of 102 bytes
//! before every command (its result ignored), then a raw string read of wLength 102 for
//! `Q1`, `F` or `I` ([`strings::SNR`]); up to 10 attempts while the size check fails or the
//! device says "UPS No Ack"; the first byte is rewritten to `(` or `#`; no CR appended.
//!
//! Without `langid_fix` NUT sends LANGID −1 and libusb aborts the driver (§10 quirk 1); the
//! device table gives snr 0x0409 instead. Never chosen automatically (§10 quirk 2).

use super::strings::{self, ENGLISH_US, SNR};
use super::{EP_IN, UsbHost, UsbOptions, buflen, echo, stream, zero};
use crate::transport::TransportError;

/// The wake-up read and the descriptor wLength.
pub const LENGTH: usize = 102;
/// Attempts per command.
pub const ATTEMPTS: usize = 10;

/// One command and its reply.
pub async fn transact<H: UsbHost>(
    host: &mut H,
    options: UsbOptions,
    command: &[u8],
    reply: &mut [u8],
) -> Result<usize, TransportError> {
    let buflen = buflen(reply);
    if buflen < LENGTH {
        return Ok(0);
    }
    // Without it the device answers zeros for a while; the result does not matter.
    if let Some(wake) = reply.get_mut(..LENGTH) {
        let _ = host
            .interrupt_in(EP_IN, wake, stream::READ_TIMEOUT_MS)
            .await;
    }
    let Some(mapping) = strings::lookup(&SNR, command) else {
        return Ok(echo(command, reply));
    };
    let langid = options.langid_fix.unwrap_or(ENGLISH_US);
    for _ in 0..ATTEMPTS {
        zero(reply);
        let got = strings::read_raw(host, mapping.index, langid, LENGTH as u16, reply).await?;
        if got == 0 {
            return Ok(0);
        }
        if !strings::size_matches(reply, got) {
            continue;
        }
        let count = strings::decode_in_place(reply, buflen.saturating_sub(1));
        if strings::is_no_ack(reply.get(..count).unwrap_or(&[])) {
            continue;
        }
        if let Some(first) = reply.first_mut() {
            *first = mapping.lead;
        }
        return Ok(count);
    }
    zero(reply);
    Ok(0)
}
