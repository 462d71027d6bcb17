//! The bridge's application end to end on the host: the engine over the core's virtual USB UPS
//! ([`VirtualUsb`]) as a board without interrupt OUT sees it, and NUT clients on an in-memory
//! socket. Detection, polling, unplug and replug, staleness, requests from clients, and the
//! UPSes this board cannot drive.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::VecDeque;
use std::convert::Infallible;

use embassy_futures::block_on;
use qxups::driver::Event;
use qxups::netserver::{User, Users};
use qxups::usb::{DelayNs, Setup, Subdriver, UsbError, UsbHost, UsbTransport};
use qxups::virtual_ups::{Fault, UsbIdentity, VirtualUsb};
use qxups_bridge::{Bridge, Capabilities, LedState, Refusal, Settings, SharedUps, serve};

/// A delay that returns at once.
#[derive(Clone, Copy, Debug, Default)]
struct NoDelay;
impl DelayNs for NoDelay {
    async fn delay_ns(&mut self, _ns: u32) {}
}

/// The virtual device as a host without interrupt OUT (cotton-usb-host) sees it; counts the
/// interrupt OUT attempts, which the bridge must never make on such a board.
#[derive(Debug)]
struct NoInterruptOut {
    device: VirtualUsb,
    out_attempts: usize,
}

impl NoInterruptOut {
    fn new(device: VirtualUsb) -> Self {
        Self {
            device,
            out_attempts: 0,
        }
    }
}

impl UsbHost for NoInterruptOut {
    async fn control_in(
        &mut self,
        setup: Setup,
        buf: &mut [u8],
        timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        self.device.control_in(setup, buf, timeout_ms).await
    }
    async fn control_out(
        &mut self,
        setup: Setup,
        data: &[u8],
        timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        self.device.control_out(setup, data, timeout_ms).await
    }
    async fn interrupt_in(
        &mut self,
        endpoint: u8,
        buf: &mut [u8],
        timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        self.device.interrupt_in(endpoint, buf, timeout_ms).await
    }
    async fn interrupt_out(
        &mut self,
        _endpoint: u8,
        _data: &[u8],
        _timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        self.out_attempts += 1;
        Err(UsbError::Unsupported)
    }
}

type Link = UsbTransport<NoInterruptOut, NoDelay>;

/// A socket that delivers `input` in the given chunks, then end of stream, and keeps what is
/// written.
#[derive(Debug, Default)]
struct Pipe {
    input: VecDeque<Vec<u8>>,
    output: Vec<u8>,
    flushes: usize,
}

impl embedded_io_async::ErrorType for Pipe {
    type Error = Infallible;
}

impl embedded_io_async::Read for Pipe {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        let Some(mut chunk) = self.input.pop_front() else {
            return Ok(0);
        };
        let n = chunk.len().min(buf.len());
        buf[..n].copy_from_slice(&chunk[..n]);
        if n < chunk.len() {
            self.input.push_front(chunk.split_off(n));
        }
        Ok(n)
    }
}

impl embedded_io_async::Write for Pipe {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        self.output.extend_from_slice(buf);
        Ok(buf.len())
    }
    async fn flush(&mut self) -> Result<(), Infallible> {
        self.flushes += 1;
        Ok(())
    }
}

/// One client connection: sends `request` (in chunks of `chunk` bytes) and returns the
/// server's whole answer.
fn ask_in_chunks(shared: &SharedUps, request: &str, chunk: usize) -> String {
    let mut pipe = Pipe {
        input: request
            .as_bytes()
            .chunks(chunk)
            .map(<[u8]>::to_vec)
            .collect(),
        ..Pipe::default()
    };
    block_on(serve(&mut pipe, "192.0.2.10", shared)).unwrap();
    String::from_utf8(pipe.output).unwrap()
}

fn ask(shared: &SharedUps, request: &str) -> String {
    ask_in_chunks(shared, request, 64)
}

const STATUS: &str = "GET VAR ups ups.status\n";

fn bridge() -> (Bridge, SharedUps) {
    let bridge = Bridge::new(Settings::new(Capabilities::NO_INTERRUPT_OUT));
    (bridge, SharedUps::new(Users::synology(), 7))
}

