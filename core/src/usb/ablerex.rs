//! `ablerex` (usb-transports.md §4.10, Ablerex 625L): the command in a 47-byte Feature report
//! (ID 5) `05 00 <t> <t bytes incl. CR>`, a 500 ms wait, then GET_REPORT of the same report;
//! the answer text starts at byte 0. Up to 3 attempts while `Q1`, `I` or `F` answers have the
//! wrong length; a short `Q5` answer is replaced by `(` and NULs of length 22, as in NUT.
//!
//! Differences from NUT: the receive area is zeroed (NUT left it uninitialised, §10 quirk 16);
//! a failed write is still only ignored, as the device answers the read either way.

use super::{DelayNs, Setup, UsbHost, echo, find_cr, report, zero};
use crate::transport::TransportError;

/// The report: Feature, ID 5.
pub const REPORT: u16 = (report::FEATURE as u16) << 8 | 5;
/// Report size.
pub const REPORT_LEN: usize = 47;
/// Write and read timeout.
pub const TIMEOUT_MS: u32 = 1000;
/// Wait between the write and the read.
pub const ANSWER_WAIT_MS: u32 = 500;
/// Attempts while the answer length is wrong.
pub const ATTEMPTS: usize = 3;

/// The 47-byte report carrying `command` (up to its first CR, CR included).
pub fn request(command: &[u8]) -> [u8; REPORT_LEN] {
    let text = find_cr(command).unwrap_or(command.len());
    let t = (text + 1).min(REPORT_LEN - 3);
    let mut r = [0u8; REPORT_LEN];
    r[0] = 5;
    r[2] = t as u8;
    for (slot, b) in r.iter_mut().skip(3).zip(command.iter().take(t)) {
        *slot = *b;
    }
    r
}

/// The answer length a query must have, when it is checked.
fn required_length(command: &[u8]) -> Option<usize> {
    [(&b"Q1\r"[..], 47), (b"I\r", 39), (b"F\r", 22)]
        .into_iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(command))
        .map(|(_, n)| n)
}

/// One command and its reply.
pub async fn transact<H: UsbHost, D: DelayNs>(
    host: &mut H,
    delay: &mut D,
    command: &[u8],
    reply: &mut [u8],
) -> Result<usize, TransportError> {
    let out = request(command);
    for _ in 0..ATTEMPTS {
        zero(reply);
        // The result is only logged in NUT: the read below tells whether anything came.
        let _ = host
            .control_out(
                Setup::set_report(REPORT, REPORT_LEN as u16),
                &out,
                TIMEOUT_MS,
            )
            .await;
        delay.delay_ms(ANSWER_WAIT_MS).await;
        let mut answer = [0u8; REPORT_LEN];
        let got = host
            .control_in(
                Setup::get_report(REPORT, REPORT_LEN as u16),
                &mut answer,
                TIMEOUT_MS,
            )
            .await?;
        let answer = answer.get(..got).unwrap_or(&[]);
        let len = match find_cr(answer) {
            Some(p) if p > 0 => echo(answer.get(..=p).unwrap_or(&[]), reply),
            _ => 0,
        };
        if got == 0 {
            return Ok(0);
        }
        if b"Q5\r".eq_ignore_ascii_case(command) && len != 22 {
            zero(reply);
            if let Some(first) = reply.first_mut() {
                *first = b'(';
            }
            return Ok(22.min(reply.len()));
        }
        match required_length(command) {
            Some(n) if n != len => continue,
            _ => return Ok(len),
        }
    }
    zero(reply);
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_carries_the_command_up_to_its_cr() {
        let r = request(b"Q1\r");
        assert_eq!(&r[..6], &[0x05, 0x00, 0x03, 0x51, 0x31, 0x0D]);
        assert!(r[6..].iter().all(|&b| b == 0));
        assert_eq!(REPORT, 0x0305);
    }
}
