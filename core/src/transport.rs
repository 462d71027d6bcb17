//! The one thing the protocol layer needs from a link: send a command, read one reply.

use core::fmt;

/// Why a transaction failed at the link level. A silent device is not an error: it is an
/// empty reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum TransportError {
    /// The device is gone (unplugged, port closed).
    Disconnected,
    /// The device refused the request (a USB stall).
    Stall,
    /// An I/O error on the link.
    Io,
    /// The command does not fit the link (too long, or not representable on a bridge).
    Unsupported,
    /// The device stopped answering part-way through a reply (a silent device is `Ok(0)`).
    Timeout,
    /// More than was asked for, or more than the reply buffer holds (a USB babble, a serial
    /// line longer than any answer).
    Overflow,
    /// The device is held by another driver.
    Busy,
    /// The host may not use the device (permissions).
    Access,
    /// The device's answer broke the link's own framing rules (a short report write, a
    /// reply longer than the reply buffer).
    Protocol,
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Disconnected => "device disconnected",
            Self::Stall => "device stalled the request",
            Self::Io => "I/O error",
            Self::Unsupported => "command not supported by this link",
            Self::Timeout => "device stopped answering mid-reply",
            Self::Overflow => "reply longer than requested or than the reply buffer",
            Self::Busy => "device held by another driver",
            Self::Access => "no permission to use the device",
            Self::Protocol => "reply broke the link's framing",
        })
    }
}

impl core::error::Error for TransportError {}

/// A link to a UPS: one command out, at most one reply in.
#[allow(async_fn_in_trait)]
pub trait Transport {
    /// Sends `command` and reads one reply into `reply`, returning its length. A device that
    /// says nothing within the link's timeout gives `Ok(0)`.
    async fn transact(&mut self, command: &[u8], reply: &mut [u8])
    -> Result<usize, TransportError>;
}

impl<T: Transport + ?Sized> Transport for &mut T {
    async fn transact(
        &mut self,
        command: &[u8],
        reply: &mut [u8],
    ) -> Result<usize, TransportError> {
        (**self).transact(command, reply).await
    }
}

/// Runs a future to completion by polling it in a loop, for links whose I/O never waits on a
/// waker: blocking adapters (their calls block inside `poll`), scripted devices and replays.
/// A future that does wait on a waker would spin here for as long as it waits: give those an
/// executor (embassy, tokio).
pub fn block_on<F: core::future::Future>(fut: F) -> F::Output {
    let mut fut = core::pin::pin!(fut);
    let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    loop {
        if let core::task::Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
    }
}
