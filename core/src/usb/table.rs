//! The USB device table of `nutdrv_qx` (usb-transports.md §6.1) as a pure function:
//! (VID, PID, iManufacturer, iProduct) → subdriver, first match wins, `subdriver=` overrides.
//!
//! A [`Selection`] also carries the options a subdriver needs to work at all, so a device
//! works without any: hunnox gets `langid_fix=0x0409`, `noscanlangid` and `novendor` (the
//! configuration every published hunnox setup uses; the langid scan wedges these devices and
//! the hunnox dialect's `FW?` is not mapped, §10 quirk 3), snr gets `langid_fix=0x0409`
//! (§10 quirk 1). A user's `langid_fix` still wins.

use super::strings::ENGLISH_US;
use super::{Subdriver, UsbOptions};

/// One row of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Vendor ID.
    pub vid: u16,
    /// Product ID.
    pub pid: u16,
    /// iManufacturer, compared whole and case-insensitively, when given.
    pub vendor: Option<&'static str>,
    /// iProduct, compared whole and case-insensitively, when given.
    pub product: Option<&'static str>,
    /// The transport; `None` for the CH340 serial bridge, which is never selected.
    pub subdriver: Option<Subdriver>,
    /// The device family noted for the entry.
    pub family: &'static str,
}

const fn e(
    vid: u16,
    pid: u16,
    vendor: Option<&'static str>,
    product: Option<&'static str>,
    subdriver: Option<Subdriver>,
    family: &'static str,
) -> Entry {
    Entry {
        vid,
        pid,
        vendor,
        product,
        subdriver,
        family,
    }
}

use Subdriver::*;

/// The 22 entries, in order.
pub const TABLE: [Entry; 22] = [
    e(
        0x05B8,
        0x0000,
        None,
        None,
        Some(Cypress),
        "Agiler UPS (Sysgration)",
    ),
    e(
        0xFFFF,
        0x0000,
        None,
        None,
        Some(Ablerex),
        "Ablerex 625L USB",
    ),
    e(
        0x1CB0,
        0x0035,
        None,
        None,
        Some(Krauler),
        "Legrand Daker DK / DK Plus",
    ),
    e(
        0x0665,
        0x5161,
        None,
        None,
        Some(Cypress),
        "Belkin F6C1200-UNV, Voltronic Power",
    ),
    e(
        0x06DA,
        0x0002,
        Some("Phoenixtec Power"),
        Some("USB Cable (V2.00)"),
        Some(Phoenixtec),
        "Masterguard A series",
    ),
    e(
        0x06DA,
        0x0002,
        None,
        None,
        Some(Cypress),
        "Online Yunto YQ450",
    ),
    e(0x06DA, 0x0003, None, None, Some(Ippon), "Mustek Powermust"),
    e(
        0x06DA,
        0x0004,
        None,
        None,
        Some(Cypress),
        "Phoenixtec Innova 3/1 T",
    ),
    e(
        0x06DA,
        0x0005,
        None,
        None,
        Some(Cypress),
        "Phoenixtec Innova RT",
    ),
    e(
        0x06DA,
        0x0201,
        None,
        None,
        Some(Cypress),
        "Phoenixtec Innova T",
    ),
    e(0x06DA, 0x0601, None, None, Some(Phoenix), "Online Zinto A"),
    e(
        0x0F03,
        0x0001,
        None,
        None,
        Some(Cypress),
        "Unitek Alpha 1200Sx",
    ),
    e(0x14F0, 0x00C9, None, None, Some(Phoenix), "GE EP series"),
    e(
        0x1A86,
        0x7523,
        None,
        None,
        None,
        "QinHeng CH340 serial bridge",
    ),
    e(0x0483, 0x0035, None, None, Some(Sgs), "TS Shara"),
    e(0x0590, 0x00B7, None, None, Some(Omron), "OMRON BN150T"),
    e(
        0x0001,
        0x0000,
        Some("MEC"),
        Some("MEC0003"),
        Some(Fabula),
        "Fideltronik / MEC LUPUS 500 USB",
    ),
    e(
        0x0001,
        0x0000,
        None,
        Some("MEC0003"),
        Some(Hunnox),
        "Hunnox HNX-850, Powercool",
    ),
    e(
        0x0001,
        0x0000,
        Some("ATCL FOR UPS"),
        Some("ATCL FOR UPS"),
        Some(Fuji),
        "Fuji UPSes",
    ),
    e(
        0x0001,
        0x0000,
        None,
        None,
        Some(Krauler),
        "Krauler UP-M500VA and other 0001:0000",
    ),
    e(
        0x0001,
        0x0000,
        None,
        Some("MEC0003"),
        Some(Snr),
        "SNR-UPS-LID (shadowed by #18)",
    ),
    e(
        0x0925,
        0x1234,
        None,
        None,
        Some(Armac),
        "Armac, Richcomm PowerManagerII",
    ),
];

