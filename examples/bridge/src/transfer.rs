//! Transfer helpers for board adapters whose USB stack hands out interrupt IN data one packet
//! at a time (cotton-usb-host's interrupt pipe is a stream of packets), while the core's
//! [`UsbHost::interrupt_in`](qxups::usb::UsbHost::interrupt_in) reads a whole transfer: up to
//! the buffer's length, ending early on a short packet, as libusb does.

use qxups::usb::UsbError;

/// Where an interrupt IN transfer stands after one more packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Collected {
    /// The transfer goes on: this many bytes so far.
    More(usize),
    /// The transfer is complete (a short packet, or the buffer is full) with this many bytes.
    Done(usize),
}

/// Appends `packet` to the `got` bytes already in `buf`. A packet shorter than `max_packet`
/// (a zero-length one too) ends the transfer, as does a full buffer; a packet that does not
/// fit is [`UsbError::Overflow`] (libusb's OVERFLOW: the device sent more than was asked for).
pub fn collect_packet(
    buf: &mut [u8],
    got: usize,
    packet: &[u8],
    max_packet: usize,
) -> Result<Collected, UsbError> {
    let end = got.checked_add(packet.len()).ok_or(UsbError::Overflow)?;
    let slot = buf.get_mut(got..end).ok_or(UsbError::Overflow)?;
    slot.copy_from_slice(packet);
    if packet.len() < max_packet || end >= buf.len() {
        Ok(Collected::Done(end))
    } else {
        Ok(Collected::More(end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_packets_go_on_until_a_short_one_or_a_full_buffer() {
        let mut buf = [0u8; 20];
        assert_eq!(
            collect_packet(&mut buf, 0, b"(230.0 2", 8),
            Ok(Collected::More(8))
        );
        assert_eq!(
            collect_packet(&mut buf, 8, b"29.0 23", 8),
            Ok(Collected::Done(15))
        );
        assert_eq!(&buf[..15], b"(230.0 229.0 23");
        let mut small = [0u8; 16];
        assert_eq!(
            collect_packet(&mut small, 8, b"12345678", 8),
            Ok(Collected::Done(16))
        );
    }

    #[test]
    fn a_zero_length_packet_ends_the_transfer() {
        let mut buf = [0u8; 16];
        assert_eq!(collect_packet(&mut buf, 8, b"", 8), Ok(Collected::Done(8)));
    }

    #[test]
    fn a_packet_that_does_not_fit_is_an_overflow() {
        let mut buf = [0u8; 8];
        assert_eq!(
            collect_packet(&mut buf, 4, b"12345678", 8),
            Err(UsbError::Overflow)
        );
        assert_eq!(
            collect_packet(&mut buf, usize::MAX, b"1", 8),
            Err(UsbError::Overflow)
        );
    }
}
