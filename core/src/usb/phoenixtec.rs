//! `phoenixtec` (usb-transports.md §4.7, Masterguard): the whole command in one vendor control
//! write `42 0D 0000 0000 <len>`; commands in the no-reply list get no read at all; other
//! replies come from interrupt IN reads sized to the free buffer until a CR, and what follows
//! the CR in the same transfer is dropped.

use super::{EP_IN, Setup, UsbHost, buflen, find_cr, silence, stream, wrote, zero};
use crate::transport::TransportError;

/// Vendor write timeout.
pub const WRITE_TIMEOUT_MS: u32 = 1000;

/// Commands the device never answers, tried in order.
pub const NO_REPLY: [&[u8]; 13] = [
    b"T", b"TL", b"S", b"C", b"CT", b"M", b"N", b"O", b"SRC", b"FCLR", b"SS", b"TUD", b"SSN",
];

/// True when `command` starts with a no-reply entry not followed by an uppercase letter
/// (`M\r` and `S05\r` are, `MSO\r` is not).
pub fn expects_no_reply(command: &[u8]) -> bool {
    NO_REPLY.iter().any(|entry| {
        command.starts_with(entry)
            && !command
                .get(entry.len())
                .is_some_and(|b| b.is_ascii_uppercase())
    })
}

/// The vendor write: host to device, vendor, recipient endpoint; request 0x0D.
pub const fn vendor_write(length: u16) -> Setup {
    Setup {
        request_type: 0x42,
        request: 0x0D,
        value: 0,
        index: 0,
        length,
    }
}

/// One command and its reply.
pub async fn transact<H: UsbHost>(
    host: &mut H,
    command: &[u8],
    reply: &mut [u8],
) -> Result<usize, TransportError> {
    let length = u16::try_from(command.len()).map_err(|_| TransportError::Unsupported)?;
    if let Err(e) = wrote(
        host.control_out(vendor_write(length), command, WRITE_TIMEOUT_MS)
            .await,
    ) {
        zero(reply);
        return Err(e);
    }
    zero(reply);
    if expects_no_reply(command) {
        return Ok(0);
    }
    let buflen = buflen(reply);
    let mut pos = 0;
    let mut cr = None;
    while pos < buflen {
        let Some(slot) = reply.get_mut(pos..buflen) else {
            break;
        };
        match host
            .interrupt_in(EP_IN, slot, stream::READ_TIMEOUT_MS)
            .await
        {
            Ok(0) => {
                zero(reply);
                return Ok(0);
            }
            Ok(n) => {
                if let Some(p) = find_cr(reply.get(pos..pos + n).unwrap_or(&[])) {
                    cr = Some(pos + p);
                    break;
                }
                pos += n;
            }
            Err(e) => {
                zero(reply);
                return silence(e, pos);
            }
        }
    }
    match cr {
        Some(p) if p + 1 < buflen => {
            if let Some(after) = reply.get_mut(p + 1..) {
                zero(after);
            }
            Ok(p + 1)
        }
        _ => {
            zero(reply);
            Ok(0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_reply_detection_looks_one_character_ahead() {
        assert!(expects_no_reply(b"M\r"));
        assert!(!expects_no_reply(b"MSO\r"));
        assert!(expects_no_reply(b"S05\r"));
        assert!(expects_no_reply(b"S.5R0000\r"));
        assert!(expects_no_reply(b"SRC1\r"));
        assert!(expects_no_reply(b"TL\r"));
        assert!(!expects_no_reply(b"Q1\r"));
        assert!(!expects_no_reply(b"Q3\r"));
    }
}