/// What identifies a device: IDs from the device descriptor, strings from the identification
/// read (`None` = absent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceIds<'a> {
    /// Vendor ID.
    pub vid: u16,
    /// Product ID.
    pub pid: u16,
    /// iManufacturer.
    pub vendor: Option<&'a str>,
    /// iProduct.
    pub product: Option<&'a str>,
}

fn string_matches(wanted: Option<&str>, have: Option<&str>) -> bool {
    match (wanted, have) {
        (None, _) => true,
        (Some(w), Some(h)) => w.eq_ignore_ascii_case(h),
        (Some(_), None) => false,
    }
}

/// The first entry that matches and names a transport.
pub fn lookup(ids: DeviceIds<'_>) -> Option<&'static Entry> {
    TABLE.iter().find(|e| {
        e.vid == ids.vid
            && e.pid == ids.pid
            && string_matches(e.vendor, ids.vendor)
            && string_matches(e.product, ids.product)
            && e.subdriver.is_some()
    })
}

/// True when some entry has this VID ("possibly supported", for logging).
pub fn vendor_known(vid: u16) -> bool {
    TABLE.iter().any(|e| e.vid == vid)
}

/// The chosen transport and the options it runs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Selection {
    /// The transport.
    pub subdriver: Subdriver,
    /// Its options (the user's, plus what the subdriver needs).
    pub options: UsbOptions,
}

impl Selection {
    /// The options `subdriver` runs with, from the user's `options`.
    pub fn with_defaults(subdriver: Subdriver, options: UsbOptions) -> Self {
        let options = match subdriver {
            Subdriver::Hunnox => UsbOptions {
                langid_fix: Some(options.langid_fix.unwrap_or(ENGLISH_US)),
                noscanlangid: true,
                novendor: true,
            },
            Subdriver::Snr => UsbOptions {
                langid_fix: Some(options.langid_fix.unwrap_or(ENGLISH_US)),
                ..options
            },
            _ => options,
        };
        Self { subdriver, options }
    }

    /// Carries the selection into the driver options: `novendor` for the dialect, and the
    /// vendor ID.
    pub fn apply(&self, ids: DeviceIds<'_>, driver: &mut crate::Options) {
        driver.novendor |= self.options.novendor;
        driver.usb_vendor = Some(ids.vid);
    }
}

