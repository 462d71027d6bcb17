//! NUT's `ups.conf`, read so that a section from an existing NUT install works unchanged
//! (ups.conf(5), nutdrv_qx(8) and blazer(8) option semantics; usb-transports.md §8 for the
//! transport options, qx-protocols.md §2.10, §3.8 and §5 for the protocol options).
//!
//! Two layers: [`parse`] turns the text into [`ConfFile`] (sections of [`Entry`]s, syntax
//! only), then [`ConfFile::ups`] resolves one section into a typed [`UpsConfig`]: the core
//! engine's [`driver::Config`], the USB match criteria and options, the serial `cablepower`.
//! Every error names the file, line and column, and suggests the closest known key or value.
//!
//! Accepted and ignored (a [`Warning`] each): NUT's global directives (`maxretry`, `user`, …)
//! and per-section keys that only matter to NUT's process management or to other USB drivers
//! (`user`, `group`, `sdorder`, `nolock`, `usb_hid_*`, …). Unknown keys are errors, as in
//! `nutdrv_qx`. Differences from NUT, all in the direction of working rather than failing
//! silently:
//!
//! * `langid_fix` is read with or without `0x` (NUT reads `409` as 0x9); a value that does not
//!   parse is an error (NUT logs a notice and runs without the workaround);
//! * `subdriver` does not require `vendorid` / `productid`;
//! * for `blazer_usb` / `blazer_ser`, `ondelay` is in minutes as blazer(8) documents, and is
//!   converted to the seconds the engine uses.

mod error;
mod syntax;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub use error::{ConfigError, ErrorKind, Pos};
pub use syntax::{ConfFile, Entry, Section, parse};

use qxups::driver;
use qxups::number::Decimal;
use qxups::nut::vars::Text;
use qxups::options::{MAX_PRESETS, RuntimeCal};
use qxups::serial::CablePower;
use qxups::usb::{Subdriver, UsbOptions};

/// Where NUT packages put `ups.conf`, most common first.
pub const NUT_CONF_PATHS: [&str; 3] = [
    "/etc/nut/ups.conf",
    "/etc/ups/ups.conf",
    "/usr/local/ups/etc/ups.conf",
];

/// Reads and parses `path`.
pub fn load(path: &Path) -> Result<ConfFile, ConfigError> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::new(&origin, Pos::default(), ErrorKind::Io(e.to_string())))?;
    parse(&text, &origin)
}

/// The first of [`NUT_CONF_PATHS`] that exists.
pub fn default_path() -> Option<PathBuf> {
    NUT_CONF_PATHS
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

/// Every `protocol=` value, in autodetection order.
pub fn protocol_names() -> Vec<&'static str> {
    qxups::dialect::AUTODETECT_ORDER
        .iter()
        .map(|d| d.name)
        .collect()
}

/// The NUT driver a section names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DriverName {
    /// `nutdrv_qx`: USB or serial.
    NutdrvQx,
    /// `blazer_usb`: USB only; `ondelay` in minutes.
    BlazerUsb,
    /// `blazer_ser`: serial only; `ondelay` in minutes.
    BlazerSer,
}

impl DriverName {
    /// The `driver=` value.
    pub const fn name(self) -> &'static str {
        match self {
            Self::NutdrvQx => "nutdrv_qx",
            Self::BlazerUsb => "blazer_usb",
            Self::BlazerSer => "blazer_ser",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        [Self::NutdrvQx, Self::BlazerUsb, Self::BlazerSer]
            .into_iter()
            .find(|d| d.name() == name)
    }

    const fn is_blazer(self) -> bool {
        matches!(self, Self::BlazerUsb | Self::BlazerSer)
    }
}

/// How the device is reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Link {
    /// USB: the device table, narrowed by [`UsbConfig::filter`], picks the device.
    Usb,
    /// A serial port (a tty path).
    Serial(PathBuf),
}

/// A USB match pattern: NUT's extended regular expression, case-insensitive, matching the
/// whole string.
#[derive(Clone, Debug)]
pub struct Pattern {
    source: String,
    regex: regex::Regex,
}

