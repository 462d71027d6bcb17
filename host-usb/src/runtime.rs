//! The little runtime the blocking Linux adapters share: a thread-sleep [`DelayNs`] and a
//! busy-polling `block_on` for futures that never wait on a waker.

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

/// Runs a future to completion on this thread. The adapters' futures never wait on a waker
/// (their calls block), so polling in a loop finishes them.
pub fn block_on<F: std::future::Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::yield_now();
    }
}
