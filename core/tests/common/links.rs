//! The links end to end against the virtual UPS, as `Result`s so that both the host tests
//! (`tests/usb_virtual.rs`, `tests/virtual_ups.rs`) and the QEMU test binary
//! (`core/qemu-tests`, which includes this file by path) run them: [`UsbTransport`] over
//! [`VirtualUsb`] for every USB subdriver, and [`SerialLink`] over the virtual UPS's serial
//! face for every dialect. `no_std` with `alloc`; its parent module must have `script`
//! (`common/script.rs`) beside it.

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::script::block_on;
use embedded_io_async::{Read, ReadReady, Write};
use qxups::dialect::Dialect;
use qxups::serial::SerialLink;
use qxups::usb::{DelayNs, Subdriver, UsbOptions, UsbTransport, table};
use qxups::virtual_ups::{VirtualUps, VirtualUsb};
use qxups::{Options, Poll, Ups, detect};

/// A delay that only counts (the virtual UPS answers at once).
#[derive(Clone, Copy, Debug, Default)]
pub struct Clock(pub u64);
impl DelayNs for Clock {
    async fn delay_ns(&mut self, ns: u32) {
        self.0 += u64::from(ns);
    }
}

/// A value the driver published, or which one is missing.
pub fn value<'a>(ups: &'a Ups, name: &str) -> Result<&'a str, String> {
    ups.vars()
        .get(name)
        .ok_or_else(|| format!("{}: {name} not published", ups.dialect().name))
}

/// `Err(report)` unless `ok`.
pub fn ensure(ok: bool, report: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(report()) }
}

/// A USB subdriver's transport over the virtual device.
pub type Link = UsbTransport<VirtualUsb, Clock>;

/// The transport the device table (or `subdriver=` for gtec and snr) picks for `device`, and
/// the driver options that selection brings.
pub fn link(device: VirtualUsb, user: UsbOptions) -> Result<(Link, Options), String> {
    let sd = device.subdriver();
    let ids = device.identity().device_ids();
    let forced = matches!(sd, Subdriver::Gtec | Subdriver::Snr).then_some(sd);
    let sel = table::select(ids, forced, user).ok_or_else(|| format!("{sd}: not selected"))?;
    ensure(sel.subdriver == sd, || {
        format!("{sd}: table picked {}", sel.subdriver)
    })?;
    let mut options = Options::new();
    sel.apply(ids, &mut options);
    let mut t = UsbTransport::new(sd, device, Clock::default(), sel.options);
    block_on(t.start()).map_err(|e| format!("{sd}: start: {e}"))?;
    Ok((t, options))
}

/// One way of running a device: its subdriver, the user's transport options, armac's
/// interrupt endpoints, and the dialect autodetection must find.
#[derive(Clone, Copy, Debug)]
pub struct Setup {
    pub sd: Subdriver,
    pub user: UsbOptions,
    pub armac_interrupt: bool,
    pub dialect: &'static str,
}

pub const fn setup(sd: Subdriver, dialect: &'static str) -> Setup {
    Setup {
        sd,
        user: UsbOptions {
            langid_fix: None,
            noscanlangid: false,
            novendor: false,
        },
        armac_interrupt: false,
        dialect,
    }
}

/// Every subdriver once, plus krauler's raw mode (`langid_fix`) and armac's interrupt mode.
pub fn setups() -> Vec<Setup> {
    let mut all: Vec<Setup> = Subdriver::ALL
        .into_iter()
        .map(|sd| {
            let dialect = match sd {
                Subdriver::Hunnox => "hunnox",
                Subdriver::Gtec => "gtec",
                Subdriver::Ablerex => "ablerex",
                Subdriver::Omron => "omron",
                _ => "megatec",
            };
            setup(sd, dialect)
        })
        .collect();
    let mut raw = setup(Subdriver::Krauler, "megatec");
    raw.user.langid_fix = Some(0x4095);
    all.push(raw);
    let mut interrupt = setup(Subdriver::Armac, "megatec");
    interrupt.armac_interrupt = true;
    all.push(interrupt);
    all
}

/// The virtual device of a setup.
pub fn device(s: &Setup) -> VirtualUsb {
    let mut d = VirtualUsb::for_subdriver(s.sd);
    d.set_armac_interrupt(s.armac_interrupt);
    d
}