impl Pattern {
    /// Compiles `source` (as written in `ups.conf`).
    pub fn new(source: &str) -> Result<Self, regex::Error> {
        let regex = regex::RegexBuilder::new(&format!("^(?:{source})$"))
            .case_insensitive(true)
            .size_limit(1 << 20)
            .build()?;
        Ok(Self {
            source: source.to_owned(),
            regex,
        })
    }

    /// The pattern as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// True when the pattern matches all of `text`.
    pub fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }

    /// The exact 16-bit ID the pattern names, when it is plain hex (`0001`), for `list`.
    pub fn exact_id(&self) -> Option<u16> {
        let s = self.source.as_str();
        if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u16::from_str_radix(s, 16).ok()
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for Pattern {}

/// What one USB device shows, to match against [`UsbFilter`] (usb-transports.md §2.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UsbIdentity<'a> {
    /// Vendor ID.
    pub vid: u16,
    /// Product ID.
    pub pid: u16,
    /// iManufacturer, when read.
    pub vendor: Option<&'a str>,
    /// iProduct, when read.
    pub product: Option<&'a str>,
    /// iSerialNumber, when read.
    pub serial: Option<&'a str>,
    /// Bus number.
    pub bus: u8,
    /// Device address.
    pub device: u8,
    /// Port number, where known.
    pub busport: Option<u8>,
}

/// The user's USB match criteria (`vendorid`, `productid`, `vendor`, `product`, `serial`,
/// `bus`, `device`, `busport`); an unset criterion matches anything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UsbFilter {
    /// `vendorid`: the 4-digit lowercase hex VID.
    pub vendorid: Option<Pattern>,
    /// `productid`: the 4-digit lowercase hex PID.
    pub productid: Option<Pattern>,
    /// `vendor`: iManufacturer, trimmed; absent matches as empty.
    pub vendor: Option<Pattern>,
    /// `product`: iProduct, likewise.
    pub product: Option<Pattern>,
    /// `serial`: iSerialNumber, likewise.
    pub serial: Option<Pattern>,
    /// `bus`: the 3-digit bus number.
    pub bus: Option<Pattern>,
    /// `device`: the 3-digit device address.
    pub device: Option<Pattern>,
    /// `busport`: the 3-digit port number (a device without one does not match).
    pub busport: Option<Pattern>,
}

impl UsbFilter {
    /// True when no criterion is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Sets the criterion `key` (`vendorid`, `productid`, `vendor`, `product`, `serial`, `bus`,
    /// `device`, `busport`) to the pattern `value`. `Ok(false)`: not a criterion.
    pub fn set(&mut self, key: &str, value: &str) -> Result<bool, regex::Error> {
        let slot = match key {
            "vendorid" => &mut self.vendorid,
            "productid" => &mut self.productid,
            "vendor" => &mut self.vendor,
            "product" => &mut self.product,
            "serial" => &mut self.serial,
            "bus" => &mut self.bus,
            "device" => &mut self.device,
            "busport" => &mut self.busport,
            _ => return Ok(false),
        };
        *slot = Some(Pattern::new(value)?);
        Ok(true)
    }

    /// True when the IDs alone pass (before any string is read).
    pub fn matches_ids(&self, vid: u16, pid: u16) -> bool {
        let ok = |p: &Option<Pattern>, id: u16| {
            p.as_ref().is_none_or(|p| p.is_match(&format!("{id:04x}")))
        };
        ok(&self.vendorid, vid) && ok(&self.productid, pid)
    }

    /// True when `device` passes every criterion that is set.
    pub fn matches(&self, device: &UsbIdentity<'_>) -> bool {
        fn ok(p: &Option<Pattern>, text: &str) -> bool {
            p.as_ref().is_none_or(|p| p.is_match(text))
        }
        let trim = |s: Option<&str>| s.unwrap_or("").trim_matches([' ', '\t', '\n']).to_owned();
        ok(&self.vendorid, &format!("{:04x}", device.vid))
            && ok(&self.productid, &format!("{:04x}", device.pid))
            && ok(&self.vendor, &trim(device.vendor))
            && ok(&self.product, &trim(device.product))
            && ok(&self.serial, &trim(device.serial))
            && ok(&self.bus, &format!("{:03}", device.bus))
            && ok(&self.device, &format!("{:03}", device.device))
            && match (&self.busport, device.busport) {
                (None, _) => true,
                (Some(p), Some(port)) => p.is_match(&format!("{port:03}")),
                (Some(_), None) => false,
            }
    }
}

