//! WIZnet W5500-EVB-Pico: the W5500 Ethernet controller on SPI0 (MISO GP16, CS GP17, SCK GP18,
//! MOSI GP19, RST GP20, INT GP21), the user LED on GP25. No binary blobs.

use defmt::unwrap;
use embassy_executor::Spawner;
use embassy_net::{Stack, StackResources};
use embassy_net_wiznet::chip::W5500;
use embassy_net_wiznet::{Device, Runner, State};
use embassy_rp::flash::{Blocking, Flash};
use embassy_rp::gpio::{Input, Level, Output, Pull};
use embassy_rp::peripherals::{DMA_CH0, DMA_CH1, SPI0};
use embassy_rp::spi::{Async, Config as SpiConfig, Spi};
use embassy_rp::{Peripherals, bind_interrupts, dma};
use embassy_time::Delay;
use embedded_hal_bus::spi::ExclusiveDevice;
use static_cell::StaticCell;

use crate::SOCKETS;

/// The board, for the log.
pub const NAME: &str = "WIZnet W5500-EVB-Pico";

/// SPI clock: the W5500 is specified to 33 MHz (works faster, but the board's traces are
/// not guaranteed).
const SPI_HZ: u32 = 33_000_000;
/// Flash size, for the unique-ID read.
const FLASH_SIZE: usize = 2 * 1024 * 1024;

bind_interrupts!(struct Irqs {
    DMA_IRQ_0 => dma::InterruptHandler<DMA_CH0>, dma::InterruptHandler<DMA_CH1>;
});

type SpiDevice = ExclusiveDevice<Spi<'static, SPI0, Async>, Output<'static>, Delay>;

/// The network stack and the LED.
pub struct Board {
    /// The IP stack.
    pub stack: Stack<'static>,
    /// The status LED.
    pub led: Led,
}

/// The user LED on GP25.
pub struct Led(Output<'static>);

impl Led {
    /// Lights the LED or not.
    pub async fn set(&mut self, on: bool) {
        self.0.set_level(if on { Level::High } else { Level::Low });
    }

    /// Nothing to look after on a wired link.
    pub async fn maintain(&mut self) {}
}

#[embassy_executor::task]
async fn ethernet_task(
    runner: Runner<'static, W5500, SpiDevice, Input<'static>, Output<'static>>,
) -> ! {
    runner.run().await
}

#[embassy_executor::task]
async fn net_task(mut runner: embassy_net::Runner<'static, Device<'static>>) -> ! {
    runner.run().await
}

/// A locally administered MAC address that stays the same across boots: from the flash
/// chip's unique ID.
fn mac_address(flash: embassy_rp::Peri<'static, embassy_rp::peripherals::FLASH>) -> [u8; 6] {
    let mut flash: Flash<'_, _, Blocking, FLASH_SIZE> = Flash::new_blocking(flash);
    let mut id = [0u8; 8];
    if flash.blocking_unique_id(&mut id).is_err() {
        defmt::warn!("cannot read the flash unique ID; using a fixed MAC address");
    }
    let [_, _, _, a, b, c, d, e] = id;
    [0x02, a, b, c, d, e]
}

/// Brings up the W5500 and the IP stack.
pub async fn start(
    spawner: Spawner,
    p: Peripherals,
    config: embassy_net::Config,
    seed: u64,
) -> Board {
    let led = Led(Output::new(p.PIN_25, Level::Low));
    let mac = mac_address(p.FLASH);

    let mut spi_config = SpiConfig::default();
    spi_config.frequency = SPI_HZ;
    let spi = Spi::new(
        p.SPI0, p.PIN_18, p.PIN_19, p.PIN_16, p.DMA_CH0, p.DMA_CH1, Irqs, spi_config,
    );
    let cs = Output::new(p.PIN_17, Level::High);
    let int = Input::new(p.PIN_21, Pull::Up);
    let reset = Output::new(p.PIN_20, Level::High);

    static STATE: StaticCell<State<8, 8>> = StaticCell::new();
    let started = embassy_net_wiznet::new(
        mac,
        STATE.init(State::<8, 8>::new()),
        unwrap!(ExclusiveDevice::new(spi, cs, Delay)),
        int,
        reset,
    )
    .await;
    let Ok((device, runner)) = started else {
        defmt::panic!("the W5500 does not answer on SPI0");
    };
    spawner.spawn(unwrap!(ethernet_task(runner)));

    // One socket per NUT connection, plus DHCP.
    static RESOURCES: StaticCell<StackResources<{ SOCKETS + 1 }>> = StaticCell::new();
    let (stack, runner) =
        embassy_net::new(device, config, RESOURCES.init(StackResources::new()), seed);
    spawner.spawn(unwrap!(net_task(runner)));
    Board { stack, led }
}
