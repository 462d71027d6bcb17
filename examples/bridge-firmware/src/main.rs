//! qxups bridge firmware: a Q* USB UPS on the RP2040's native USB port (host mode, through
//! cotton-usb-host), served over the NUT protocol on TCP 3493 by the board's network —
//! WIZnet W5500 Ethernet (feature `w5500`, the default) or the Pico W's CYW43439 WiFi
//! (feature `pico-w`).
//!
//! Tasks: the USB task owns the [`Bridge`] (identification, the driver engine, hot-plug); one
//! task per NUT socket ([`SOCKETS`] on port 3493) runs the sessions against the shared UPS;
//! the LED task shows [`LedState`]; the board's network tasks run the Ethernet/WiFi driver and
//! the IP stack. Everything that is not hardware lives in `qxups-bridge` and is tested on the
//! host. Logs go out as defmt over RTT (probe-rs).
#![no_std]
#![no_main]

use core::sync::atomic::{AtomicU8, Ordering};

use defmt::{info, unwrap, warn};
use embassy_executor::Spawner;
use embassy_net::tcp::TcpSocket;
use embassy_net::{Ipv4Address, Ipv4Cidr, Stack, StaticConfigV4};
use embassy_rp::clocks::RoscRng;
use embassy_time::{Duration, Instant, Timer};
use qxups::netserver::Users;
use qxups_bridge::{LedState, NUT_PORT, SharedUps, serve};
use static_cell::StaticCell;
use {defmt_rtt as _, panic_probe as _};

#[cfg(feature = "w5500")]
#[path = "w5500.rs"]
mod board;

#[cfg(feature = "pico-w")]
#[path = "pico_w.rs"]
mod board;

mod usb_host;

#[cfg(all(feature = "w5500", feature = "pico-w"))]
compile_error!("choose one board: feature w5500 (default) or pico-w (with --no-default-features)");

/// Build-time network settings (`QXUPS_IPV4`, `QXUPS_GATEWAY`), checked by build.rs.
mod net_settings {
    include!(concat!(env!("OUT_DIR"), "/net_settings.rs"));
}

/// NUT connections served at once (upsd's MAXCONN is the host's business; four covers a NAS,
/// Home Assistant and two `upsc`).
pub const SOCKETS: usize = 4;
/// A client that sends nothing for this long is dropped (upsd's default idle time).
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// TCP buffer sizes per socket: requests are short, a `LIST VAR` reply is a few KiB.
const RX_BUFFER: usize = 512;
const TX_BUFFER: usize = 2048;

/// The UPS every connection sees.
static SHARED: StaticCell<SharedUps> = StaticCell::new();
/// What the LED shows, from the USB task to the LED task.
static LED_STATE: AtomicU8 = AtomicU8::new(LedState::NoUps.to_u8());

/// The IP configuration: static when `QXUPS_IPV4` was set at build time, DHCP otherwise.
fn ip_config() -> embassy_net::Config {
    match net_settings::STATIC_IPV4 {
        Some(([a, b, c, d], prefix)) => {
            let gateway = net_settings::GATEWAY.map(|[a, b, c, d]| Ipv4Address::new(a, b, c, d));
            info!("static address {}.{}.{}.{}/{}", a, b, c, d, prefix);
            embassy_net::Config::ipv4_static(StaticConfigV4 {
                address: Ipv4Cidr::new(Ipv4Address::new(a, b, c, d), prefix),
                gateway,
                dns_servers: Default::default(),
            })
        }
        None => embassy_net::Config::dhcpv4(Default::default()),
    }
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let p = embassy_rp::init(Default::default());
    info!(
        "qxups bridge {} on {}",
        env!("CARGO_PKG_VERSION"),
        board::NAME
    );
    let seed = RoscRng.next_u64();
    let shared: &'static SharedUps = SHARED.init(SharedUps::new(Users::synology(), seed));

    // The USB side needs no network: start it first so the UPS is read while the link comes up.
    spawner.spawn(unwrap!(usb_host::usb_task(shared, &LED_STATE)));

    let board::Board { stack, led } = board::start(spawner, p, ip_config(), seed).await;
    spawner.spawn(unwrap!(led_task(led, &LED_STATE)));

    info!("waiting for the network configuration");
    stack.wait_config_up().await;
    if let Some(config) = stack.config_v4() {
        info!("IP address {}, NUT on port {}", config.address, NUT_PORT);
    }
    for _ in 0..SOCKETS {
        spawner.spawn(unwrap!(nut_task(stack, shared)));
    }
}

/// One NUT connection at a time on port 3493; [`SOCKETS`] of these listen together.
#[embassy_executor::task(pool_size = SOCKETS)]
async fn nut_task(stack: Stack<'static>, shared: &'static SharedUps) -> ! {
    let mut rx = [0u8; RX_BUFFER];
    let mut tx = [0u8; TX_BUFFER];
    loop {
        let mut socket = TcpSocket::new(stack, &mut rx, &mut tx);
        socket.set_timeout(Some(IDLE_TIMEOUT));
        if let Err(e) = socket.accept(NUT_PORT).await {
            warn!("accept failed: {}", e);
            continue;
        }
        let mut peer = heapless::String::<48>::new();
        if let Some(endpoint) = socket.remote_endpoint() {
            let _ = core::fmt::write(&mut peer, format_args!("{}", endpoint.addr));
        }
        info!("NUT client {} connected", peer.as_str());
        match serve(&mut socket, &peer, shared).await {
            Ok(()) => info!("NUT client {} done", peer.as_str()),
            Err(e) => warn!("NUT client {}: {}", peer.as_str(), e),
        }
        socket.close();
        // Let the FIN go out before the buffers are reused.
        let _ = socket.flush().await;
        socket.abort();
    }
}

/// Samples the LED pattern of the current state every 25 ms.
#[embassy_executor::task]
async fn led_task(mut led: board::Led, state: &'static AtomicU8) -> ! {
    let start = Instant::now();
    let mut lit = None;
    loop {
        let s = LedState::from_u8(state.load(Ordering::Relaxed));
        let level = s.level_at(start.elapsed().as_millis());
        if lit != Some(level) {
            led.set(level).await;
            lit = Some(level);
        }
        led.maintain().await;
        Timer::after_millis(25).await;
    }
}
