//! The RP2040's native USB port in host mode: cotton-usb-host's [`UsbBus`] behind the core's
//! [`UsbHost`] trait ([`CottonHost`]), and the USB task that follows cotton's hot-plug events
//! and drives the [`Bridge`].
//!
//! What the adapter does for the core's transfer contract:
//!
//! * control transfers run inside `embassy_time::with_timeout` (cotton retries NAKs without a
//!   deadline); a reply buffer shorter than `wLength` is read through a scratch buffer, since
//!   cotton refuses buffers smaller than `wLength`;
//! * interrupt IN goes through ONE cotton interrupt pipe per device, kept alive for as long as
//!   the device is attached, so the DATA0/DATA1 toggle stays in step; a read collects packets
//!   until a short one, a full buffer or the deadline (a deadline after part of the data is a
//!   timeout, as rusb reports it). After a CLEAR_FEATURE(ENDPOINT_HALT) of that endpoint (the
//!   core's stall recovery) the device starts again at DATA0, so the pipe is opened anew, as
//!   libusb resets its toggle;
//! * interrupt OUT does not exist in cotton-usb-host 0.3: [`UsbError::Unsupported`] (the
//!   bridge refuses the transports that need it before they run, [`Capabilities`]).
//!
//! Unchecked without hardware: what cotton does with a transfer whose future is dropped at the
//! deadline (the pipe is released and the next SETUP rewrites the endpoint control).

use core::pin::{Pin, pin};
use core::sync::atomic::{AtomicU8, Ordering};

use cotton_usb_host::host::rp2040::{Rp2040HostController, UsbShared, UsbStatics};
use cotton_usb_host::host_controller::{DataPhase, InterruptPacket, UsbError as CottonError};
use cotton_usb_host::usb_bus::{DeviceEvent, DeviceInfo, UnconfiguredDevice, UsbBus, UsbDevice};
use cotton_usb_host::wire::SetupPacket;
use defmt::{Debug2Format, Display2Format, info, warn};
use embassy_futures::select::{Either, select};
// The cortex-m-rt attribute, re-exported next to the interrupt names it checks against.
use embassy_rp::interrupt;
use embassy_time::{Delay, Duration, Instant, Timer, with_deadline, with_timeout};
use futures::{Stream, StreamExt};
use qxups::driver::Event;
use qxups::usb::{EP_IN, Setup, UsbError, UsbHost};
use qxups_bridge::identify::interrupt_endpoint;
use qxups_bridge::transfer::{Collected, collect_packet};
use qxups_bridge::{Bridge, Capabilities, Refusal, Settings, SharedUps};
use static_cell::ConstStaticCell;

type Bus = UsbBus<Rp2040HostController>;

/// Interrupt-to-task state cotton shares with its IRQ handler.
static USB_SHARED: UsbShared = UsbShared::new();
/// cotton's pipe pools.
static USB_STATICS: ConstStaticCell<UsbStatics> = ConstStaticCell::new(UsbStatics::new());

#[interrupt]
fn USBCTRL_IRQ() {
    USB_SHARED.on_irq();
}

/// The largest control IN reply read through the scratch buffer (hunnox's preamble asks for
/// 1026 bytes; NUT's buffer is 1030).
const SCRATCH: usize = 1030;
/// The configuration value every Q* UPS uses.
const CONFIGURATION: u8 = 1;
/// Interrupt IN packet size and interval when the configuration descriptor does not say
/// (a low-speed HID UPS: 8 bytes, 10 ms).
const DEFAULT_IN_PACKET: u16 = 8;
const DEFAULT_IN_INTERVAL_MS: u8 = 10;

fn usb_error(e: CottonError) -> UsbError {
    match e {
        CottonError::Stall => UsbError::Stall,
        CottonError::Timeout => UsbError::Timeout,
        CottonError::Overflow | CottonError::BufferTooSmall => UsbError::Overflow,
        CottonError::NoSuchEndpoint => UsbError::Unsupported,
        _ => UsbError::Io,
    }
}

fn setup_packet(s: Setup) -> SetupPacket {
    SetupPacket {
        bmRequestType: s.request_type,
        bRequest: s.request,
        wValue: s.value,
        wIndex: s.index,
        wLength: s.length,
    }
}

/// The core's [`UsbHost`] over one configured cotton device.
pub struct CottonHost<'a, S, F> {
    bus: &'a Bus,
    device: &'a UsbDevice,
    /// Opens the interrupt IN pipe of [`EP_IN`].
    open_in: &'a F,
    /// That pipe, kept for as long as the device is attached.
    interrupt_in: Pin<&'a mut S>,
    in_packet: usize,
}

impl<'a, S: Stream<Item = InterruptPacket>, F: Fn() -> S> CottonHost<'a, S, F> {
    fn new(
        bus: &'a Bus,
        device: &'a UsbDevice,
        open_in: &'a F,
        interrupt_in: Pin<&'a mut S>,
        in_packet: u16,
    ) -> Self {
        Self {
            bus,
            device,
            open_in,
            interrupt_in,
            in_packet: usize::from(in_packet.max(1)),
        }
    }

