//! libusb's error codes, as rusb reports them, mapped onto the core's [`UsbError`] (the codes
//! the transports and the recovery of spec §2.6 tell apart).

use qxups::usb::UsbError;

/// The core's view of a libusb error.
///
/// `NotFound` (an entity such as an endpoint or the device's node is gone) is treated like
/// NO_DEVICE, because §2.6 reconnects on both. `Interrupted` only reaches here when nothing
/// was transferred, so it is a plain I/O failure; `InvalidParam`, `NoMem`, `BadDescriptor`
/// and `Other` are I/O errors too (§2.6 reconnects on IO).
pub fn map_error(e: rusb::Error) -> UsbError {
    match e {
        rusb::Error::Timeout => UsbError::Timeout,
        rusb::Error::Pipe => UsbError::Stall,
        rusb::Error::Overflow => UsbError::Overflow,
        rusb::Error::NoDevice | rusb::Error::NotFound => UsbError::Disconnected,
        rusb::Error::Busy => UsbError::Busy,
        rusb::Error::Access => UsbError::Access,
        rusb::Error::NotSupported => UsbError::Unsupported,
        rusb::Error::Io
        | rusb::Error::InvalidParam
        | rusb::Error::Interrupted
        | rusb::Error::NoMem
        | rusb::Error::BadDescriptor
        | rusb::Error::Other => UsbError::Io,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfer_errors_keep_their_meaning() {
        assert_eq!(map_error(rusb::Error::Timeout), UsbError::Timeout);
        assert_eq!(map_error(rusb::Error::Pipe), UsbError::Stall);
        assert_eq!(map_error(rusb::Error::Overflow), UsbError::Overflow);
        assert_eq!(map_error(rusb::Error::Busy), UsbError::Busy);
        assert_eq!(map_error(rusb::Error::Access), UsbError::Access);
        assert_eq!(map_error(rusb::Error::NotSupported), UsbError::Unsupported);
    }

    #[test]
    fn a_vanished_device_is_disconnected() {
        assert_eq!(map_error(rusb::Error::NoDevice), UsbError::Disconnected);
        assert_eq!(map_error(rusb::Error::NotFound), UsbError::Disconnected);
    }

    #[test]
    fn everything_else_is_io() {
        for e in [
            rusb::Error::Io,
            rusb::Error::InvalidParam,
            rusb::Error::Interrupted,
            rusb::Error::NoMem,
            rusb::Error::BadDescriptor,
            rusb::Error::Other,
        ] {
            assert_eq!(map_error(e), UsbError::Io, "{e:?}");
        }
    }
}