/// The USB side of a section.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UsbConfig {
    /// Which devices may be used.
    pub filter: UsbFilter,
    /// `subdriver=`: bypasses the device table.
    pub subdriver: Option<Subdriver>,
    /// `langid_fix`, `noscanlangid`, `novendor` as the transports read them (the table adds
    /// what a subdriver needs: `qxups::usb::table::Selection::with_defaults`).
    pub options: UsbOptions,
}

/// Something accepted but worth telling the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The file.
    pub origin: String,
    /// Where.
    pub pos: Pos,
    /// What.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.pos.line == 0 {
            write!(f, "{}: warning: {}", self.origin, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: warning: {}",
                self.origin, self.pos.line, self.pos.column, self.message
            )
        }
    }
}

/// One resolved `ups.conf` section.
#[derive(Clone, Debug)]
pub struct UpsConfig {
    /// The section name (`upsc NAME`).
    pub name: String,
    /// The `driver=` value.
    pub driver: DriverName,
    /// USB or serial.
    pub link: Link,
    /// `desc`.
    pub desc: Option<String>,
    /// USB match criteria and transport options.
    pub usb: UsbConfig,
    /// `cablepower` (serial).
    pub cablepower: CablePower,
    /// The engine's configuration: `protocol`, options, poll intervals, `port`.
    pub engine: driver::Config,
    /// Keys accepted without effect, duplicates, and similar notes.
    pub warnings: Vec<Warning>,
}

impl UpsConfig {
    /// The configuration without a file: `nutdrv_qx`, `port = auto`, every default.
    pub fn auto(name: &str) -> Self {
        let mut engine = driver::Config::default();
        let _ = engine.port.push_str("auto");
        Self {
            name: name.to_owned(),
            driver: DriverName::NutdrvQx,
            link: Link::Usb,
            desc: None,
            usb: UsbConfig::default(),
            cablepower: CablePower::default(),
            engine,
            warnings: Vec::new(),
        }
    }

    /// Resolves a section's entries. `globals` are the entries before the first section (only
    /// `pollinterval` is used from them); `origin` names the file in messages. Entries given
    /// later win, so command-line entries can be appended to a file's.
    pub fn from_entries(
        name: &str,
        origin: &str,
        globals: &[Entry],
        entries: &[Entry],
    ) -> Result<Self, ConfigError> {
        let mut b = Builder::new(name, origin);
        for e in globals {
            b.global(e)?;
        }
        for e in entries {
            b.entry(e)?;
        }
        b.finish()
    }

    /// What the USB adapter opens: this section's filters, `subdriver=` and USB options.
    pub fn usb_criteria(&self) -> crate::usb::Criteria {
        crate::usb::Criteria {
            filter: self.usb.filter.clone(),
            subdriver: self.usb.subdriver,
            options: self.usb.options,
            ..crate::usb::Criteria::default()
        }
    }
}

impl ConfFile {
    /// Resolves the section `name`, or the only section when `name` is `None`.
    pub fn ups(&self, name: Option<&str>) -> Result<UpsConfig, ConfigError> {
        self.ups_with(name, &[])
    }

    /// Like [`ConfFile::ups`], with `extra` entries applied after the section's (a command
    /// line's `-x key=value`).
    pub fn ups_with(&self, name: Option<&str>, extra: &[Entry]) -> Result<UpsConfig, ConfigError> {
        let names = || self.sections.iter().map(|s| s.name.clone()).collect();
        let section = match name {
            Some(n) => self.sections.iter().find(|s| s.name == n).ok_or_else(|| {
                self.error(
                    Pos::default(),
                    ErrorKind::SectionNotFound {
                        name: n.to_owned(),
                        available: names(),
                    },
                )
            })?,
            None => match self.sections.as_slice() {
                [] => return Err(self.error(Pos::default(), ErrorKind::NoSection)),
                [only] => only,
                _ => {
                    return Err(self.error(Pos::default(), ErrorKind::AmbiguousSection(names())));
                }
            },
        };
        let mut entries = section.entries.clone();
        entries.extend_from_slice(extra);
        let mut b = Builder::new(&section.name, &self.origin);
        b.section_pos = section.pos;
        for e in &self.globals {
            b.global(e)?;
        }
        for e in &entries {
            b.entry(e)?;
        }
        b.finish()
    }