fn attach(bridge: &mut Bridge, shared: &SharedUps, device: VirtualUsb) -> Result<Link, Refusal> {
    block_on(bridge.attach(NoInterruptOut::new(device), NoDelay, shared))
}

/// Steps at each wake-up time until an event of the wanted kind (at most 20 steps).
fn step_until(
    bridge: &mut Bridge,
    link: &mut Link,
    shared: &SharedUps,
    now: &mut u64,
    wanted: impl Fn(&Event) -> bool,
) -> Event {
    for _ in 0..20 {
        *now = (*now).max(bridge.wake_at_ms());
        let step = block_on(bridge.step(link, *now, shared));
        if let Some(e) = step.event {
            if wanted(&e) {
                return e;
            }
        }
    }
    panic!("no such event within 20 steps");
}

fn ready(bridge: &mut Bridge, link: &mut Link, shared: &SharedUps, now: &mut u64) -> &'static str {
    match step_until(bridge, link, shared, now, |e| {
        matches!(e, Event::Ready { .. } | Event::NotSupported)
    }) {
        Event::Ready { dialect } => dialect,
        other => panic!("not recognised: {other}"),
    }
}

#[test]
fn a_client_reads_the_status_until_the_ups_is_unplugged_and_again_after_the_replug() {
    let (mut bridge, shared) = bridge();
    assert_eq!(bridge.led(), LedState::NoUps);
    assert_eq!(ask(&shared, STATUS), "ERR DRIVER-NOT-CONNECTED\n");

    let mut link = attach(
        &mut bridge,
        &shared,
        VirtualUsb::for_subdriver(Subdriver::Cypress),
    )
    .unwrap();
    assert_eq!(bridge.subdriver(), Some(Subdriver::Cypress));
    assert_eq!(bridge.led(), LedState::Detecting);
    let mut now = 0;
    assert_eq!(ready(&mut bridge, &mut link, &shared, &mut now), "megatec");
    assert_eq!(bridge.led(), LedState::Polling);
    assert_eq!(ask(&shared, STATUS), "VAR ups ups.status \"OL\"\n");
    // What the transfers learnt about the device is published.
    assert_eq!(
        ask(&shared, "GET VAR ups ups.vendorid\n"),
        "VAR ups ups.vendorid \"0665\"\n"
    );

    // Unplugged: the next update fails with "disconnected", the data go stale at once.
    link.host_mut().device.unplug();
    let lost = step_until(&mut bridge, &mut link, &shared, &mut now, |e| {
        matches!(e, Event::Lost(_))
    });
    assert!(matches!(lost, Event::Lost(_)));
    assert_eq!(bridge.led(), LedState::NoUps);
    assert_eq!(bridge.subdriver(), None);
    assert_eq!(ask(&shared, STATUS), "ERR DATA-STALE\n");

    // Plugged back in: the same UPS resumes its dialect.
    let (mut host, _) = link.into_parts();
    host.device.replug();
    let mut link = attach(&mut bridge, &shared, host.device).unwrap();
    now += 5_000;
    assert_eq!(ready(&mut bridge, &mut link, &shared, &mut now), "megatec");
    assert_eq!(bridge.led(), LedState::Polling);
    assert_eq!(ask(&shared, STATUS), "VAR ups ups.status \"OL\"\n");
    assert_eq!(link.host_mut().out_attempts, 0);
}

