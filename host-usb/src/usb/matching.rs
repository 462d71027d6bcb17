//! Which USB device to use (usb-transports.md §2.1, §6.1, §8): what was read from a device
//! ([`Identity`]), the user's `ups.conf` filters ([`Filter`]) and the matcher chain
//! ([`choose`]) that ends in the core's device table. Pure: nothing here touches libusb.
//!
//! NUT's filters are case-insensitive extended regular expressions that must match the whole
//! value. Here they are literals, compared the same way (whole value, case-insensitively), and
//! the numeric ones are compared as numbers: `vendorid=0665`, `vendorid=0x0665` and
//! `vendorid=665` all mean VID 0x0665, `bus=3` and `bus=003` both mean bus 3. A value that is
//! not a number where one is needed is refused instead of matching nothing.

use std::fmt;

use qxups::usb::table::{self, DeviceIds, Selection, TABLE};
use qxups::usb::{Subdriver, UsbOptions};

/// What identifies one USB device: where it sits, its descriptor IDs and the identification
/// strings (§2.3.3; `None` = absent: no index, a failed read or an empty string).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identity {
    /// Bus number.
    pub bus: u8,
    /// Device address on the bus.
    pub address: u8,
    /// Port number on the parent hub (0 when unknown).
    pub port: u8,
    /// idVendor.
    pub vid: u16,
    /// idProduct.
    pub pid: u16,
    /// bcdDevice.
    pub bcd_device: u16,
    /// iManufacturer ("Vendor").
    pub vendor: Option<String>,
    /// iProduct ("Product").
    pub product: Option<String>,
    /// iSerialNumber ("Serial").
    pub serial: Option<String>,
}

impl Identity {
    /// This identity as the `ups.conf` filters see it.
    pub fn view(&self) -> crate::config::UsbIdentity<'_> {
        crate::config::UsbIdentity {
            vid: self.vid,
            pid: self.pid,
            vendor: self.vendor.as_deref(),
            product: self.product.as_deref(),
            serial: self.serial.as_deref(),
            bus: self.bus,
            device: self.address,
            busport: (self.port != 0).then_some(self.port),
        }
    }

    /// The IDs the core's device table looks at.
    pub fn ids(&self) -> DeviceIds<'_> {
        DeviceIds {
            vid: self.vid,
            pid: self.pid,
            vendor: self.vendor.as_deref(),
            product: self.product.as_deref(),
        }
    }

    /// The reconnect rule of §2.1: VID, PID, Vendor, Product and Serial all equal, an absent
    /// string matching only an absent string. Where the device sits may change.
    pub fn same_device(&self, other: &Self) -> bool {
        self.vid == other.vid
            && self.pid == other.pid
            && self.vendor == other.vendor
            && self.product == other.product
            && self.serial == other.serial
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04x}:{:04x} bus {:03} device {:03}",
            self.vid, self.pid, self.bus, self.address
        )?;
        for (label, value) in [
            ("vendor", &self.vendor),
            ("product", &self.product),
            ("serial", &self.serial),
        ] {
            if let Some(v) = value {
                write!(f, " {label} {v:?}")?;
            }
        }
        Ok(())
    }
}

/// The user's `ups.conf` filters: NUT's whole-string, case-insensitive patterns (one
/// implementation, shared with the configuration parser).
pub use crate::config::UsbFilter as Filter;

/// Everything that decides which device is opened and how it is driven.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Criteria {
    /// The user's filters.
    pub filter: Filter,
    /// `subdriver=`: bypasses the table (then `vendorid` and `productid` are required).
    pub subdriver: Option<Subdriver>,
    /// `langid_fix`, `noscanlangid`, `novendor`.
    pub options: UsbOptions,
    /// `usb_hid_rep_index`: the interface to claim (default 0).
    pub interface: u8,
    /// `allow_duplicates`: a device held by someone else is skipped, not fatal.
    pub allow_duplicates: bool,
}

impl Criteria {
    /// §6.1: `subdriver=` requires `vendorid` and `productid`.
    pub fn check(&self) -> Result<(), &'static str> {
        if self.subdriver.is_some()
            && (self.filter.vendorid.is_none() || self.filter.productid.is_none())
        {
            return Err("subdriver= requires vendorid= and productid=");
        }
        Ok(())
    }

    /// True when a device with these IDs could be chosen at all: its strings are only read
    /// when this holds, so unrelated devices see no traffic when opening.
    pub fn may_match_ids(&self, vid: u16, pid: u16) -> bool {
        self.filter.matches_ids(vid, pid)
            && (self.subdriver.is_some()
                || TABLE
                    .iter()
                    .any(|e| e.vid == vid && e.pid == pid && e.subdriver.is_some()))
    }
}