    fn error(&self, pos: Pos, kind: ErrorKind) -> ConfigError {
        ConfigError::new(&self.origin, pos, kind)
    }
}

/// Global directives of ups.conf(5); only `pollinterval` means something here.
const GLOBAL_KEYS: &[&str] = &[
    "chroot",
    "driverpath",
    "maxstartdelay",
    "maxretry",
    "retrydelay",
    "nowait",
    "pollinterval",
    "synchronous",
    "user",
    "group",
    "debug_min",
    "LIBUSB_DEBUG",
];

/// Section keys read here.
const SECTION_KEYS: &[&str] = &[
    "driver",
    "port",
    "desc",
    "vendorid",
    "productid",
    "vendor",
    "product",
    "serial",
    "bus",
    "device",
    "busport",
    "subdriver",
    "protocol",
    "langid_fix",
    "noscanlangid",
    "novendor",
    "norating",
    "ignoresab",
    "nooutstats",
    "battery_voltage_reports_one_pack",
    "pollinterval",
    "pollfreq",
    "runtimecal",
    "chargetime",
    "idleload",
    "ondelay",
    "offdelay",
    "stayoff",
    "cablepower",
    "pins_shutdown_mode",
    "slave_address",
    "slave_addr",
];

/// Section keys of NUT's driver core or of its USB layer that change nothing here.
const IGNORED_KEYS: &[(&str, &str)] = &[
    ("user", "qxups runs as the user that starts it"),
    ("group", "qxups runs as the user that starts it"),
    ("sdorder", "upsdrvctl's shutdown order"),
    ("nolock", "qxups does not lock serial ports"),
    ("maxstartdelay", "upsdrvctl's start timeout"),
    ("synchronous", "upsd socket mode"),
    ("debug_min", "use -v / -vv"),
    ("ignorelb", "not supported; LB comes from the device"),
    ("allow_duplicates", "the first matching device is used"),
    ("usb_set_altinterface", "no SET_INTERFACE is sent"),
    ("usb_config_index", "no effect on Q* transports"),
    ("usb_hid_rep_index", "interface 0 is used"),
    ("usb_hid_desc_index", "no effect on Q* transports"),
    ("usb_hid_ep_in", "Q* endpoints are fixed"),
    ("usb_hid_ep_out", "Q* endpoints are fixed"),
    ("LIBUSB_DEBUG", "use -vv"),
];

const VALUE_MAX: usize = 96;

/// Leaks each distinct preset name once: the engine keeps `&'static str` names, and a
/// configuration is read a handful of times per process.
fn intern(name: &str) -> &'static str {
    static NAMES: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let mut names = NAMES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(n) = names.iter().find(|n| **n == name) {
        return n;
    }
    let leaked: &'static str = Box::leak(name.to_owned().into_boxed_str());
    names.push(leaked);
    leaked
}

struct Builder {
    name: String,
    origin: String,
    section_pos: Pos,
    driver: Option<(DriverName, Pos)>,
    port: Option<(String, Pos)>,
    /// A key that selects USB mode was given (usb-transports.md §8), and where.
    usb_key: Option<(&'static str, Pos)>,
    /// `ondelay` as written and where, converted once the driver is known.
    ondelay: Option<(i64, Pos)>,
    global_pollinterval: Option<u32>,
    pollinterval: Option<u32>,
    seen: Vec<(String, Pos)>,
    out: UpsConfig,
}

impl Builder {
    fn new(name: &str, origin: &str) -> Self {
        let mut out = UpsConfig::auto(name);
        out.engine.port = Text::new();
        Self {
            name: name.to_owned(),
            origin: origin.to_owned(),
            section_pos: Pos::default(),
            driver: None,
            port: None,
            usb_key: None,
            ondelay: None,
            global_pollinterval: None,
            pollinterval: None,
            seen: Vec::new(),
            out,
        }
    }

