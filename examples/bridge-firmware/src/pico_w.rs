//! Raspberry Pi Pico W: the CYW43439 WiFi chip on a PIO SPI (PWR GP23, CS GP25, DIO GP24,
//! CLK GP29), the LED on the CYW43's GPIO 0. The chip's firmware and CLM blobs come from the
//! `cyw43-firmware` crate, the board nvram from `QXUPS_CYW43_NVRAM` at build time; the
//! network from `QXUPS_WIFI_SSID` / `QXUPS_WIFI_PASSWORD` (WPA2/WPA3; open network without a
//! password).

use cyw43::{A4, Aligned, JoinOptions, PowerManagementMode};
use cyw43_pio::{DEFAULT_CLOCK_DIVIDER, PioSpi};
use defmt::{info, unwrap, warn};
use embassy_executor::Spawner;
use embassy_net::{Stack, StackResources};
use embassy_rp::gpio::{Level, Output};
use embassy_rp::peripherals::{DMA_CH0, PIO0};
use embassy_rp::pio::{InterruptHandler, Pio};
use embassy_rp::{Peripherals, bind_interrupts, dma};
use embassy_time::{Duration, Instant, Timer};
use static_cell::StaticCell;

use crate::SOCKETS;

/// The board, for the log.
pub const NAME: &str = "Raspberry Pi Pico W";

/// `QXUPS_WIFI_SSID` at build time.
const SSID: Option<&str> = option_env!("QXUPS_WIFI_SSID");
/// `QXUPS_WIFI_PASSWORD` at build time; empty or absent joins an open network.
const PASSWORD: Option<&str> = option_env!("QXUPS_WIFI_PASSWORD");
/// How often the LED task checks the WiFi link and rejoins when it dropped.
const LINK_CHECK: Duration = Duration::from_secs(10);

/// The CYW43439 firmware, 4-byte aligned as the driver needs it (the crate's constant is not).
static CYW43_FW: Aligned<A4, [u8; cyw43_firmware::CYW43_43439A0.len()]> =
    Aligned(*cyw43_firmware::CYW43_43439A0);
/// The country location matrix.
static CYW43_CLM: [u8; cyw43_firmware::CYW43_43439A0_CLM.len()] =
    *cyw43_firmware::CYW43_43439A0_CLM;
/// The board configuration (`nvram_rp2040.bin`, copied by build.rs from `QXUPS_CYW43_NVRAM`).
static CYW43_NVRAM: Aligned<
    A4,
    [u8; include_bytes!(concat!(env!("OUT_DIR"), "/nvram.bin")).len()],
> = Aligned(*include_bytes!(concat!(env!("OUT_DIR"), "/nvram.bin")));

bind_interrupts!(struct Irqs {
    PIO0_IRQ_0 => InterruptHandler<PIO0>;
    DMA_IRQ_0 => dma::InterruptHandler<DMA_CH0>;
});

/// The network stack and the LED.
pub struct Board {
    /// The IP stack.
    pub stack: Stack<'static>,
    /// The status LED (and the WiFi control it shares the chip with).
    pub led: Led,
}

/// The LED on the CYW43's GPIO 0; it owns the chip's control channel, so it also rejoins the
/// WiFi network when the link drops.
pub struct Led {
    control: cyw43::Control<'static>,
    stack: Stack<'static>,
    next_check: Instant,
}

impl Led {
    /// Lights the LED or not.
    pub async fn set(&mut self, on: bool) {
        self.control.gpio_set(0, on).await;
    }

    /// Rejoins the network when the WiFi link is down (checked every [`LINK_CHECK`]).
    pub async fn maintain(&mut self) {
        if Instant::now() < self.next_check {
            return;
        }
        self.next_check = Instant::now() + LINK_CHECK;
        if !self.stack.is_link_up() {
            warn!("WiFi link down, joining again");
            join(&mut self.control).await;
        }
    }
}

#[embassy_executor::task]
async fn cyw43_task(
    runner: cyw43::Runner<'static, cyw43::SpiBus<Output<'static>, PioSpi<'static, PIO0, 0>>>,
) -> ! {
    runner.run().await
}

#[embassy_executor::task]
async fn net_task(mut runner: embassy_net::Runner<'static, cyw43::NetDriver<'static>>) -> ! {
    runner.run().await
}

/// Joins `QXUPS_WIFI_SSID`; returns false when the image has no SSID or the join failed.
async fn join(control: &mut cyw43::Control<'static>) -> bool {
    let Some(ssid) = SSID else {
        warn!("no WiFi network configured: build with QXUPS_WIFI_SSID and QXUPS_WIFI_PASSWORD");
        return false;
    };
    let options = match PASSWORD {
        Some(p) if !p.is_empty() => JoinOptions::new(p.as_bytes()),
        _ => JoinOptions::new_open(),
    };
    match control.join(ssid, options).await {
        Ok(()) => {
            info!("joined WiFi network {}", ssid);
            true
        }
        Err(e) => {
            warn!("cannot join WiFi network {}: {}", ssid, e);
            false
        }
    }
}

/// Brings up the CYW43439, joins the WiFi network (retrying) and starts the IP stack.
pub async fn start(
    spawner: Spawner,
    p: Peripherals,
    config: embassy_net::Config,
    seed: u64,
) -> Board {
    let pwr = Output::new(p.PIN_23, Level::Low);
    let cs = Output::new(p.PIN_25, Level::High);
    let mut pio = Pio::new(p.PIO0, Irqs);
    let spi = PioSpi::new(
        &mut pio.common,
        pio.sm0,
        DEFAULT_CLOCK_DIVIDER,
        pio.irq0,
        cs,
        p.PIN_24,
        p.PIN_29,
        dma::Channel::new(p.DMA_CH0, Irqs),
    );

    static STATE: StaticCell<cyw43::State> = StaticCell::new();
    let (device, mut control, runner) = cyw43::new(
        STATE.init(cyw43::State::new()),
        pwr,
        spi,
        &CYW43_FW,
        &CYW43_NVRAM,
    )
    .await;
    spawner.spawn(unwrap!(cyw43_task(runner)));
    control.init(&CYW43_CLM).await;
    control
        .set_power_management(PowerManagementMode::PowerSave)
        .await;

    // One socket per NUT connection, plus DHCP.
    static RESOURCES: StaticCell<StackResources<{ SOCKETS + 1 }>> = StaticCell::new();
    let (stack, runner) =
        embassy_net::new(device, config, RESOURCES.init(StackResources::new()), seed);
    spawner.spawn(unwrap!(net_task(runner)));

    if SSID.is_some() {
        while !join(&mut control).await {
            Timer::after_secs(5).await;
        }
    } else {
        join(&mut control).await;
    }
    Board {
        stack,
        led: Led {
            control,
            stack,
            next_check: Instant::now() + LINK_CHECK,
        },
    }
}
