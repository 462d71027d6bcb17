//! Which UPS is on the USB port, and whether this board can drive it.
//!
//! A microcontroller stack enumerates the device but hands out only its VID and PID, so the
//! bridge reads the device descriptor itself for the string indexes, then the identification
//! strings as NUT does ([`strings::read_identification`], the same read as the Linux
//! monitor), and asks the core's device table ([`table::select`]) for the subdriver.
//!
//! The board's host stack may lack a transfer kind: cotton-usb-host 0.3 (RP2040) has no
//! interrupt OUT, which `fuji` always needs and `armac` needs when its configuration offers
//! interrupt endpoints. Such a UPS is refused up front with [`Refusal::Unsupported`] ("unsupported
//! on this board") instead of failing every command later.

use core::fmt;

use qxups::driver::DeviceInfo;
use qxups::nut::vars::Text;
use qxups::usb::device::{self, DeviceDescriptor};
use qxups::usb::table::{self, DeviceIds, Selection};
use qxups::usb::{DelayNs, Subdriver, UsbError, UsbHost, UsbOptions, armac, strings};

/// What the board's USB host can do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Capabilities {
    /// Interrupt OUT transfers (fuji, armac's interrupt mode).
    pub interrupt_out: bool,
}

impl Capabilities {
    /// A host that does every transfer the transports use.
    pub const ALL: Self = Self {
        interrupt_out: true,
    };
    /// cotton-usb-host 0.3 on the RP2040: control and interrupt IN only.
    pub const NO_INTERRUPT_OUT: Self = Self {
        interrupt_out: false,
    };
}

/// The configuration-descriptor buffer armac's mode choice reads (as the transport does).
const CONFIG_MAX: usize = 128;

/// What a host stack needs to open an interrupt pipe: the endpoint's packet size and
/// polling interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Endpoint {
    /// `wMaxPacketSize` (the packet-size bits).
    pub max_packet: u16,
    /// `bInterval`, in milliseconds for a low- or full-speed interrupt endpoint.
    pub interval: u8,
}

/// The interrupt endpoint `address` (e.g. 0x81) in a configuration descriptor set, if any.
pub fn interrupt_endpoint(config: &[u8], address: u8) -> Option<Endpoint> {
    let mut rest = config;
    while let [len, _, ..] = rest {
        let (descriptor, tail) = rest.split_at_checked(usize::from(*len).max(2))?;
        if let [_, 0x05, a, attributes, lo, hi, interval, ..] = descriptor {
            if *a == address && attributes & 0x03 == 0x03 {
                return Some(Endpoint {
                    max_packet: u16::from_le_bytes([*lo, *hi]) & 0x07FF,
                    interval: *interval,
                });
            }
        }
        rest = tail;
    }
    None
}

/// The device on the port: its descriptor and identification strings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identity {
    /// The device descriptor.
    pub descriptor: DeviceDescriptor,
    /// iManufacturer's text.
    pub manufacturer: Option<Text>,
    /// iProduct's text.
    pub product: Option<Text>,
    /// iSerialNumber's text.
    pub serial: Option<Text>,
}

impl Identity {
    /// The identification as the device table reads it.
    pub fn ids(&self) -> DeviceIds<'_> {
        DeviceIds {
            vid: self.descriptor.vid,
            pid: self.descriptor.pid,
            vendor: self.manufacturer.as_deref(),
            product: self.product.as_deref(),
        }
    }

    /// What the driver engine publishes about the device (`ups.vendorid`, `device.model`, …).
    pub fn device_info(&self) -> DeviceInfo {
        DeviceInfo {
            vendor_id: Some(self.descriptor.vid),
            product_id: Some(self.descriptor.pid),
            manufacturer: self.manufacturer.clone(),
            product: self.product.clone(),
            serial: self.serial.clone(),
            link: "usb",
        }
    }
}

/// Why the device on the port is not served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Refusal {
    /// No entry of the device table names a transport for it.
    NotAUps {
        /// Vendor ID.
        vid: u16,
        /// Product ID.
        pid: u16,
    },
    /// A UPS whose transport needs a transfer this board's USB host cannot do.
    Unsupported {
        /// The transport the device table chose.
        subdriver: Subdriver,
    },
    /// The device did not answer the identification reads.
    Usb(UsbError),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAUps { vid, pid } => {
                write!(f, "USB device {vid:04x}:{pid:04x} is not a known UPS")
            }
            Self::Unsupported { subdriver } => write!(
                f,
                "{subdriver} UPS found, but its transport needs interrupt OUT transfers: \
                 unsupported on this board"
            ),
            Self::Usb(e) => write!(f, "cannot identify the USB device: {e}"),
        }
    }
}