#[test]
fn an_unplug_event_from_the_host_stack_makes_the_data_stale_and_a_new_ups_starts_afresh() {
    let (mut bridge, shared) = bridge();
    let mut link = attach(
        &mut bridge,
        &shared,
        VirtualUsb::for_subdriver(Subdriver::Hunnox),
    )
    .unwrap();
    let mut now = 0;
    assert_eq!(ready(&mut bridge, &mut link, &shared, &mut now), "hunnox");
    assert_eq!(
        bridge.identity().unwrap().product.as_deref(),
        Some("MEC0003")
    );
    let status = ask(&shared, STATUS);
    assert!(status.starts_with("VAR ups ups.status \""), "{status}");

    bridge.detach(&shared);
    drop(link);
    assert_eq!(bridge.led(), LedState::NoUps);
    assert_eq!(ask(&shared, STATUS), "ERR DATA-STALE\n");

    // Another UPS on the port: detected from scratch, not connected until recognised.
    let mut link = attach(
        &mut bridge,
        &shared,
        VirtualUsb::for_subdriver(Subdriver::Cypress),
    )
    .unwrap();
    assert_eq!(bridge.led(), LedState::Detecting);
    assert_eq!(ask(&shared, STATUS), "ERR DRIVER-NOT-CONNECTED\n");
    now += 1;
    assert_eq!(ready(&mut bridge, &mut link, &shared, &mut now), "megatec");
    assert_eq!(ask(&shared, STATUS), "VAR ups ups.status \"OL\"\n");
}

#[test]
fn failing_updates_turn_the_led_and_the_data_stale_until_the_ups_answers_again() {
    let (mut bridge, shared) = bridge();
    let mut link = attach(
        &mut bridge,
        &shared,
        VirtualUsb::for_subdriver(Subdriver::Phoenix),
    )
    .unwrap();
    let mut now = 0;
    ready(&mut bridge, &mut link, &shared, &mut now);

    link.host_mut()
        .device
        .ups_mut()
        .inject(Fault::NoAnswer, None);
    step_until(&mut bridge, &mut link, &shared, &mut now, |e| {
        matches!(e, Event::Stale(_))
    });
    assert_eq!(bridge.led(), LedState::Stale);
    assert_eq!(ask(&shared, STATUS), "ERR DATA-STALE\n");

    link.host_mut().device.ups_mut().clear_fault();
    step_until(&mut bridge, &mut link, &shared, &mut now, |e| {
        matches!(e, Event::Recovered)
    });
    assert_eq!(bridge.led(), LedState::Polling);
    assert_eq!(ask(&shared, STATUS), "VAR ups ups.status \"OL\"\n");
}

#[test]
fn ups_needing_interrupt_out_are_refused_as_unsupported_on_this_board() {
    let mut armac = VirtualUsb::for_subdriver(Subdriver::Armac);
    armac.set_armac_interrupt(true);
    for (device, subdriver) in [
        (VirtualUsb::for_subdriver(Subdriver::Fuji), Subdriver::Fuji),
        (armac, Subdriver::Armac),
    ] {
        let (mut bridge, shared) = bridge();
        let refusal = attach(&mut bridge, &shared, device).unwrap_err();
        assert_eq!(refusal, Refusal::Unsupported { subdriver });
        let text = refusal.to_string();
        assert!(text.contains("unsupported on this board"), "{text}");
        assert!(text.contains(subdriver.name()), "{text}");
        assert!(text.contains("interrupt OUT"), "{text}");
        assert_eq!(bridge.refusal(), Some(refusal));
        assert_eq!(bridge.led(), LedState::Unsupported);
        assert_eq!(ask(&shared, STATUS), "ERR DRIVER-NOT-CONNECTED\n");
        // Unplugged, the refusal goes with it.
        bridge.detach(&shared);
        assert_eq!(bridge.refusal(), None);
        assert_eq!(bridge.led(), LedState::NoUps);
    }
}

#[test]
fn armac_in_control_mode_and_fuji_on_a_full_host_are_served() {
    let (mut bridge, shared) = bridge();
    let mut link = attach(
        &mut bridge,
        &shared,
        VirtualUsb::for_subdriver(Subdriver::Armac),
    )
    .unwrap();
    let mut now = 0;
    assert_eq!(ready(&mut bridge, &mut link, &shared, &mut now), "megatec");
    assert_eq!(ask(&shared, STATUS), "VAR ups ups.status \"OL\"\n");
    assert_eq!(link.host_mut().out_attempts, 0);

    // With interrupt OUT (a future host stack) fuji is driven like any other.
    let mut bridge = Bridge::new(Settings::new(Capabilities::ALL));
    let shared = SharedUps::new(Users::synology(), 1);
    let mut link =
        block_on(bridge.attach(VirtualUsb::for_subdriver(Subdriver::Fuji), NoDelay, &shared))
            .unwrap();
    let step = block_on(bridge.step(&mut link, 0, &shared));
    assert_eq!(step.event, Some(Event::Ready { dialect: "megatec" }));
    assert_eq!(ask(&shared, STATUS), "VAR ups ups.status \"OL\"\n");
}

