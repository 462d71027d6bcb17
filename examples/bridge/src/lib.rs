//! # qxups-bridge — the UPS-to-network bridge's application, board-independent
//!
//! A bridge is a small board with a USB host port and a network port: the UPS plugs into the
//! USB port, and NAS boxes, `upsmon` or Home Assistant read it over the NUT protocol (TCP
//! 3493). This crate is everything such a firmware does that does not touch the hardware, so
//! it runs as host tests against the core's virtual UPS; `examples/bridge-firmware` binds it to
//! an RP2040 (cotton-usb-host, embassy-net).
//!
//! * [`identify`] — which UPS is on the port: the device descriptor and identification
//!   strings, the core's device table, and whether this board can drive that transport
//!   ([`Capabilities`]: cotton-usb-host has no interrupt OUT, so fuji and armac's interrupt
//!   mode are refused as "unsupported on this board").
//! * [`engine`] — [`Bridge`]: the core's [`qxups::driver::Driver`] (detection, polling,
//!   staleness, reconnect) over the attached device, the queued `INSTCMD` / `SET VAR`
//!   requests, and what the NUT side and the LED show.
//! * [`server`] — [`SharedUps`], the one UPS (`ups`) all connections see, and [`serve`], one
//!   NUT connection over any `embedded-io-async` socket.
//! * [`led`] — [`LedState`]: no UPS / detecting / polling / stale / unsupported, with the
//!   blink patterns as data.
//! * [`transfer`] — for board adapters: an interrupt IN transfer assembled from packets.
//!
//! The firmware's loops, in outline:
//!
//! ```text
//! usb task:    on Connect: link = bridge.attach(host, delay, &shared)?
//!              loop { step = bridge.step(&mut link, now_ms, &shared); if step.reconnect break;
//!                     sleep until step.wake_at_ms, or until a Disconnect: bridge.detach() }
//! socket task: loop { accept on 3493; serve(&mut socket, peer, &shared) }
//! led task:    loop { led.set(bridge_led.level_at(now_ms)); sleep 50 ms }
//! ```
#![cfg_attr(not(test), no_std)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod engine;
pub mod identify;
pub mod led;
pub mod server;
pub mod transfer;

pub use engine::{Bridge, Settings};
pub use identify::{Capabilities, Identity, Refusal};
pub use led::LedState;
pub use server::{SharedUps, serve};

/// The NUT port.
pub const NUT_PORT: u16 = 3493;
/// The name the UPS is served under (what Synology's "Synology UPS server" expects).
pub const UPS_NAME: &str = "ups";