impl core::error::Error for Refusal {}

/// One identification string: absent when the index is 0 or the read fails (as on Linux), the
/// bytes as Latin-1 up to the first NUL, cut to what a NUT value holds. Only an unplug is an
/// error.
async fn read_string<H: UsbHost, D: DelayNs>(
    host: &mut H,
    delay: &mut D,
    index: u8,
) -> Result<Option<Text>, UsbError> {
    if index == 0 {
        return Ok(None);
    }
    let mut out = [0u8; 256];
    let n = match strings::read_identification(host, delay, index, &mut out).await {
        Ok(n) => n,
        Err(UsbError::Disconnected) => return Err(UsbError::Disconnected),
        Err(_) => return Ok(None),
    };
    let mut text = Text::new();
    for &b in out.get(..n).unwrap_or(&[]).iter().take_while(|&&b| b != 0) {
        if text.push(char::from(b)).is_err() {
            break;
        }
    }
    Ok((!text.is_empty()).then_some(text))
}

/// Reads the device descriptor and the manufacturer, product and serial strings.
pub async fn read_identity<H: UsbHost, D: DelayNs>(
    host: &mut H,
    delay: &mut D,
) -> Result<Identity, UsbError> {
    let descriptor = device::read(host).await?;
    Ok(Identity {
        descriptor,
        manufacturer: read_string(host, delay, descriptor.manufacturer).await?,
        product: read_string(host, delay, descriptor.product).await?,
        serial: read_string(host, delay, descriptor.serial).await?,
    })
}

/// True when `subdriver` would send interrupt OUT transfers to this device: always for fuji,
/// for armac when its configuration descriptor offers the interrupt endpoints (read as the
/// transport reads it; an unreadable one means control mode, as there).
pub async fn needs_interrupt_out<H: UsbHost>(
    host: &mut H,
    subdriver: Subdriver,
) -> Result<bool, UsbError> {
    match subdriver {
        Subdriver::Fuji => Ok(true),
        Subdriver::Armac => {
            let mut config = [0u8; CONFIG_MAX];
            match host.config_descriptor(&mut config).await {
                Ok(n) => Ok(
                    armac::choose_mode(config.get(..n).unwrap_or(&[])) == armac::Mode::Interrupt
                ),
                Err(UsbError::Disconnected) => Err(UsbError::Disconnected),
                Err(_) => Ok(false),
            }
        }
        _ => Ok(false),
    }
}

/// The transport for `identity` (`forced` = `subdriver=`), refused when the table knows no
/// transport for it or the board cannot drive the one it names.
pub async fn select<H: UsbHost>(
    host: &mut H,
    identity: &Identity,
    forced: Option<Subdriver>,
    options: UsbOptions,
    capabilities: Capabilities,
) -> Result<Selection, Refusal> {
    let ids = identity.ids();
    let selection = table::select(ids, forced, options).ok_or(Refusal::NotAUps {
        vid: ids.vid,
        pid: ids.pid,
    })?;
    if !capabilities.interrupt_out
        && needs_interrupt_out(host, selection.subdriver)
            .await
            .map_err(Refusal::Usb)?
    {
        return Err(Refusal::Unsupported {
            subdriver: selection.subdriver,
        });
    }
    Ok(selection)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interrupt_in_endpoint_is_found_among_the_descriptors() {
        let config = [
            9, 2, 34, 0, 1, 1, 0, 0x80, 50, // configuration
            9, 4, 0, 0, 1, 3, 0, 0, 0, // interface
            9, 0x21, 0x10, 1, 0, 1, 0x22, 27, 0, // HID
            7, 5, 0x81, 3, 8, 0, 10, // IN 0x81 interrupt, 8 bytes, 10 ms
        ];
        assert_eq!(
            interrupt_endpoint(&config, 0x81),
            Some(Endpoint {
                max_packet: 8,
                interval: 10
            })
        );
        assert_eq!(interrupt_endpoint(&config, 0x82), None);
        // Cut short, or a zero length byte: nothing, and no endless loop.
        assert_eq!(interrupt_endpoint(&config[..30], 0x81), None);
        assert_eq!(interrupt_endpoint(&[0, 0, 0, 0], 0x81), None);
        // A bulk endpoint at that address is not an interrupt endpoint.
        let mut bulk = config;
        bulk[30] = 2;
        assert_eq!(interrupt_endpoint(&bulk, 0x81), None);
    }
}