    fn err(&self, pos: Pos, kind: ErrorKind) -> ConfigError {
        ConfigError::new(&self.origin, pos, kind)
    }

    fn warn(&mut self, pos: Pos, message: String) {
        self.out.warnings.push(Warning {
            origin: self.origin.clone(),
            pos,
            message,
        });
    }

    fn bad(&self, e: &Entry, expected: impl Into<String>) -> ConfigError {
        self.err(
            e.value_pos,
            ErrorKind::BadValue {
                key: e.key.clone(),
                value: e.value.clone().unwrap_or_default(),
                expected: expected.into(),
            },
        )
    }

    fn value<'e>(&self, e: &'e Entry) -> Result<&'e str, ConfigError> {
        e.value
            .as_deref()
            .ok_or_else(|| self.err(e.pos, ErrorKind::MissingValue(e.key.clone())))
    }

    /// A flag: bare, or with a yes/no value.
    fn flag(&self, e: &Entry) -> Result<bool, ConfigError> {
        let Some(v) = e.value.as_deref() else {
            return Ok(true);
        };
        match v.to_ascii_lowercase().as_str() {
            "" | "yes" | "true" | "on" | "1" => Ok(true),
            "no" | "false" | "off" | "0" => Ok(false),
            _ => Err(self.bad(e, "a flag: write it alone, or `= yes` / `= no`")),
        }
    }

    fn integer(&self, e: &Entry, min: i64, max: i64) -> Result<i64, ConfigError> {
        let v = self.value(e)?.trim();
        let n = if v.bytes().all(|b| b.is_ascii_digit())
            || v.strip_prefix('-')
                .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
        {
            v.parse::<i64>().ok()
        } else {
            None
        };
        n.filter(|n| (min..=max).contains(n))
            .ok_or_else(|| self.bad(e, format!("an integer from {min} to {max}")))
    }

    fn pattern(&mut self, e: &Entry) -> Result<Pattern, ConfigError> {
        let v = self.value(e)?;
        Pattern::new(v).map_err(|re| {
            self.bad(
                e,
                format!(
                    "a regular expression: {}",
                    re.to_string().lines().last().unwrap_or("invalid")
                ),
            )
        })
    }

    fn global(&mut self, e: &Entry) -> Result<(), ConfigError> {
        if e.key == "pollinterval" {
            let s = self.integer(e, 1, 86_400)?;
            self.global_pollinterval = u32::try_from(s).ok();
            return Ok(());
        }
        if GLOBAL_KEYS.contains(&e.key.as_str()) {
            return Ok(());
        }
        Err(self.err(
            e.pos,
            ErrorKind::UnknownKey {
                key: e.key.clone(),
                suggestion: error::closest(&e.key, GLOBAL_KEYS.iter().copied()),
                global: true,
            },
        ))
    }

    fn entry(&mut self, e: &Entry) -> Result<(), ConfigError> {
        if e.joined_words {
            self.warn(
                e.value_pos,
                format!(
                    "`{}`: several unquoted words, read as one value; quote it",
                    e.key
                ),
            );
        }
        if let Some(name) = e.key.strip_prefix("default.") {
            return self.preset(e, name, false);
        }
        if let Some(name) = e.key.strip_prefix("override.") {
            return self.preset(e, name, true);
        }
        if let Some((_, why)) = IGNORED_KEYS.iter().find(|(k, _)| *k == e.key) {
            self.warn(e.pos, format!("`{}` is ignored: {why}", e.key));
            return Ok(());
        }
        if !SECTION_KEYS.contains(&e.key.as_str()) {
            let known = SECTION_KEYS
                .iter()
                .chain(IGNORED_KEYS.iter().map(|(k, _)| k))
                .copied();
            return Err(self.err(
                e.pos,
                ErrorKind::UnknownKey {
                    key: e.key.clone(),
                    suggestion: error::closest(&e.key, known),
                    global: false,
                },
            ));
        }
        if let Some((_, first)) = self.seen.iter().find(|(k, _)| *k == e.key) {
            let first = *first;
            self.warn(
                e.pos,
                format!(
                    "`{}` given again (first at line {}); the last one counts",
                    e.key, first.line
                ),
            );
        } else {
            self.seen.push((e.key.clone(), e.pos));
        }
        self.known(e)
    }

    fn known(&mut self, e: &Entry) -> Result<(), ConfigError> {
        if let Some(set) = flag_setter(&e.key) {
            let on = self.flag(e)?;
            set(&mut self.out, on);
            return Ok(());
        }
        match e.key.as_str() {
            "driver" => {
                let v = self.value(e)?;
                let d = DriverName::from_name(v).ok_or_else(|| {
                    self.err(e.value_pos, ErrorKind::UnsupportedDriver(v.to_owned()))
                })?;
                self.driver = Some((d, e.pos));
                self.out.driver = d;
            }
            "port" => {
                let v = self.value(e)?;
                if v.is_empty() {
                    return Err(self.bad(e, "`auto` or a serial device path"));
                }
                let mut text = Text::new();
                text.push_str(v)
                    .map_err(|_| self.bad(e, format!("at most {VALUE_MAX} bytes")))?;
                self.out.engine.port = text;
                self.port = Some((v.to_owned(), e.value_pos));
            }
            "desc" => self.out.desc = Some(self.value(e)?.to_owned()),
            "vendorid" | "productid" | "vendor" | "product" | "serial" | "bus" | "device"
            | "busport" => {
                let p = self.pattern(e)?;
                let f = &mut self.out.usb.filter;
                let (slot, selects_usb) = match e.key.as_str() {
                    "vendorid" => (&mut f.vendorid, Some("vendorid")),
                    "productid" => (&mut f.productid, Some("productid")),
                    "vendor" => (&mut f.vendor, Some("vendor")),
                    "product" => (&mut f.product, Some("product")),
                    "serial" => (&mut f.serial, Some("serial")),
                    "bus" => (&mut f.bus, Some("bus")),
                    "device" => (&mut f.device, None),
                    _ => (&mut f.busport, None),
                };
                *slot = Some(p);
                if let Some(k) = selects_usb {
                    self.usb_key.get_or_insert((k, e.pos));
                }
            }
            "subdriver" => {
                let v = self.value(e)?;
                let s = Subdriver::from_name(v.trim()).ok_or_else(|| {
                    self.err(
                        e.value_pos,
                        ErrorKind::UnknownSubdriver {
                            value: v.to_owned(),
                            suggestion: error::closest(v, Subdriver::ALL.map(Subdriver::name)),
                        },
                    )
                })?;
                self.out.usb.subdriver = Some(s);
                self.usb_key.get_or_insert(("subdriver", e.pos));
            }
            "langid_fix" => {
                let v = self.value(e)?;
                let id = qxups::usb::parse_langid_fix(v)
                    .ok_or_else(|| self.bad(e, "a USB language ID in hex, e.g. 0x0409"))?;
                self.out.usb.options.langid_fix = Some(id);
                self.usb_key.get_or_insert(("langid_fix", e.pos));
            }
            "protocol" => {
                let v = self.value(e)?;
                let d = qxups::dialect::by_name(v.trim()).ok_or_else(|| {
                    self.err(
                        e.value_pos,
                        ErrorKind::UnknownProtocol {
                            value: v.to_owned(),
                            suggestion: error::closest(v, protocol_names()),
                        },
                    )
                })?;
                self.out.engine.protocol = Some(d);
            }
            "pollinterval" => {
                let s = self.integer(e, 1, 86_400)?;
                self.pollinterval = u32::try_from(s).ok();
            }
            "pollfreq" => {
                let s = self.integer(e, 1, 86_400)?;
                let ms = u32::try_from(s).ok().and_then(|s| s.checked_mul(1000));
                self.out.engine.poll_freq_ms = ms.unwrap_or(driver::POLL_FREQ_MS);
            }
            "runtimecal" => {
                let v = self.value(e)?;
                let cal = runtimecal(v).map_err(|why| self.bad(e, why))?;
                self.out.engine.options.runtimecal = Some(cal);
            }
            "chargetime" => {
                let s = self.integer(e, 1, i64::from(u32::MAX))?;
                self.out.engine.options.chargetime = u32::try_from(s).ok();
            }
            "idleload" => {
                let s = self.integer(e, 1, 100)?;
                self.out.engine.options.idleload = u8::try_from(s).ok();
            }
            "ondelay" => {
                let s = self.integer(e, 0, 599_940)?;
                self.ondelay = Some((s, e.value_pos));
            }
            "offdelay" => {
                let s = self.integer(e, 0, 599_940)?;
                self.out.engine.options.offdelay = Some(s);
            }
            "cablepower" => {
                let v = self.value(e)?;
                self.out.cablepower = v
                    .trim()
                    .parse()
                    .map_err(|_| self.bad(e, "normal, reverse, both or none"))?;
            }
            "pins_shutdown_mode" => {
                let s = self.integer(e, 0, 6)?;
                self.out.engine.options.pins_shutdown_mode = u8::try_from(s).ok();
            }
            // ups.conf(5) of masterguard calls it `slave_addr`; NUT reads `slave_address`.
            "slave_address" | "slave_addr" => {
                let s = self.integer(e, 0, 99)?;
                self.out.engine.options.slave_address = u8::try_from(s).ok();
            }
            _ => {}
        }
        Ok(())
    }

    fn preset(&mut self, e: &Entry, name: &str, over: bool) -> Result<(), ConfigError> {
        let kind = if over { "override" } else { "default" };
        let valid = !name.is_empty()
            && !name.starts_with('.')
            && !name.ends_with('.')
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if !valid {
            return Err(self.err(
                e.pos,
                ErrorKind::BadValue {
                    key: e.key.clone(),
                    value: name.to_owned(),
                    expected: format!(
                        "`{kind}.` and a NUT variable name, e.g. {kind}.battery.voltage.nominal"
                    ),
                },
            ));
        }
        let v = self.value(e)?;
        let mut text = Text::new();
        text.push_str(v)
            .map_err(|_| self.bad(e, format!("at most {VALUE_MAX} bytes")))?;
        let name = intern(name);
        let options = &mut self.out.engine.options;
        let list = if over {
            &mut options.overrides
        } else {
            &mut options.defaults
        };
        if let Some(slot) = list.iter_mut().find(|(n, _)| *n == name) {
            slot.1 = text;
            self.warn(
                e.pos,
                format!("`{}` given again; the last one counts", e.key),
            );
            return Ok(());
        }
        list.push((name, text)).map_err(|_| {
            self.err(
                e.pos,
                ErrorKind::TooManyPresets {
                    kind,
                    max: MAX_PRESETS,
                },
            )
        })
    }

    fn finish(mut self) -> Result<UpsConfig, ConfigError> {
        let Some((driver, _)) = self.driver else {
            return Err(self.err(
                self.section_pos,
                ErrorKind::MissingKey {
                    section: self.name.clone(),
                    key: "driver",
                },
            ));
        };
        let Some((port, port_pos)) = self.port.clone() else {
            return Err(self.err(
                self.section_pos,
                ErrorKind::MissingKey {
                    section: self.name.clone(),
                    key: "port",
                },
            ));
        };
        let auto = port.eq_ignore_ascii_case("auto");
        self.out.link = match driver {
            DriverName::BlazerSer => {
                if auto {
                    return Err(self.err(
                        port_pos,
                        ErrorKind::Conflict(
                            "blazer_ser needs a serial port path, not `auto` (use nutdrv_qx or \
                             blazer_usb for USB)"
                                .to_owned(),
                        ),
                    ));
                }
                if let Some((key, pos)) = self.usb_key {
                    return Err(self.err(
                        pos,
                        ErrorKind::Conflict(format!(
                            "`{key}` is a USB option; blazer_ser is serial only"
                        )),
                    ));
                }
                Link::Serial(PathBuf::from(&port))
            }
            DriverName::BlazerUsb => Link::Usb,
            DriverName::NutdrvQx if auto || self.usb_key.is_some() => Link::Usb,
            DriverName::NutdrvQx => Link::Serial(PathBuf::from(&port)),
        };
        if self.out.link == Link::Usb && !auto {
            let why = match self.usb_key {
                Some((key, _)) => format!("`{key}` selects USB"),
                None => format!("{} is USB only", driver.name()),
            };
            self.warn(port_pos, format!("port `{port}` is ignored: {why}"));
        }
        if let Some((minutes_or_seconds, pos)) = self.ondelay {
            let seconds = if driver.is_blazer() {
                // blazer(8): ondelay is in minutes, 0..9999.
                if minutes_or_seconds > 9999 {
                    return Err(self.err(
                        pos,
                        ErrorKind::BadValue {
                            key: "ondelay".into(),
                            value: minutes_or_seconds.to_string(),
                            expected: format!("minutes from 0 to 9999 for {}", driver.name()),
                        },
                    ));
                }
                minutes_or_seconds.saturating_mul(60)
            } else {
                minutes_or_seconds
            };
            self.out.engine.options.ondelay = Some(seconds);
        }
        if let Some(s) = self.pollinterval.or(self.global_pollinterval) {
            self.out.engine.poll_interval_ms = s.saturating_mul(1000);
        }
        Ok(self.out)
    }
}

