//! Shared parts of the size-report images: the panic handler, an executor, a link that reads
//! its bytes from an opaque buffer, and inputs the optimiser cannot see through.
//!
//! Every image is a `no_main` binary whose `_start` runs one use of the core; the linker keeps
//! only what `_start` reaches, so `.text` is the code that use costs.
#![no_std]

use core::hint::black_box;

use qxups::{Transport, TransportError, Ups};

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    halt()
}

/// Stops here for good.
pub fn halt() -> ! {
    loop {
        core::hint::spin_loop();
    }
}

/// A Q1 answer, opaque to the optimiser.
pub fn answer() -> &'static [u8] {
    black_box(b"(208.4 140.0 208.4 034 59.9 2.05 35.0 00110000\r")
}

pub use qxups::block_on;

/// A link whose replies come from an opaque buffer (stands in for a UART driver).
pub struct Link;

impl Transport for Link {
    async fn transact(
        &mut self,
        command: &[u8],
        reply: &mut [u8],
    ) -> Result<usize, TransportError> {
        black_box(command);
        let src = answer();
        let n = black_box(src.len()).min(reply.len());
        for (d, s) in reply.iter_mut().zip(src).take(n) {
            *d = *s;
        }
        Ok(n)
    }
}

/// Keeps the published variables alive.
pub fn consume(ups: &qxups::Ups) {
    for v in ups.vars().iter() {
        black_box(v.value());
    }
}

/// The driver's work after the claim, forever: initialisation, then updates, an instant command
/// and a setvar over `link` (the same for every driver image).
pub fn drive(ups: &mut Ups, link: &mut Link) -> ! {
    let _ = black_box(block_on(ups.init(&mut *link, 0)));
    loop {
        let poll = if black_box(true) {
            qxups::Poll::Full
        } else {
            qxups::Poll::Quick
        };
        let _ = black_box(block_on(ups.update(&mut *link, poll, black_box(0))));
        let _ = black_box(block_on(ups.instcmd(
            &mut *link,
            black_box("beeper.toggle"),
            None,
        )));
        let _ = black_box(block_on(ups.setvar(
            &mut *link,
            black_box("ups.delay.start"),
            "60",
        )));
        consume(ups);
    }
}
