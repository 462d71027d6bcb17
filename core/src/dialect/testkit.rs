//! Test support for the dialect unit tests: a scripted device and an executor.

use crate::{Transport, TransportError};
use std::task::{Context, Poll, Waker};
use std::vec::Vec;

/// Runs a future whose I/O is always ready.
pub(crate) fn block_on<F: core::future::Future>(fut: F) -> F::Output {
    let mut fut = core::pin::pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// Answers from a table; other commands get `fallback`, or are echoed when it is `None`.
pub(crate) struct Device {
    pub(crate) table: Vec<(&'static [u8], &'static [u8])>,
    pub(crate) fallback: Option<&'static [u8]>,
    pub(crate) sent: Vec<Vec<u8>>,
}

impl Device {
    pub(crate) fn new(
        table: &[(&'static [u8], &'static [u8])],
        fallback: Option<&'static [u8]>,
    ) -> Self {
        Self {
            table: table.to_vec(),
            fallback,
            sent: Vec::new(),
        }
    }
}

impl Transport for Device {
    async fn transact(
        &mut self,
        command: &[u8],
        reply: &mut [u8],
    ) -> Result<usize, TransportError> {
        self.sent.push(command.to_vec());
        let answer = self
            .table
            .iter()
            .find(|(c, _)| *c == command)
            .map(|(_, a)| *a)
            .or(self.fallback)
            .unwrap_or(command);
        let n = answer.len().min(reply.len());
        reply[..n].copy_from_slice(&answer[..n]);
        Ok(n)
    }
}
