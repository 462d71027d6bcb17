//! `fabula` (usb-transports.md §5.7, Fideltronik / MEC LUPUS 500): nothing is written; the
//! command is a string index ([`strings::FABULA`], shutdowns by [`strings::shutdown_index`]),
//! always read with libusb's ASCII helper (`langid_fix` is not used). A CR is appended when
//! missing; "UPS No Ack" gives `Ok(0)` (accepted command, failed query). Test commands are
//! echoed as unsupported.

use super::strings::{self, FABULA};
use super::{UsbHost, buflen, echo, zero};
use crate::transport::TransportError;

/// The string index carrying `command`, if any.
pub fn index(command: &[u8]) -> Option<u8> {
    strings::lookup(&FABULA, command)
        .map(|m| m.index)
        .or_else(|| strings::shutdown_index(command))
}

/// One command and its reply.
pub async fn transact<H: UsbHost>(
    host: &mut H,
    command: &[u8],
    reply: &mut [u8],
) -> Result<usize, TransportError> {
    let Some(index) = index(command) else {
        return Ok(echo(command, reply));
    };
    let buflen = buflen(reply);
    zero(reply);
    let out = reply.get_mut(..buflen).unwrap_or(&mut []);
    let got = strings::read_ascii(host, index, out).await?;
    if got == 0 {
        return Ok(0);
    }
    let count = strings::append_cr(reply, got, buflen);
    if strings::is_no_ack(reply.get(..count).unwrap_or(&[])) {
        zero(reply);
        return Ok(0);
    }
    Ok(count)
}
