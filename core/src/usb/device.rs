//! The standard device descriptor (USB 2.0 §9.6.1), for hosts whose enumeration does not hand
//! out the string indexes (a microcontroller stack gives VID/PID only): the fields the device
//! table needs, read from and written as the 18 wire bytes.

use super::{Setup, UsbError, UsbHost};

/// Length of a device descriptor.
pub const LENGTH: usize = 18;
/// Descriptor type of a device descriptor.
pub const TYPE: u8 = 0x01;
/// Timeout of the descriptor read (NUT's for control reads, usb-transports.md §2.4).
pub const TIMEOUT_MS: u32 = 1000;

/// What identifies a device in its device descriptor (string index 0 = no string).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DeviceDescriptor {
    /// `bMaxPacketSize0`.
    pub max_packet_size0: u8,
    /// `idVendor`.
    pub vid: u16,
    /// `idProduct`.
    pub pid: u16,
    /// `bcdDevice`.
    pub bcd_device: u16,
    /// `iManufacturer`.
    pub manufacturer: u8,
    /// `iProduct`.
    pub product: u8,
    /// `iSerialNumber`.
    pub serial: u8,
}

impl DeviceDescriptor {
    /// Reads the 18 wire bytes; `None` when they are short or not a device descriptor.
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        match bytes {
            [
                len,
                TYPE,
                _,
                _,
                _,
                _,
                _,
                ep0,
                v0,
                v1,
                p0,
                p1,
                d0,
                d1,
                m,
                p,
                s,
                _,
                ..,
            ] if usize::from(*len) >= LENGTH => Some(Self {
                max_packet_size0: *ep0,
                vid: u16::from_le_bytes([*v0, *v1]),
                pid: u16::from_le_bytes([*p0, *p1]),
                bcd_device: u16::from_le_bytes([*d0, *d1]),
                manufacturer: *m,
                product: *p,
                serial: *s,
            }),
            _ => None,
        }
    }

    /// The 18 wire bytes of a USB 1.1, vendor-class-free (class in the interface), one
    /// configuration device with these fields.
    pub fn to_bytes(&self) -> [u8; LENGTH] {
        let [v0, v1] = self.vid.to_le_bytes();
        let [p0, p1] = self.pid.to_le_bytes();
        let [d0, d1] = self.bcd_device.to_le_bytes();
        [
            LENGTH as u8,
            TYPE,
            0x10,
            0x01,
            0,
            0,
            0,
            self.max_packet_size0,
            v0,
            v1,
            p0,
            p1,
            d0,
            d1,
            self.manufacturer,
            self.product,
            self.serial,
            1,
        ]
    }
}

impl Setup {
    /// GET_DESCRIPTOR(Device), asking for `length` bytes.
    pub const fn get_device(length: u16) -> Self {
        Self {
            request_type: 0x80,
            request: 0x06,
            value: (TYPE as u16) << 8,
            index: 0,
            length,
        }
    }
}

/// Reads the device descriptor over `host`; a short or malformed answer is [`UsbError::Io`].
pub async fn read<H: UsbHost>(host: &mut H) -> Result<DeviceDescriptor, UsbError> {
    let mut buf = [0u8; LENGTH];
    let n = host
        .control_in(Setup::get_device(LENGTH as u16), &mut buf, TIMEOUT_MS)
        .await?;
    buf.get(..n)
        .and_then(DeviceDescriptor::parse)
        .ok_or(UsbError::Io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_descriptor_round_trips_through_its_wire_bytes() {
        let d = DeviceDescriptor {
            max_packet_size0: 8,
            vid: 0x0001,
            pid: 0x0000,
            bcd_device: 0x0100,
            manufacturer: 0,
            product: 1,
            serial: 0,
        };
        let bytes = d.to_bytes();
        assert_eq!(&bytes[..2], &[18, 1]);
        assert_eq!(&bytes[8..12], &[0x01, 0x00, 0x00, 0x00]);
        assert_eq!(DeviceDescriptor::parse(&bytes), Some(d));
    }

    #[test]
    fn short_or_foreign_descriptors_are_refused() {
        let bytes = DeviceDescriptor::default().to_bytes();
        assert_eq!(DeviceDescriptor::parse(&bytes[..17]), None);
        let mut config = bytes;
        config[1] = 0x02;
        assert_eq!(DeviceDescriptor::parse(&config), None);
        let mut short_len = bytes;
        short_len[0] = 9;
        assert_eq!(DeviceDescriptor::parse(&short_len), None);
    }

    #[test]
    fn the_setup_asks_for_the_device_descriptor() {
        assert_eq!(
            Setup::get_device(18).to_bytes(),
            [0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00]
        );
    }
}
