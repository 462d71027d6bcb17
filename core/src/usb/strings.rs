//! String-descriptor primitives shared by krauler, fabula, hunnox and snr
//! (usb-transports.md §2.3, §2.5, §5.1–§5.4): the raw read, libusb's ASCII helper, the
//! identification-string read, NUT's in-place UTF-16LE conversion with its size check, the
//! command → index tables, the shutdown-delay index formula and "UPS No Ack".
//!
//! The size check compares the received count with the length byte read **unsigned**: NUT
//! reads it as a C `char`, so on x86 every descriptor of 0x80 bytes or more is refused
//! (§10 quirk 6); ARM builds of NUT already behave as here.

pub use super::append_cr;
use super::{CR, DelayNs, Setup, Shutdown, UsbError, UsbHost};
use crate::number::Decimal;

/// GET_DESCRIPTOR(String) timeout (the library's constant).
pub const TIMEOUT_MS: u32 = 1000;
/// Descriptor type of a string descriptor.
pub const STRING: u8 = 0x03;
/// The LANGID used when a device's list is unusable, and hunnox's preamble default.
pub const ENGLISH_US: u16 = 0x0409;
/// What the device says when it has nothing to say (no CR).
pub const NO_ACK: &[u8] = b"UPS No Ack";

/// RAW read (§2.3.1): `80 06 <index> 03 <langid> <length>`, stores at most `buf.len()` bytes.
pub async fn read_raw<H: UsbHost>(
    host: &mut H,
    index: u8,
    langid: u16,
    length: u16,
    buf: &mut [u8],
) -> Result<usize, UsbError> {
    host.control_in(Setup::get_string(index, langid, length), buf, TIMEOUT_MS)
        .await
}

/// The size check of §2.3.4: the received count equals the length byte (unsigned).
pub fn size_matches(descriptor: &[u8], received: usize) -> bool {
    descriptor
        .first()
        .is_some_and(|&b_length| usize::from(b_length) == received)
}

/// NUT's in-place conversion (§2.3.4) of a descriptor in `buf` (size already checked): for each
/// code unit inside bLength, a non-zero high byte gives `?`, otherwise the low byte is copied
/// raw (0x80–0xFF pass). At most `max_chars` characters; a NUL follows them when there is room.
/// Returns the character count.
pub fn decode_in_place(buf: &mut [u8], max_chars: usize) -> usize {
    let size = buf.first().map_or(0, |&b| usize::from(b));
    let mut out = 0;
    let mut s = 2;
    while s < size && out < max_chars {
        let lo = buf.get(s).copied().unwrap_or(0);
        // A high byte past bLength (odd length) is not part of the descriptor.
        let hi = if s + 1 < size {
            buf.get(s + 1).copied().unwrap_or(0)
        } else {
            0
        };
        if let Some(slot) = buf.get_mut(out) {
            *slot = if hi != 0 { b'?' } else { lo };
        }
        out += 1;
        s += 2;
    }
    if let Some(slot) = buf.get_mut(out) {
        *slot = 0;
    }
    out
}

/// The conversion of libusb-1.0's ASCII helper (§2.3.2, version ≥ 1.0.24) from `descriptor`
/// into `out` (capacity `out.len()`): (bLength − 2) / 2 units, at most capacity − 1; a unit
/// below 0x80 is its byte, any other `?`; NUL-terminated. Returns the character count.
pub fn decode_ascii(descriptor: &[u8], out: &mut [u8]) -> usize {
    let units = descriptor
        .first()
        .map_or(0, |&b| usize::from(b).saturating_sub(2) / 2);
    let n = units.min(out.len().saturating_sub(1));
    let code_units = descriptor
        .get(2..)
        .unwrap_or(&[])
        .chunks(2)
        .map(|u| match u {
            [lo, hi] => u16::from_le_bytes([*lo, *hi]),
            [lo] => u16::from(*lo),
            _ => 0,
        });
    let mut written = 0;
    for (slot, unit) in out.iter_mut().zip(code_units).take(n) {
        *slot = u8::try_from(unit)
            .ok()
            .filter(|b| b.is_ascii())
            .unwrap_or(b'?');
        written += 1;
    }
    if let Some(slot) = out.get_mut(written) {
        *slot = 0;
    }
    written
}

