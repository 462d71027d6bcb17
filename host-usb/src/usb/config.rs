//! The configuration descriptor from libusb's cache, as the bytes that went on the wire.
//!
//! libusb keeps every configuration descriptor it read at enumeration (on Linux from sysfs,
//! with no transfer), but only hands out its parsed form; the core's armac mode choice reads
//! the raw layout. This writes the parsed form back in wire order: the configuration header,
//! its class-specific extras, then each interface setting with its extras (e.g. the HID
//! descriptor) and endpoints. `wTotalLength` is recomputed from what was written.

use rusb::{ConfigDescriptor, SyncType, TransferType, UsageType};

/// `bDescriptorType` of a configuration descriptor.
const CONFIGURATION: u8 = 0x02;
/// `bDescriptorType` of an interface descriptor.
const INTERFACE: u8 = 0x04;
/// `bDescriptorType` of an endpoint descriptor.
const ENDPOINT: u8 = 0x05;

/// The endpoint's `bmAttributes`, rebuilt from its parsed fields.
fn endpoint_attributes(transfer: TransferType, sync: SyncType, usage: UsageType) -> u8 {
    let t = match transfer {
        TransferType::Control => 0,
        TransferType::Isochronous => 1,
        TransferType::Bulk => 2,
        TransferType::Interrupt => 3,
    };
    let s = match sync {
        SyncType::NoSync => 0,
        SyncType::Asynchronous => 1,
        SyncType::Adaptive => 2,
        SyncType::Synchronous => 3,
    };
    let u = match usage {
        UsageType::Data => 0,
        UsageType::Feedback => 1,
        UsageType::FeedbackData => 2,
        UsageType::Reserved => 3,
    };
    t | (s << 2) | (u << 4)
}

/// The configuration header's `bmAttributes` (bit 7 is reserved and always set).
fn config_attributes(self_powered: bool, remote_wakeup: bool) -> u8 {
    0x80 | (u8::from(self_powered) << 6) | (u8::from(remote_wakeup) << 5)
}

/// `config` in wire order.
pub fn to_bytes(config: &ConfigDescriptor) -> Vec<u8> {
    let mut out = vec![
        9,
        CONFIGURATION,
        0,
        0,
        config.num_interfaces(),
        config.number(),
        config.description_string_index().unwrap_or(0),
        config_attributes(config.self_powered(), config.remote_wakeup()),
        u8::try_from(config.max_power() / 2).unwrap_or(u8::MAX),
    ];
    out.extend_from_slice(config.extra());
    for interface in config.interfaces() {
        for setting in interface.descriptors() {
            out.extend_from_slice(&[
                9,
                INTERFACE,
                setting.interface_number(),
                setting.setting_number(),
                setting.num_endpoints(),
                setting.class_code(),
                setting.sub_class_code(),
                setting.protocol_code(),
                setting.description_string_index().unwrap_or(0),
            ]);
            out.extend_from_slice(setting.extra());
            for endpoint in setting.endpoint_descriptors() {
                let [lo, hi] = endpoint.max_packet_size().to_le_bytes();
                // Audio endpoints carry two more bytes.
                let audio = endpoint.length() >= 9;
                out.extend_from_slice(&[
                    if audio { 9 } else { 7 },
                    ENDPOINT,
                    endpoint.address(),
                    endpoint_attributes(
                        endpoint.transfer_type(),
                        endpoint.sync_type(),
                        endpoint.usage_type(),
                    ),
                    lo,
                    hi,
                    endpoint.interval(),
                ]);
                if audio {
                    out.extend_from_slice(&[endpoint.refresh(), endpoint.synch_address()]);
                }
                out.extend_from_slice(endpoint.extra().unwrap_or(&[]));
            }
        }
    }
    let [lo, hi] = u16::try_from(out.len()).unwrap_or(u16::MAX).to_le_bytes();
    if let Some(total) = out.get_mut(2..4) {
        total.copy_from_slice(&[lo, hi]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_round_trip_the_usb_layout() {
        assert_eq!(
            endpoint_attributes(TransferType::Interrupt, SyncType::NoSync, UsageType::Data),
            0x03
        );
        assert_eq!(
            endpoint_attributes(
                TransferType::Isochronous,
                SyncType::Synchronous,
                UsageType::Feedback
            ),
            0x1D
        );
        assert_eq!(config_attributes(false, false), 0x80);
        assert_eq!(config_attributes(true, true), 0xE0);
    }
}