    async fn control(
        &self,
        setup: Setup,
        phase: DataPhase<'_>,
        timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        let transfer = self
            .bus
            .control_transfer(self.device, setup_packet(setup), phase);
        match with_timeout(Duration::from_millis(u64::from(timeout_ms)), transfer).await {
            Ok(result) => result.map_err(usb_error),
            Err(_) => Err(UsbError::Timeout),
        }
    }
}

impl<S: Stream<Item = InterruptPacket>, F: Fn() -> S> UsbHost for CottonHost<'_, S, F> {
    async fn control_in(
        &mut self,
        setup: Setup,
        buf: &mut [u8],
        timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        let wanted = usize::from(setup.length);
        if buf.len() >= wanted {
            return self.control(setup, DataPhase::In(buf), timeout_ms).await;
        }
        // The core may ask for more than it keeps (the rest is dropped, as with libusb).
        let mut scratch = [0u8; SCRATCH];
        let room = scratch.get_mut(..wanted).ok_or(UsbError::Overflow)?;
        let n = self.control(setup, DataPhase::In(room), timeout_ms).await?;
        let kept = n.min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..kept), scratch.get(..kept)) {
            dst.copy_from_slice(src);
        }
        Ok(kept)
    }

    async fn control_out(
        &mut self,
        setup: Setup,
        data: &[u8],
        timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        let phase = if data.is_empty() {
            DataPhase::None
        } else {
            DataPhase::Out(data)
        };
        self.control(setup, phase, timeout_ms).await?;
        if setup == Setup::clear_halt(EP_IN) {
            // The device's toggle is back at DATA0; a new pipe starts there too.
            self.interrupt_in.set((self.open_in)());
        }
        Ok(data.len())
    }

    async fn interrupt_in(
        &mut self,
        endpoint: u8,
        buf: &mut [u8],
        timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        if endpoint != EP_IN {
            return Err(UsbError::Unsupported);
        }
        let deadline = Instant::now() + Duration::from_millis(u64::from(timeout_ms));
        let mut got = 0;
        loop {
            let packet = match with_deadline(deadline, self.interrupt_in.next()).await {
                Ok(Some(p)) => p,
                Ok(None) => return Err(UsbError::Io),
                Err(_) => return Err(UsbError::Timeout),
            };
            let data = packet
                .data
                .get(..usize::from(packet.size))
                .ok_or(UsbError::Overflow)?;
            match collect_packet(buf, got, data, self.in_packet)? {
                Collected::More(n) => got = n,
                Collected::Done(n) => return Ok(n),
            }
        }
    }

    async fn interrupt_out(
        &mut self,
        _endpoint: u8,
        _data: &[u8],
        _timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        // cotton-usb-host 0.3 has no interrupt OUT transfers.
        Err(UsbError::Unsupported)
    }
}

/// Reads the configuration descriptor for the interrupt IN endpoint's packet size and interval.
async fn in_endpoint(bus: &Bus, device: &UsbDevice) -> (u16, u8) {
    let mut config = [0u8; 256];
    let setup = Setup::get_config(config.len() as u16);
    let read = with_timeout(
        Duration::from_millis(1000),
        bus.control_transfer(device, setup_packet(setup), DataPhase::In(&mut config)),
    )
    .await;
    match read {
        Ok(Ok(n)) => interrupt_endpoint(config.get(..n).unwrap_or(&[]), EP_IN)
            .map_or((DEFAULT_IN_PACKET, DEFAULT_IN_INTERVAL_MS), |e| {
                (e.max_packet, e.interval.max(1))
            }),
        _ => (DEFAULT_IN_PACKET, DEFAULT_IN_INTERVAL_MS),
    }
}

fn publish_led(bridge: &Bridge, led: &AtomicU8) {
    led.store(bridge.led().to_u8(), Ordering::Relaxed);
}

fn log_event(event: &Event) {
    match event {
        Event::Updated { .. } => {}
        Event::Ready { .. } | Event::Recovered => info!("{}", Display2Format(event)),
        _ => warn!("{}", Display2Format(event)),
    }
}