/// The transport for a device: `forced` (`subdriver=`) bypasses the table, otherwise the first
/// matching entry. `None`: the device is not one of ours.
pub fn select(
    ids: DeviceIds<'_>,
    forced: Option<Subdriver>,
    options: UsbOptions,
) -> Option<Selection> {
    let subdriver = forced.or_else(|| lookup(ids).and_then(|e| e.subdriver))?;
    Some(Selection::with_defaults(subdriver, options))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(
        vid: u16,
        pid: u16,
        vendor: Option<&'static str>,
        product: Option<&'static str>,
    ) -> DeviceIds<'static> {
        DeviceIds {
            vid,
            pid,
            vendor,
            product,
        }
    }

    fn pick(d: DeviceIds<'_>) -> Option<Subdriver> {
        select(d, None, UsbOptions::default()).map(|s| s.subdriver)
    }

    #[test]
    fn mec0003_resolves_to_hunnox_with_its_options_without_any_option() {
        let d = ids(0x0001, 0x0000, None, Some("MEC0003"));
        let s = select(d, None, UsbOptions::default()).unwrap();
        assert_eq!(s.subdriver, Hunnox);
        assert_eq!(s.options.langid_fix, Some(0x0409));
        assert!(s.options.novendor);
        assert!(s.options.noscanlangid);
        let mut o = crate::Options::new();
        s.apply(d, &mut o);
        assert!(o.novendor);
        assert_eq!(o.usb_vendor, Some(0x0001));
    }

    #[test]
    fn first_match_wins() {
        assert_eq!(
            pick(ids(0x0001, 0, Some("MEC"), Some("MEC0003"))),
            Some(Fabula)
        );
        assert_eq!(
            pick(ids(0x0001, 0, Some("mec"), Some("mec0003"))),
            Some(Fabula)
        );
        assert_eq!(
            pick(ids(0x0001, 0, Some("Other"), Some("MEC0003"))),
            Some(Hunnox)
        );
        assert_eq!(
            pick(ids(0x0001, 0, Some("ATCL FOR UPS"), Some("ATCL FOR UPS"))),
            Some(Fuji)
        );
        assert_eq!(pick(ids(0x0001, 0, None, None)), Some(Krauler));
        assert_eq!(pick(ids(0x0001, 0, Some("MEC "), Some("X"))), Some(Krauler));
        assert_eq!(
            pick(ids(
                0x06DA,
                0x0002,
                Some("Phoenixtec Power"),
                Some("USB Cable (V2.00)")
            )),
            Some(Phoenixtec)
        );
        assert_eq!(
            pick(ids(0x06DA, 0x0002, Some("Phoenixtec Power"), None)),
            Some(Cypress)
        );
        assert_eq!(pick(ids(0x0665, 0x5161, None, None)), Some(Cypress));
        assert_eq!(pick(ids(0xFFFF, 0x0000, None, None)), Some(Ablerex));
        assert_eq!(pick(ids(0x0925, 0x1234, None, None)), Some(Armac));
        assert_eq!(pick(ids(0x0483, 0x0035, None, None)), Some(Sgs));
        assert_eq!(pick(ids(0x0590, 0x00B7, None, None)), Some(Omron));
        assert_eq!(pick(ids(0x06DA, 0x0003, None, None)), Some(Ippon));
        assert_eq!(pick(ids(0x14F0, 0x00C9, None, None)), Some(Phoenix));
    }

    #[test]
    fn ch340_and_unknown_devices_are_not_selected() {
        assert_eq!(pick(ids(0x1A86, 0x7523, None, None)), None);
        assert!(vendor_known(0x1A86));
        assert_eq!(pick(ids(0x1234, 0x5678, None, None)), None);
        assert!(!vendor_known(0x1234));
    }

    #[test]
    fn subdriver_override_bypasses_the_table() {
        let d = ids(0x1234, 0x5678, None, None);
        let s = select(d, Some(Gtec), UsbOptions::default()).unwrap();
        assert_eq!(s.subdriver, Gtec);
        let s = select(
            ids(0x0001, 0, None, Some("MEC0003")),
            Some(Snr),
            UsbOptions::default(),
        )
        .unwrap();
        assert_eq!(s.subdriver, Snr);
        assert_eq!(s.options.langid_fix, Some(0x0409));
        let user = UsbOptions {
            langid_fix: Some(0x4095),
            ..UsbOptions::default()
        };
        let s = select(ids(0x0001, 0, None, Some("MEC0003")), None, user).unwrap();
        assert_eq!(s.options.langid_fix, Some(0x4095));
    }

    #[test]
    fn table_has_22_entries_and_snr_is_shadowed() {
        assert_eq!(TABLE.len(), 22);
        assert!(TABLE.iter().any(|e| e.subdriver == Some(Snr)));
        assert_ne!(pick(ids(0x0001, 0, None, Some("MEC0003"))), Some(Snr));
    }
}