/// Autodetected, initialised and one full update done.
pub fn running(s: &Setup) -> Result<(Ups, Link), String> {
    let (mut t, o) = link(device(s), s.user)?;
    let mut ups = block_on(detect(&mut t, None, &o)).map_err(|e| format!("{s:?}: {e}"))?;
    ensure(ups.dialect().name == s.dialect, || {
        format!("{s:?}: detected {}", ups.dialect().name)
    })?;
    block_on(ups.init(&mut t, 0)).map_err(|e| format!("{s:?}: init: {e}"))?;
    block_on(ups.update(&mut t, Poll::Full, 2000)).map_err(|e| format!("{s:?}: {e}"))?;
    Ok((ups, t))
}

/// A Q1 exchange end to end: the virtual state is published, new values reach the driver
/// through the USB framing at the next update, and a power failure turns `OL` into `OB`.
pub fn q1_exchange(s: &Setup) -> Result<(), String> {
    let (mut ups, mut t) = running(s)?;
    let is = |ups: &Ups, name: &str, want: &str| -> Result<(), String> {
        let got = value(ups, name)?;
        ensure(got == want, || {
            format!("{s:?}: {name} = {got:?}, not {want:?}")
        })
    };
    is(&ups, "input.voltage", "215.0")?;
    is(&ups, "ups.temperature", "30.0")?;
    let status = value(&ups, "ups.status")?;
    ensure(status.contains("OL"), || format!("{s:?}: status {status}"))?;
    let state = &mut t.host_mut().ups_mut().state;
    state.input_voltage = 2234;
    state.temperature = 412;
    block_on(ups.update(&mut t, Poll::Full, 4000)).map_err(|e| format!("{s:?}: {e}"))?;
    is(&ups, "input.voltage", "223.4")?;
    is(&ups, "ups.temperature", "41.2")?;
    t.host_mut().ups_mut().state.power_fail();
    block_on(ups.update(&mut t, Poll::Full, 6000)).map_err(|e| format!("{s:?}: {e}"))?;
    let status = value(&ups, "ups.status")?;
    ensure(status.contains("OB") && !status.contains("OL"), || {
        format!("{s:?}: {status}")
    })
}

/// The driver options a virtual UPS needs (the USB vendor of the two dialects that cannot be
/// told apart by their answers).
pub fn options_for(v: &VirtualUps) -> Options {
    let mut o = Options::new();
    o.usb_vendor = v.personality().usb_vendor();
    o
}

/// Dialects whose table is still a stub in this tree (claim on an item that does not exist):
/// they cannot claim anything yet, whatever the device answers.
pub fn is_stub(d: &Dialect) -> bool {
    d.claim.items == ["never"]
}

/// The input voltage variable of a dialect (three-phase ones publish per phase).
pub fn input_voltage_var(ups: &Ups) -> &'static str {
    if ups.vars().contains("input.L1-N.voltage") {
        "input.L1-N.voltage"
    } else {
        "input.voltage"
    }
}

/// `d` over the serial link, the virtual UPS being the far end of the line: its answers
/// survive the line discipline (CR-terminated, one line per command) through detection,
/// initialisation and a full update.
pub fn over_serial(d: &'static Dialect) -> Result<(), String> {
    over_serial_via(d, |v| v)
}

/// [`over_serial`] through the port `port` makes of the virtual UPS (one that splits or delays
/// its bytes, say).
pub fn over_serial_via<P: Read + Write + ReadReady>(
    d: &'static Dialect,
    port: impl FnOnce(VirtualUps) -> P,
) -> Result<(), String> {
    let v = VirtualUps::for_dialect(d).ok_or_else(|| format!("{}: no virtual UPS", d.name))?;
    let o = options_for(&v);
    let mut link = SerialLink::new(port(v), Clock::default());
    let mut ups = block_on(detect(&mut link, None, &o)).map_err(|e| format!("{}: {e}", d.name))?;
    ensure(ups.dialect().name == d.name, || {
        format!("{}: detected {}", d.name, ups.dialect().name)
    })?;
    block_on(ups.init(&mut link, 0)).map_err(|e| format!("{}: init: {e}", d.name))?;
    block_on(ups.update(&mut link, Poll::Full, 2000)).map_err(|e| format!("{}: {e}", d.name))?;
    let var = input_voltage_var(&ups);
    let got = value(&ups, var)?;
    ensure(got == "215.0", || format!("{}: {var} = {got:?}", d.name))
}
