//! The little runtime the blocking Linux adapters share: a thread-sleep [`DelayNs`] and a
//! `block_on` (core's) for their futures, which never wait on a waker.

use std::time::Duration;

use embedded_hal_async::delay::DelayNs;

/// A delay that sleeps the thread.
#[derive(Clone, Copy, Debug, Default)]
pub struct StdDelay;

impl DelayNs for StdDelay {
    async fn delay_ns(&mut self, ns: u32) {
        std::thread::sleep(Duration::from_nanos(u64::from(ns)));
    }
}

pub use qxups::block_on;