/// The flags, and what each sets.
fn flag_setter(key: &str) -> Option<fn(&mut UpsConfig, bool)> {
    Some(match key {
        "novendor" => |c, on| {
            c.engine.options.novendor = on;
            c.usb.options.novendor = on;
        },
        "norating" => |c, on| c.engine.options.norating = on,
        "ignoresab" => |c, on| c.engine.options.ignoresab = on,
        "nooutstats" => |c, on| c.engine.options.nooutstats = on,
        "battery_voltage_reports_one_pack" => {
            |c, on| c.engine.options.battery_voltage_reports_one_pack = on
        }
        "stayoff" => |c, on| c.engine.options.stayoff = on,
        "noscanlangid" => |c, on| c.usb.options.noscanlangid = on,
        _ => return None,
    })
}

/// `runtimecal = rh,lh,rl,ll` with the rules of qx-protocols.md §2.10 step 5.3.
fn runtimecal(text: &str) -> Result<RuntimeCal, String> {
    const SHAPE: &str =
        "four numbers `rh,lh,rl,ll`: runtime (s) at high load (%), runtime at low load";
    let numbers: Vec<&str> = text.split(',').map(str::trim).collect();
    let [rh, lh, rl, ll] = numbers.as_slice() else {
        return Err(SHAPE.to_owned());
    };
    let number = |t: &str| -> Result<Decimal, String> {
        let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let plain = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int.len().saturating_add(frac.len()) == 0 || !plain(int) || !plain(frac) {
            return Err(format!("{SHAPE}; `{t}` is not a number"));
        }
        Decimal::parse_prefix(t.as_bytes()).map_err(|e| format!("`{t}`: {e}"))
    };
    let cal = RuntimeCal {
        runtime_high: number(rh)?,
        load_high: number(lh)?,
        runtime_low: number(rl)?,
        load_low: number(ll)?,
    };
    let (rh, lh, rl, ll) = (
        cal.runtime_high.ratio(),
        cal.load_high.ratio(),
        cal.runtime_low.ratio(),
        cal.load_low.ratio(),
    );
    let hundred = qxups::number::Ratio::int(100);
    if !rh.is_positive() {
        return Err("the runtime at high load must be above 0".into());
    }
    if rl.cmp_to(rh).is_lt() {
        return Err("the runtime at low load must be at least the runtime at high load".into());
    }
    if lh.cmp_to(hundred).is_gt() {
        return Err("the high load must be at most 100 %".into());
    }
    if !ll.is_positive() {
        return Err("the low load must be above 0".into());
    }
    if ll.cmp_to(lh).is_gt() {
        return Err("the low load must be at most the high load".into());
    }
    Ok(cal)
}

#[cfg(test)]
mod tests;
