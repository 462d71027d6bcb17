//! `krauler` (usb-transports.md §5.5): nothing is written; each command is a string-descriptor
//! index (table in [`strings::KRAULER`]) and the "string" is the reply. With `langid_fix` a raw
//! read of wLength = the reply buffer (511) and NUT's conversion, else libusb's ASCII helper.
//! A CR is appended when missing; up to 10 attempts while the size check fails or the device
//! says "UPS No Ack"; the first byte is rewritten to the command's lead (`(`, `#`, or CR for
//! action commands, so their reply text is empty: accepted).

use super::strings::{self, KRAULER};
use super::{UsbHost, UsbOptions, buflen, echo, zero};
use crate::transport::TransportError;

/// Attempts per command.
pub const ATTEMPTS: usize = 10;

/// One command and its reply.
pub async fn transact<H: UsbHost>(
    host: &mut H,
    options: UsbOptions,
    command: &[u8],
    reply: &mut [u8],
) -> Result<usize, TransportError> {
    let Some(mapping) = strings::lookup(&KRAULER, command) else {
        return Ok(echo(command, reply));
    };
    let buflen = buflen(reply);
    for _ in 0..ATTEMPTS {
        zero(reply);
        let count = match options.langid_fix {
            Some(langid) => {
                let length = u16::try_from(buflen).unwrap_or(u16::MAX);
                let got = strings::read_raw(host, mapping.index, langid, length, reply).await?;
                if got == 0 {
                    return Ok(0);
                }
                if !strings::size_matches(reply, got) {
                    continue;
                }
                strings::decode_in_place(reply, buflen.saturating_sub(1))
            }
            None => {
                let cap = buflen.min(reply.len());
                let out = reply.get_mut(..cap).unwrap_or(&mut []);
                let got = strings::read_ascii(host, mapping.index, out).await?;
                if got == 0 {
                    return Ok(0);
                }
                got
            }
        };
        let count = strings::append_cr(reply, count, buflen);
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