/// The conversion of NUT's identification read (§2.3.3) of `received` bytes: received / 2 − 1
/// characters (at most 255); a non-zero high byte gives `?`. bLength is not looked at.
pub fn decode_identification(descriptor: &[u8], out: &mut [u8]) -> usize {
    let count = (descriptor.len() / 2).saturating_sub(1).min(255);
    let mut written = 0;
    let units = descriptor.get(2..).unwrap_or(&[]).chunks_exact(2);
    for (slot, unit) in out.iter_mut().zip(units).take(count) {
        *slot = match unit {
            [lo, 0] => *lo,
            _ => b'?',
        };
        written += 1;
    }
    written
}

/// The first LANGID of a descriptor-0 answer, when it is one (exactly `expected` bytes or
/// more, bLength ≥ 4, type 0x03). Read unsigned (NUT sign-extends it, §10 quirk 17).
fn first_langid(buf: &[u8], check_type: bool) -> Option<u16> {
    match buf {
        [len, kind, lo, hi, ..] if *len >= 4 && (!check_type || *kind == STRING) => {
            Some(u16::from_le_bytes([*lo, *hi]))
        }
        _ => None,
    }
}

/// libusb-1.0's ASCII helper (§2.3.2): `80 06 00 03 00 00 04 00` for the LANGID, then
/// `80 06 <index> 03 <langid> FF 00`, converted into `out` (capacity `out.len()`).
pub async fn read_ascii<H: UsbHost>(
    host: &mut H,
    index: u8,
    out: &mut [u8],
) -> Result<usize, UsbError> {
    let mut head = [0u8; 4];
    let n = read_raw(host, 0, 0, 4, &mut head).await?;
    let langid = if n == 4 {
        first_langid(&head, true).ok_or(UsbError::Io)?
    } else {
        return Err(UsbError::Io);
    };
    let mut descriptor = [0u8; 255];
    let n = read_raw(host, index, langid, 255, &mut descriptor).await?;
    let descriptor = descriptor.get(..n).unwrap_or(&[]);
    match descriptor {
        [len, STRING, ..] if usize::from(*len) <= n => Ok(decode_ascii(descriptor, out)),
        _ => Err(UsbError::Io),
    }
}

/// Attempts, and the pause between them, of the identification read.
pub const IDENT_ATTEMPTS: usize = 3;
/// Pause between identification read attempts.
pub const IDENT_RETRY_MS: u32 = 50;

/// NUT's identification-string read (§2.3.3) of string `index` (Vendor, Product, Serial) into
/// `out`: LANGID from descriptor 0 (0x0409 when it is broken), then the string with
/// wLength 255; each request is tried up to 3 times, 50 ms apart. Returns the characters
/// written; 0 means "absent".
pub async fn read_identification<H: UsbHost, D: DelayNs>(
    host: &mut H,
    delay: &mut D,
    index: u8,
    out: &mut [u8],
) -> Result<usize, UsbError> {
    let mut head = [0u8; 4];
    // A language list that cannot be read at all is as broken as a malformed one.
    let n = retry(delay, async |_| read_raw(host, 0, 0, 4, &mut head).await)
        .await
        .unwrap_or(0);
    let langid = head
        .get(..n)
        .filter(|h| h.len() == 4)
        .and_then(|h| first_langid(h, true))
        .unwrap_or(ENGLISH_US);
    let mut descriptor = [0u8; 255];
    let n = retry(delay, async |_| {
        read_raw(host, index, langid, 255, &mut descriptor).await
    })
    .await?;
    Ok(decode_identification(
        descriptor.get(..n).unwrap_or(&[]),
        out,
    ))
}

async fn retry<D: DelayNs, F: AsyncFnMut(usize) -> Result<usize, UsbError>>(
    delay: &mut D,
    mut f: F,
) -> Result<usize, UsbError> {
    let mut last = Err(UsbError::Io);
    for attempt in 0..IDENT_ATTEMPTS {
        if attempt > 0 {
            delay.delay_ms(IDENT_RETRY_MS).await;
        }
        last = f(attempt).await;
        if last.is_ok() {
            break;
        }
    }
    last
}