/// Follows cotton's hot-plug events for ever: each connected device is identified and, when it
/// is a UPS this board can drive, polled until it goes away.
#[embassy_executor::task]
pub async fn usb_task(shared: &'static SharedUps, led: &'static AtomicU8) -> ! {
    // SAFETY: embassy-rp never touches USBCTRL unless embassy_rp::usb is used (it is not), so
    // cotton's PAC singletons are taken here, once.
    let pac = unsafe { rp2040_pac::Peripherals::steal() };
    let mut resets = pac.RESETS;
    let controller = Rp2040HostController::new(
        &mut resets,
        pac.USBCTRL_REGS,
        pac.USBCTRL_DPRAM,
        &USB_SHARED,
        USB_STATICS.take(),
    );
    let bus = UsbBus::new(controller);
    let mut events = pin!(bus.device_events_no_hubs(|ms| Timer::after_millis(ms as u64)));
    let mut bridge = Bridge::new(Settings::new(Capabilities::NO_INTERRUPT_OUT));
    info!("USB host ready: plug the UPS into the micro-USB port (OTG adapter)");

    let mut next: Option<(UnconfiguredDevice, DeviceInfo)> = None;
    loop {
        let (device, ids) = match next.take() {
            Some(d) => d,
            None => match events.next().await {
                Some(DeviceEvent::Connect(device, ids)) => (device, ids),
                Some(DeviceEvent::Disconnect(_)) => {
                    bridge.detach(shared);
                    publish_led(&bridge, led);
                    continue;
                }
                Some(DeviceEvent::EnumerationError(hub, port, e)) => {
                    warn!(
                        "USB enumeration failed (hub {}, port {}): {} — check the 5 V supply on VBUS",
                        hub, port, e
                    );
                    continue;
                }
                _ => continue,
            },
        };
        info!("USB device {:04x}:{:04x} connected", ids.vid, ids.pid);
        next = serve_device(&bus, device, &mut bridge, shared, &mut events, led).await;
        // Unplugged or replaced: whatever it was (a UPS, a refused device) is gone.
        bridge.detach(shared);
        publish_led(&bridge, led);
    }
}

/// What happened while waiting for a hot-plug event.
enum Wait {
    /// The time given ran out.
    Elapsed,
    /// The device was unplugged.
    Gone,
    /// Another device was connected (its Disconnect was not seen).
    Replaced(UnconfiguredDevice, DeviceInfo),
}

/// Waits for the next Disconnect or Connect, at most until `until` when given. An event that
/// is already there wins over an elapsed time, so an unplug is seen even when the steps run
/// late (an unplugged device makes every transfer wait for its timeout).
async fn wait_event<E: Stream<Item = DeviceEvent> + Unpin>(
    events: &mut E,
    until: Option<Instant>,
) -> Wait {
    loop {
        let event = match until {
            Some(t) => match select(events.next(), Timer::at(t)).await {
                Either::First(e) => e,
                Either::Second(()) => return Wait::Elapsed,
            },
            None => events.next().await,
        };
        match event {
            Some(DeviceEvent::Disconnect(_)) => return Wait::Gone,
            Some(DeviceEvent::Connect(d, i)) => return Wait::Replaced(d, i),
            _ => {}
        }
    }
}

/// Serves one device until it is unplugged; returns the next device when one was connected
/// meanwhile. The caller detaches the bridge afterwards.
async fn serve_device<E: Stream<Item = DeviceEvent> + Unpin>(
    bus: &Bus,
    device: UnconfiguredDevice,
    bridge: &mut Bridge,
    shared: &SharedUps,
    events: &mut E,
    led: &AtomicU8,
) -> Option<(UnconfiguredDevice, DeviceInfo)> {
    let device = match bus.configure(device, CONFIGURATION).await {
        Ok(d) => d,
        Err(e) => {
            warn!("cannot configure the USB device: {}", e);
            return match wait_event(events, None).await {
                Wait::Replaced(d, i) => Some((d, i)),
                Wait::Gone | Wait::Elapsed => None,
            };
        }
    };
    let (in_packet, interval) = in_endpoint(bus, &device).await;
    let open_in = || bus.interrupt_endpoint_in(&device, EP_IN & 0x0F, in_packet, interval);
    let mut stream = pin!(open_in());
    let retry = Duration::from_millis(u64::from(qxups::driver::RETRY_MS));
    loop {
        let host = CottonHost::new(bus, &device, &open_in, stream.as_mut(), in_packet);
        let mut link = match bridge.attach(host, Delay, shared).await {
            Ok(link) => link,
            Err(refusal) => {
                warn!("{}", Display2Format(&refusal));
                publish_led(bridge, led);
                // A device that did not answer is asked again; one we cannot serve is left alone.
                let until = matches!(refusal, Refusal::Usb(_)).then(|| Instant::now() + retry);
                match wait_event(events, until).await {
                    Wait::Elapsed => continue,
                    Wait::Gone => return None,
                    Wait::Replaced(d, i) => return Some((d, i)),
                }
            }
        };
        if let (Some(s), Some(id)) = (bridge.subdriver(), bridge.identity()) {
            info!(
                "UPS on USB: subdriver {}, product {}",
                s,
                Debug2Format(&id.product)
            );
        }
        publish_led(bridge, led);
        loop {
            let step = bridge
                .step(&mut link, Instant::now().as_millis(), shared)
                .await;
            if let Some(event) = &step.event {
                log_event(event);
            }
            publish_led(bridge, led);
            if step.reconnect {
                break;
            }
            match wait_event(events, Some(Instant::from_millis(step.wake_at_ms))).await {
                Wait::Elapsed => {}
                Wait::Gone => {
                    info!("UPS unplugged");
                    return None;
                }
                Wait::Replaced(d, i) => return Some((d, i)),
            }
        }
        // The transfers said the device is gone but cotton has not (yet): try it again later.
        match wait_event(events, Some(Instant::now() + retry)).await {
            Wait::Elapsed => {}
            Wait::Gone => return None,
            Wait::Replaced(d, i) => return Some((d, i)),
        }
    }
}