/// Why a device was or was not chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// `subdriver=` names the transport; the table was not consulted.
    Forced,
    /// Entry `number` (1-based, as in spec §6.1) of the device table matched.
    Table {
        /// The entry's number.
        number: usize,
        /// The device family noted for it.
        family: &'static str,
    },
    /// A user filter did not match.
    Filtered,
    /// On reconnect: not the device that was open before.
    NotSameDevice,
    /// No table entry names a transport for it; `vendor_known` when some entry has its VID.
    NotInTable {
        /// Some entry has this VID ("possibly supported").
        vendor_known: bool,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Forced => f.write_str("forced by subdriver="),
            Self::Table { number, family } => write!(f, "device table entry #{number} ({family})"),
            Self::Filtered => f.write_str("excluded by a device filter"),
            Self::NotSameDevice => f.write_str("not the device that was open before"),
            Self::NotInTable { vendor_known: true } => {
                f.write_str("vendor known, but no table entry matches")
            }
            Self::NotInTable {
                vendor_known: false,
            } => f.write_str("not in the device table"),
        }
    }
}

/// The matcher chain of §2.1/§6.1 for one device: on reconnect (`previous` given) the exact
/// match first, then the user's filters, then `subdriver=` or the table. Returns the
/// transport and its options when the device is accepted, and why.
pub fn choose(
    id: &Identity,
    criteria: &Criteria,
    previous: Option<&Identity>,
) -> (Option<Selection>, Reason) {
    if previous.is_some_and(|p| !p.same_device(id)) {
        return (None, Reason::NotSameDevice);
    }
    if !criteria.filter.matches(&id.view()) {
        return (None, Reason::Filtered);
    }
    let ids = id.ids();
    let selection = table::select(ids, criteria.subdriver, criteria.options);
    let reason = match criteria.subdriver {
        Some(_) => Reason::Forced,
        // `TABLE` is a constant (each use is a copy): find the entry by value, all differ.
        None => match table::lookup(ids) {
            Some(entry) => Reason::Table {
                number: TABLE.iter().position(|e| e == entry).map_or(0, |i| i + 1),
                family: entry.family,
            },
            None => Reason::NotInTable {
                vendor_known: table::vendor_known(id.vid),
            },
        },
    };
    (selection, reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(vid: u16, pid: u16, vendor: Option<&str>, product: Option<&str>) -> Identity {
        Identity {
            bus: 3,
            address: 7,
            vid,
            pid,
            vendor: vendor.map(str::to_owned),
            product: product.map(str::to_owned),
            serial: Some("A1".to_owned()),
            ..Identity::default()
        }
    }

    fn criteria(pairs: &[(&str, &str)]) -> Criteria {
        let mut c = Criteria::default();
        for (k, v) in pairs {
            assert!(c.filter.set(k, v).unwrap(), "{k}");
        }
        c
    }

    #[test]
    fn ids_are_whole_hex_patterns() {
        let c = criteria(&[("vendorid", "0665"), ("productid", "5161")]);
        assert!(c.filter.matches(&device(0x0665, 0x5161, None, None).view()));
        assert!(!c.filter.matches(&device(0x0665, 0x5162, None, None).view()));
        assert!(c.filter.matches_ids(0x0665, 0x5161));
        // NUT's values are regular expressions over the 4-digit hex ID.
        let c = criteria(&[("vendorid", "06.5")]);
        assert!(c.filter.matches_ids(0x0665, 1));
        let mut f = Filter::default();
        assert!(f.set("vendorid", "(").is_err());
        assert!(matches!(f.set("pollinterval", "2"), Ok(false)));
    }

    #[test]
    fn strings_match_whole_trimmed_and_case_insensitively() {
        let c = criteria(&[("product", "mec0003")]);
        assert!(
            c.filter
                .matches(&device(1, 0, None, Some("MEC0003")).view())
        );
        assert!(
            c.filter
                .matches(&device(1, 0, None, Some(" MEC0003\t\n")).view())
        );
        assert!(
            !c.filter
                .matches(&device(1, 0, None, Some("MEC0003X")).view())
        );
        assert!(!c.filter.matches(&device(1, 0, None, None).view()));
        // An absent string is matched as "".
        let c = criteria(&[("vendor", "")]);
        assert!(c.filter.matches(&device(1, 0, None, None).view()));
        let c = criteria(&[("serial", "a1")]);
        assert!(c.filter.matches(&device(1, 0, None, None).view()));
    }

    #[test]
    fn bus_and_device_are_three_digit_numbers() {
        let c = criteria(&[("bus", "003"), ("device", "007")]);
        assert!(c.filter.matches(&device(1, 0, None, None).view()));
        let c = criteria(&[("bus", "004")]);
        assert!(!c.filter.matches(&device(1, 0, None, None).view()));
    }

    #[test]
    fn the_table_decides_after_the_filters() {
        let c = Criteria::default();
        let (s, r) = choose(&device(0x0001, 0, None, Some("MEC0003")), &c, None);
        assert_eq!(s.unwrap().subdriver, Subdriver::Hunnox);
        assert_eq!(
            r,
            Reason::Table {
                number: 18,
                family: "Hunnox HNX-850, Powercool"
            }
        );
        let (s, r) = choose(&device(0x0665, 0x5161, None, None), &c, None);
        assert_eq!(s.unwrap().subdriver, Subdriver::Cypress);
        assert!(matches!(r, Reason::Table { number: 4, .. }));
        let (s, r) = choose(&device(0x1A86, 0x7523, None, None), &c, None);
        assert_eq!((s, r), (None, Reason::NotInTable { vendor_known: true }));
        let (s, r) = choose(&device(0x046D, 0xC52B, None, None), &c, None);
        assert_eq!(
            (s, r),
            (
                None,
                Reason::NotInTable {
                    vendor_known: false
                }
            )
        );
        let c = criteria(&[("vendorid", "0665")]);
        let (s, r) = choose(&device(0x0001, 0, None, Some("MEC0003")), &c, None);
        assert_eq!((s, r), (None, Reason::Filtered));
    }

    #[test]
    fn subdriver_bypasses_the_table_but_needs_ids() {
        let mut c = criteria(&[("vendorid", "1234")]);
        c.subdriver = Some(Subdriver::Gtec);
        assert!(c.check().is_err());
        c.filter.set("productid", "5678").unwrap();
        assert!(c.check().is_ok());
        let (s, r) = choose(&device(0x1234, 0x5678, None, None), &c, None);
        assert_eq!(s.unwrap().subdriver, Subdriver::Gtec);
        assert_eq!(r, Reason::Forced);
        assert!(c.may_match_ids(0x1234, 0x5678));
        assert!(!c.may_match_ids(0x1234, 0x5679));
    }

    #[test]
    fn only_table_ids_are_candidates_without_subdriver() {
        let c = Criteria::default();
        assert!(c.may_match_ids(0x0001, 0x0000));
        assert!(c.may_match_ids(0x0925, 0x1234));
        // The CH340 entry names no transport.
        assert!(!c.may_match_ids(0x1A86, 0x7523));
        assert!(!c.may_match_ids(0x046D, 0xC52B));
    }

    #[test]
    fn reconnect_wants_the_same_device() {
        let before = device(0x0001, 0, None, Some("MEC0003"));
        let c = Criteria::default();
        let mut moved = before.clone();
        moved.bus = 1;
        moved.address = 12;
        assert!(choose(&moved, &c, Some(&before)).0.is_some());
        let mut other = before.clone();
        other.serial = None;
        assert_eq!(
            choose(&other, &c, Some(&before)),
            (None, Reason::NotSameDevice)
        );
        let mut other = before.clone();
        other.vendor = Some("MEC".to_owned());
        assert_eq!(choose(&other, &c, Some(&before)).1, Reason::NotSameDevice);
    }

    #[test]
    fn reasons_read_well() {
        assert!(Reason::Forced.to_string().contains("subdriver"));
        assert!(
            Reason::Table {
                number: 4,
                family: "x"
            }
            .to_string()
            .contains("#4")
        );
        let d = device(0x0665, 0x5161, Some("V"), None);
        assert_eq!(
            d.to_string(),
            "0665:5161 bus 003 device 007 vendor \"V\" serial \"A1\""
        );
    }
}
