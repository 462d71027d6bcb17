//! `hunnox` (usb-transports.md §5.6, Hunnox HNX-850, Powercool, ARES, DEXP … "MEC0003"):
//! nothing is written; the command is a string index ([`strings::HUNNOX`], shutdowns by
//! [`strings::shutdown_index`]). Before each main read a lock-step preamble keeps the device's
//! data fresh: on the first call descriptors 0, 0, 1 (wLength 1026) and a 10 ms pause, then
//! in rotation 0x0D, 0x03, 0x0C (each skipped when it is the command's own index; 0x0C also
//! with `novendor`). The main read asks for at most 102 bytes (more is said to lock the
//! device): raw with `langid_fix` (a size mismatch gives 0, no retry), else the ASCII helper
//! with capacity 102. No CR appended, no lead rewrite; "UPS No Ack" gives `Ok(0)`.
//!
//! NUT keeps `step` across reconnects (§10 quirk 4); [`super::UsbTransport::reconnected`]
//! starts the wake-up sequence again.

use super::strings::{self, ENGLISH_US, HUNNOX};
use super::{DelayNs, UsbHost, UsbOptions, buflen, echo, zero};
use crate::transport::TransportError;

/// The main read's wLength and the reply-buffer cap.
pub const LENGTH: usize = 102;
/// wLength of the first call's wake-up reads.
pub const WAKE_LENGTH: u16 = 1026;
/// Pause after the wake-up reads.
pub const WAKE_PAUSE_MS: u32 = 10;

/// The string index carrying `command`, if any.
pub fn index(command: &[u8]) -> Option<u8> {
    strings::lookup(&HUNNOX, command)
        .map(|m| m.index)
        .or_else(|| strings::shutdown_index(command))
}

/// The preamble reads for `step` before a main read of `own` index: (index, wLength).
pub fn preamble(step: u8, own: u8, novendor: bool) -> &'static [(u8, u16)] {
    const WAKE: [(u8, u16); 3] = [
        (0x00, WAKE_LENGTH),
        (0x00, WAKE_LENGTH),
        (0x01, WAKE_LENGTH),
    ];
    const RATINGS: [(u8, u16); 1] = [(0x0D, LENGTH as u16)];
    const STATUS: [(u8, u16); 1] = [(0x03, LENGTH as u16)];
    const VENDOR: [(u8, u16); 1] = [(0x0C, LENGTH as u16)];
    match step {
        0 => &WAKE,
        1 if own != 0x0D => &RATINGS,
        2 if own != 0x03 => &STATUS,
        3 if own != 0x0C && !novendor => &VENDOR,
        _ => &[],
    }
}

/// The step after `step`: 0 → 1 → 2 → 3 → 1 …
pub fn next_step(step: u8) -> u8 {
    if step >= 3 { 1 } else { step + 1 }
}

/// One command and its reply; `step` is the preamble rotation.
pub async fn transact<H: UsbHost, D: DelayNs>(
    host: &mut H,
    delay: &mut D,
    options: UsbOptions,
    step: &mut u8,
    command: &[u8],
    reply: &mut [u8],
) -> Result<usize, TransportError> {
    let Some(index) = index(command) else {
        return Ok(echo(command, reply));
    };
    let langid = options.langid_fix.unwrap_or(ENGLISH_US);
    for &(pre, length) in preamble(*step, index, options.novendor) {
        // Only the request matters to the device; what it answers is not used.
        let _ = strings::read_raw(host, pre, langid, length, &mut []).await;
    }
    if *step == 0 {
        delay.delay_ms(WAKE_PAUSE_MS).await;
    }
    *step = next_step(*step);

    let buflen = buflen(reply).min(LENGTH);
    zero(reply);
    let count = match options.langid_fix {
        Some(langid) => {
            let end = LENGTH.min(reply.len());
            let area = reply.get_mut(..end).unwrap_or(&mut []);
            let got = strings::read_raw(host, index, langid, LENGTH as u16, area).await?;
            if got == 0 || !strings::size_matches(reply, got) {
                zero(reply);
                return Ok(0);
            }
            strings::decode_in_place(reply, buflen.saturating_sub(1))
        }
        None => {
            let out = reply.get_mut(..buflen).unwrap_or(&mut []);
            strings::read_ascii(host, index, out).await?
        }
    };
    if strings::is_no_ack(reply.get(..count).unwrap_or(&[])) {
        zero(reply);
        return Ok(0);
    }
    Ok(count)
}