#[test]
fn devices_that_are_not_upses_are_left_alone() {
    let (mut bridge, shared) = bridge();
    let mut device = VirtualUsb::for_subdriver(Subdriver::Cypress);
    device.set_identity(UsbIdentity {
        vid: 0x046D,
        pid: 0xC077,
        manufacturer: None,
        product: Some((2, "USB Optical Mouse")),
    });
    let refusal = attach(&mut bridge, &shared, device).unwrap_err();
    assert_eq!(
        refusal,
        Refusal::NotAUps {
            vid: 0x046D,
            pid: 0xC077
        }
    );
    assert_eq!(
        refusal.to_string(),
        "USB device 046d:c077 is not a known UPS"
    );
    assert_eq!(bridge.led(), LedState::NoUps);
    assert_eq!(ask(&shared, STATUS), "ERR DRIVER-NOT-CONNECTED\n");
}

#[test]
fn a_tracked_instant_command_reaches_the_ups_through_the_usb_task() {
    let mut users = Users::synology();
    users
        .add(User::new("admin", "pw").unwrap().with_all_instcmds())
        .unwrap();
    let shared = SharedUps::new(users, 42);
    let mut bridge = Bridge::new(Settings::new(Capabilities::NO_INTERRUPT_OUT));
    let mut link = attach(
        &mut bridge,
        &shared,
        VirtualUsb::for_subdriver(Subdriver::Cypress),
    )
    .unwrap();
    let mut now = 0;
    ready(&mut bridge, &mut link, &shared, &mut now);
    let before = link.host_mut().device.ups().transactions();

    let reply = ask(
        &shared,
        "USERNAME admin\nPASSWORD pw\nSET TRACKING ON\nINSTCMD ups beeper.toggle\n",
    );
    let id = reply
        .strip_prefix("OK\nOK\nOK\nOK TRACKING ")
        .and_then(|r| r.strip_suffix('\n'))
        .unwrap_or_else(|| panic!("{reply:?}"))
        .to_owned();
    assert_eq!(
        ask(
            &shared,
            &format!("USERNAME admin\nPASSWORD pw\nSET TRACKING ON\nGET TRACKING {id}\n")
        ),
        "OK\nOK\nOK\nPENDING\n"
    );

    now = bridge.wake_at_ms();
    block_on(bridge.step(&mut link, now, &shared));
    assert!(link.host_mut().device.ups().transactions() > before);
    assert_eq!(
        ask(
            &shared,
            &format!("USERNAME admin\nPASSWORD pw\nSET TRACKING ON\nGET TRACKING {id}\n")
        ),
        "OK\nOK\nOK\nSUCCESS\n"
    );
}

#[test]
fn a_synology_conversation_in_small_pieces_gets_whole_answers() {
    let (mut bridge, shared) = bridge();
    let mut link = attach(
        &mut bridge,
        &shared,
        VirtualUsb::for_subdriver(Subdriver::Cypress),
    )
    .unwrap();
    let mut now = 0;
    ready(&mut bridge, &mut link, &shared, &mut now);
    let reply = ask_in_chunks(
        &shared,
        "USERNAME monuser\nPASSWORD secret\nLOGIN ups\nLIST VAR ups\nLOGOUT\n",
        3,
    );
    assert!(
        reply.starts_with("OK\nOK\nOK\nBEGIN LIST VAR ups\n"),
        "{reply}"
    );
    assert!(reply.contains("VAR ups ups.status \"OL\"\n"), "{reply}");
    assert!(reply.ends_with("END LIST VAR ups\nOK Goodbye\n"), "{reply}");
    // The login went with the connection.
    assert_eq!(ask(&shared, "GET NUMLOGINS ups\n"), "NUMLOGINS ups 0\n");
}