/// The one-time langid scan (§2.5): `80 06 00 03 00 00 FF 00`; returns the first LANGID when
/// at least 4 bytes came back. Nothing uses it but the log.
pub async fn scan_langid<H: UsbHost>(host: &mut H) -> Result<Option<u16>, UsbError> {
    let mut buf = [0u8; 255];
    let n = read_raw(host, 0, 0, 255, &mut buf).await?;
    Ok(buf.get(..n).and_then(|b| first_langid(b, false)))
}

/// "UPS No Ack" (§5.4): the text before the first CR or NUL is exactly that, any case.
pub fn is_no_ack(reply: &[u8]) -> bool {
    let end = reply
        .iter()
        .position(|&b| b == CR || b == 0)
        .unwrap_or(reply.len());
    reply
        .get(..end)
        .is_some_and(|text| text.eq_ignore_ascii_case(NO_ACK))
}

/// One row of the command → index tables (§5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// The command, CR included.
    pub command: &'static [u8],
    /// The string index that carries it.
    pub index: u8,
    /// The byte that replaces the reply's first byte (krauler, snr).
    pub lead: u8,
}

const fn map(command: &'static [u8], index: u8, lead: u8) -> Mapping {
    Mapping {
        command,
        index,
        lead,
    }
}

/// The mapping for `command` in `table`, compared as bytes.
pub fn lookup(table: &[Mapping], command: &[u8]) -> Option<Mapping> {
    table.iter().find(|m| m.command == command).copied()
}

/// krauler's table, with its first-byte rewrites (`C` and `CT` share 0x0B, §10 quirk 22).
pub const KRAULER: [Mapping; 8] = [
    map(b"Q1\r", 0x03, b'('),
    map(b"F\r", 0x0D, b'#'),
    map(b"I\r", 0x0C, b'#'),
    map(b"T\r", 0x04, CR),
    map(b"TL\r", 0x05, CR),
    map(b"Q\r", 0x07, CR),
    map(b"C\r", 0x0B, CR),
    map(b"CT\r", 0x0B, CR),
];

/// fabula's table (no rewrite; shutdowns by [`shutdown_index`]).
pub const FABULA: [Mapping; 5] = [
    map(b"Q1\r", 0x03, 0),
    map(b"F\r", 0x0D, 0),
    map(b"I\r", 0x0C, 0),
    map(b"Q\r", 0x07, 0),
    map(b"C\r", 0x0A, 0),
];

/// hunnox's table: fabula's plus `BL` (no rewrite; shutdowns by [`shutdown_index`]).
pub const HUNNOX: [Mapping; 6] = [
    map(b"Q1\r", 0x03, 0),
    map(b"F\r", 0x0D, 0),
    map(b"I\r", 0x0C, 0),
    map(b"Q\r", 0x07, 0),
    map(b"C\r", 0x0A, 0),
    map(b"BL\r", 0xF3, 0),
];

/// snr's table, with its first-byte rewrites.
pub const SNR: [Mapping; 3] = [
    map(b"Q1\r", 0x03, b'('),
    map(b"F\r", 0x0D, b'#'),
    map(b"I\r", 0x0C, b'#'),
];

/// The index of a shutdown command (§5.2, fabula and hunnox): the delay `d` in minutes is
/// clamped to 0.5..=10; below 1 minute the high nibble steps by 0.1 min from 0x1, from 1 minute
/// by 1 min from 0x6 (fractions truncated); 8 is added unless `R0` ("stay off") was given.
/// Exact decimal arithmetic: NUT's float gives the same indexes for every text the dialects
/// write. `None` when `command` is not a shutdown.
pub fn shutdown_index(command: &[u8]) -> Option<u8> {
    let s = Shutdown::parse(command)?;
    Some(delay_index(s.delay, s.restart))
}

