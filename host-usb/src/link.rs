//! The links the `qxups` command talks through, behind core's one [`Transport`] trait: the
//! built-in virtual UPS (`--simulate`), a serial port, and (with the USB adapter) libusb. Two
//! wrappers work on any of them: [`Capture`] records every exchange to a replayable trace, and
//! [`Verbose`] logs every frame.

use std::time::Instant;

use qxups::trace::Escaped;
use qxups::virtual_ups::VirtualUps;
use qxups::{Dialect, Transport, TransportError};

/// The built-in virtual UPS, with its clock following the wall clock so that its battery
/// drains and recharges in real time.
#[derive(Debug)]
pub struct Simulated {
    ups: VirtualUps,
    start: Instant,
    last: Instant,
    /// A scripted mains failure: milliseconds after the start.
    power_fail_at: Option<u64>,
    /// A scripted nearly-empty battery: milliseconds after the start.
    low_battery_at: Option<u64>,
}

impl Simulated {
    /// A healthy virtual UPS speaking `dialect`, or `None` for a dialect it cannot play.
    pub fn new(dialect: &Dialect) -> Option<Self> {
        let now = Instant::now();
        Some(Self {
            ups: VirtualUps::for_dialect(dialect)?,
            start: now,
            last: now,
            power_fail_at: None,
            low_battery_at: None,
        })
    }

    /// Makes the mains fail `ms` milliseconds from the start (a demo of the on-battery path,
    /// and what the tests use).
    pub fn fail_power_after(&mut self, ms: u64) {
        self.power_fail_at = Some(ms);
    }

    /// Makes the battery nearly empty `ms` milliseconds from the start: on battery the UPS
    /// then reports `LB` at once, instead of after the hour a full battery lasts.
    pub fn low_battery_after(&mut self, ms: u64) {
        self.low_battery_at = Some(ms);
    }

    /// The device itself, to change its state or inject faults.
    pub fn device(&mut self) -> &mut VirtualUps {
        &mut self.ups
    }

    fn catch_up(&mut self) {
        let now = Instant::now();
        let ms = now.duration_since(self.last).as_millis();
        self.ups.advance(u64::try_from(ms).unwrap_or(u64::MAX));
        self.last = now;
        let since_start =
            u64::try_from(now.duration_since(self.start).as_millis()).unwrap_or(u64::MAX);
        if self.power_fail_at.is_some_and(|at| since_start >= at) {
            self.power_fail_at = None;
            self.ups.state.power_fail();
        }
        if self.low_battery_at.is_some_and(|at| since_start >= at) {
            self.low_battery_at = None;
            let state = &mut self.ups.state;
            let low = state
                .low_battery_charge
                .saturating_sub(1)
                .saturating_mul(1000);
            state.set_charge(low);
            // advance() re-derives LB from the charge; run it so the next answer has it.
            state.advance(0);
        }
    }
}

impl Transport for Simulated {
    async fn transact(
        &mut self,
        command: &[u8],
        reply: &mut [u8],
    ) -> Result<usize, TransportError> {
        self.catch_up();
        self.ups.transact(command, reply).await
    }
}

/// Records every exchange as a trace row (`COMMAND<TAB>ANSWER<TAB># +ms`), the format
/// `qxups decode --trace` replays.
#[derive(Debug)]
pub struct Capture<T, W> {
    inner: T,
    out: W,
    start: Instant,
}

/// The first line of a trace: which dialect the rows speak.
pub fn trace_header(dialect: &str) -> String {
    format!("# qxups trace protocol={dialect}\n")
}

/// The dialect a trace names in its header line, if any.
pub fn trace_protocol(trace: &str) -> Option<&str> {
    trace
        .lines()
        .find_map(|l| l.strip_prefix("# qxups trace protocol="))
        .map(str::trim)
}

impl<T, W: std::io::Write> Capture<T, W> {
    /// Records `inner`'s exchanges to `out`.
    pub fn new(inner: T, out: W) -> Self {
        Self {
            inner,
            out,
            start: Instant::now(),
        }
    }

    /// Writes a comment line (the header, a note).
    pub fn note(&mut self, line: &str) {
        let _ = self.out.write_all(line.as_bytes());
        let _ = self.out.flush();
    }

    /// The wrapped link.
    pub fn inner(&mut self) -> &mut T {
        &mut self.inner
    }
}

impl<T: Transport, W: std::io::Write> Transport for Capture<T, W> {
    async fn transact(
        &mut self,
        command: &[u8],
        reply: &mut [u8],
    ) -> Result<usize, TransportError> {
        let result = self.inner.transact(command, reply).await;
        let ms = self.start.elapsed().as_millis();
        let row = match &result {
            Ok(n) => format!(
                "{}\t{}\t# +{ms}ms\n",
                Escaped(command),
                Escaped(reply.get(..*n).unwrap_or(&[]))
            ),
            Err(e) => format!("# +{ms}ms {}: link error: {e}\n", Escaped(command)),
        };
        let _ = self.out.write_all(row.as_bytes());
        let _ = self.out.flush();
        result
    }
}

/// Logs every frame sent and received on standard error (`-vv`).
#[derive(Debug)]
pub struct Verbose<T> {
    inner: T,
    on: bool,
}

impl<T> Verbose<T> {
    /// Logs `inner`'s frames when `on`.
    pub fn new(inner: T, on: bool) -> Self {
        Self { inner, on }
    }

    /// The wrapped link.
    pub fn inner(&mut self) -> &mut T {
        &mut self.inner
    }
}

impl<T: Transport> Transport for Verbose<T> {
    async fn transact(
        &mut self,
        command: &[u8],
        reply: &mut [u8],
    ) -> Result<usize, TransportError> {
        if self.on {
            eprintln!("> {}", Escaped(command));
        }
        let result = self.inner.transact(command, reply).await;
        if self.on {
            match &result {
                Ok(0) => eprintln!("< (no answer)"),
                Ok(n) => eprintln!("< {}", Escaped(reply.get(..*n).unwrap_or(&[]))),
                Err(e) => eprintln!("< link error: {e}"),
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serial::block_on;

    #[test]
    fn capture_writes_replayable_rows() {
        let dialect = qxups::dialect::by_name("megatec").unwrap();
        let mut link = Capture::new(Simulated::new(dialect).unwrap(), Vec::new());
        link.note(&trace_header("megatec"));
        let mut reply = [0u8; 128];
        let n = block_on(link.transact(b"Q1\r", &mut reply)).unwrap();
        assert!(n > 40);
        let text = String::from_utf8(link.out.clone()).unwrap();
        assert_eq!(trace_protocol(&text), Some("megatec"));
        let row = qxups::trace::rows(&text).next().unwrap();
        assert_eq!(row.command, "Q1\\r");
        let answer: Vec<u8> = qxups::trace::unescape(row.answer).collect();
        assert_eq!(answer, reply[..n]);
    }

    #[test]
    fn every_dialect_can_be_simulated() {
        for d in qxups::dialect::AUTODETECT_ORDER {
            assert!(Simulated::new(d).is_some(), "{}", d.name);
        }
    }
}