/// The formula of [`shutdown_index`] on a parsed delay (minutes) and restart value, computed
/// exactly on the decimal `m / p`.
pub fn delay_index(delay: Decimal, restart: Option<i64>) -> u8 {
    let m = i128::from(delay.mantissa());
    let p = 10i128.checked_pow(u32::from(delay.scale())).unwrap_or(0);
    let base = if p == 0 || 2 * m <= p {
        16
    } else if m >= 10 * p {
        240
    } else if m < p {
        // 16 + round((d - 0.5) * 10) * 16, rounding half away from zero as C's round().
        let steps = ((2 * m - p) * 10 + p) / (2 * p);
        16 + steps * 16
    } else {
        // 96 + trunc((d - 1) * 16).
        96 + (m - p) * 16 / p
    };
    let ret = if restart == Some(0) { 0 } else { 8 };
    u8::try_from(base + ret).unwrap_or(0xF8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx(cmd: &[u8]) -> u8 {
        shutdown_index(cmd).unwrap()
    }

    #[test]
    fn shutdown_index_worked_examples() {
        assert_eq!(idx(b"S03\r"), 0x88);
        assert_eq!(idx(b"S03R0002\r"), 0x88);
        assert_eq!(idx(b"S.5R0000\r"), 0x10);
        assert_eq!(idx(b"S.7\r"), 0x38);
        assert_eq!(idx(b"S10R0000\r"), 0xF0);
        assert_eq!(idx(b"S00R0000\r"), 0x10);
        assert_eq!(idx(b"S1.5\r"), 0x70);
        assert_eq!(idx(b"S05R0003\r"), 0xA8);
        assert_eq!(idx(b"S.2\r"), 0x18);
        assert_eq!(idx(b"S99\r"), 0xF8);
        assert_eq!(shutdown_index(b"SRC\r"), None);
        assert_eq!(shutdown_index(b"T\r"), None);
    }

    #[test]
    fn shutdown_index_full_table() {
        let tenths = [(".6", 0x20), (".7", 0x30), (".8", 0x40), (".9", 0x50)];
        for (t, stay) in tenths {
            assert_eq!(idx(format!("S{t}R0000\r").as_bytes()), stay);
            assert_eq!(idx(format!("S{t}\r").as_bytes()), stay + 8);
        }
        for m in 1..=10u8 {
            let stay = 0x60 + (m - 1) * 16;
            assert_eq!(idx(format!("S{m:02}R0000\r").as_bytes()), stay);
            assert_eq!(idx(format!("S{m:02}R0001\r").as_bytes()), stay + 8);
        }
    }

    #[test]
    fn utf16_corner_cases_tv16() {
        let d = [0x0A, 0x03, 0x41, 0x00, 0xE9, 0x00, 0x13, 0x20, 0x0D, 0x00];
        let mut raw = d;
        assert!(size_matches(&raw, 10));
        assert_eq!(decode_in_place(&mut raw, 510), 4);
        assert_eq!(&raw[..5], &[0x41, 0xE9, 0x3F, 0x0D, 0x00]);
        let mut out = [0u8; 16];
        assert_eq!(decode_ascii(&d, &mut out), 4);
        assert_eq!(&out[..5], &[0x41, 0x3F, 0x3F, 0x0D, 0x00]);
        let mut out = [0u8; 16];
        assert_eq!(decode_identification(&d, &mut out), 4);
        assert_eq!(&out[..4], &[0x41, 0xE9, 0x3F, 0x0D]);
    }

    #[test]
    fn size_check_reads_the_length_byte_unsigned() {
        // bLength 0x82 with 130 bytes: NUT on x86 refuses it (signed char); accepted here.
        let mut d = [0u8; 130];
        d[0] = 0x82;
        d[1] = 0x03;
        for u in d[2..].chunks_mut(2) {
            u[0] = b'A';
        }
        assert!(size_matches(&d, 130));
        assert_eq!(decode_in_place(&mut d, 510), 64);
        assert!(!size_matches(&[0x60, 0x03], 94));
    }

    #[test]
    fn no_ack_is_exactly_ten_characters() {
        assert!(is_no_ack(b"UPS No Ack"));
        assert!(is_no_ack(b"ups no ack\r"));
        assert!(is_no_ack(b"UPS No Ack\0junk"));
        assert!(!is_no_ack(b"UPS No Ack!"));
        assert!(!is_no_ack(b"(UPS No Ack"));
    }

    #[test]
    fn append_cr_rules() {
        let mut b = *b"abc\0\0";
        assert_eq!(append_cr(&mut b, 3, 5), 4);
        assert_eq!(&b, b"abc\r\0");
        let mut b = *b"ab\rc\0";
        assert_eq!(append_cr(&mut b, 4, 5), 4);
        assert_eq!(append_cr(&mut [0u8; 4], 0, 4), 0);
        let mut b = *b"abcd";
        assert_eq!(append_cr(&mut b, 3, 4), 3);
    }
}
