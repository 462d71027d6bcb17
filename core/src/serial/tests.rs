extern crate std;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::vec::Vec;

use super::*;
use crate::testkit::block_on;

/// A wire with a device at the other end: answers go out `per_tick` bytes per delay step.
#[derive(Default)]
struct Wire {
    table: Vec<(&'static [u8], &'static [u8])>,
    /// Bytes the device has still to send.
    pending: VecDeque<u8>,
    /// Bytes waiting at our end.
    rx: VecDeque<u8>,
    per_tick: usize,
    tx: Vec<u8>,
    now_ms: u64,
    dtr: Option<bool>,
    rts: Option<bool>,
    gone: bool,
}

#[derive(Clone, Default)]
struct Port(Rc<RefCell<Wire>>);
struct Delay(Rc<RefCell<Wire>>);

#[derive(Debug)]
struct PortError(ErrorKind);
impl embedded_io_async::Error for PortError {
    fn kind(&self) -> ErrorKind {
        self.0
    }
}
impl embedded_io_async::ErrorType for Port {
    type Error = PortError;
}
impl Read for Port {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, PortError> {
        let mut w = self.0.borrow_mut();
        if w.gone {
            return Err(PortError(ErrorKind::BrokenPipe));
        }
        let mut n = 0;
        while let (Some(slot), Some(b)) = (buf.get_mut(n), w.rx.front().copied()) {
            *slot = b;
            w.rx.pop_front();
            n += 1;
        }
        Ok(n)
    }
}
impl ReadReady for Port {
    fn read_ready(&mut self) -> Result<bool, PortError> {
        let w = self.0.borrow();
        Ok(w.gone || !w.rx.is_empty())
    }
}
impl Write for Port {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, PortError> {
        let mut w = self.0.borrow_mut();
        let take = buf.len().min(3); // partial writes
        w.tx.extend_from_slice(&buf[..take]);
        if w.tx.ends_with(b"\r") {
            let end = w.tx.len() - 1;
            let start = w.tx[..end]
                .iter()
                .rposition(|&b| b == b'\r')
                .map_or(0, |p| p + 1);
            let cmd = &w.tx[start..];
            let answer = w.table.iter().find(|(c, _)| *c == cmd).map(|(_, a)| *a);
            if let Some(a) = answer {
                w.pending.extend(a.iter().copied());
            }
            if w.per_tick == usize::MAX {
                let all: Vec<u8> = w.pending.drain(..).collect();
                w.rx.extend(all);
            }
        }
        Ok(take)
    }
}
impl ControlLines for Port {
    type Error = ();
    fn set_dtr(&mut self, on: bool) -> Result<(), ()> {
        self.0.borrow_mut().dtr = Some(on);
        Ok(())
    }
    fn set_rts(&mut self, on: bool) -> Result<(), ()> {
        self.0.borrow_mut().rts = Some(on);
        Ok(())
    }
}
impl DelayNs for Delay {
    async fn delay_ns(&mut self, ns: u32) {
        let mut w = self.0.borrow_mut();
        w.now_ms += u64::from(ns / 1_000_000);
        for _ in 0..w.per_tick {
            match w.pending.pop_front() {
                Some(b) => w.rx.push_back(b),
                None => break,
            }
        }
    }
}

const Q1: &[u8] = b"(226.0 195.0 226.0 014 49.0 27.5 30.0 00001000\r";

fn link(per_tick: usize) -> (SerialLink<Port, Delay>, Rc<RefCell<Wire>>) {
    let port = Port::default();
    {
        let mut w = port.0.borrow_mut();
        w.per_tick = per_tick;
        w.table = vec![(b"Q1\r", Q1), (b"LONG\r", &[b'#'; 600])];
    }
    let wire = port.0.clone();
    (SerialLink::new(port, Delay(wire.clone())), wire)
}

/// TV-19: 2400 8N1, `cablepower=normal`; flush, TX `Q1<CR>`, one CR line back; `Q<CR>` gets
/// silence, which returns 0 after the 1 s window.
#[test]
fn tv19_serial_exchange() {
    let (mut l, wire) = link(usize::MAX);
    block_on(l.start(CablePower::Normal)).unwrap();
    assert_eq!(
        (wire.borrow().dtr, wire.borrow().rts),
        (Some(true), Some(false))
    );
    assert_eq!(wire.borrow().now_ms, 1100);
    wire.borrow_mut()
        .rx
        .extend(b"stale\r(late answ".iter().copied());
    let mut reply = [0xAAu8; 511];
    let n = block_on(l.transact(b"Q1\r", &mut reply)).unwrap();
    assert_eq!(n, 47);
    assert_eq!(&reply[..n], Q1);
    assert!(reply[n..].iter().all(|&b| b == 0));
    assert_eq!(wire.borrow().tx, b"Q1\r");

    wire.borrow_mut().tx.clear();
    let before = wire.borrow().now_ms;
    assert_eq!(block_on(l.transact(b"Q\r", &mut reply)), Ok(0));
    assert_eq!(wire.borrow().tx, b"Q\r");
    let waited = wire.borrow().now_ms - before;
    assert!(
        (1000..1000 + u64::from(POLL_MS) + 1).contains(&waited),
        "{waited}"
    );
    l.stop().unwrap();
    assert_eq!(wire.borrow().dtr, Some(false));
}

#[test]
fn an_answer_trickling_in_at_2400_baud_arrives_whole() {
    let (mut l, _) = link(1);
    let mut reply = [0u8; 512];
    assert_eq!(block_on(l.transact(b"Q1\r", &mut reply)), Ok(47));
    assert_eq!(&reply[..47], Q1);
}

#[test]
fn a_line_that_never_ends_is_no_answer() {
    let (mut l, wire) = link(usize::MAX);
    wire.borrow_mut().table = vec![(b"Q1\r", b"(226.0 195.0")];
    let mut reply = [0u8; 512];
    assert_eq!(block_on(l.transact(b"Q1\r", &mut reply)), Ok(0));
}

#[test]
fn an_over_long_line_is_a_typed_error() {
    let (mut l, wire) = link(usize::MAX);
    let mut reply = [0u8; 512];
    assert_eq!(
        block_on(l.transact(b"LONG\r", &mut reply)),
        Err(TransportError::Overflow),
        "{:?}",
        wire.borrow().tx
    );
    // A reply buffer smaller than the line is the same error.
    let mut small = [0u8; 10];
    assert_eq!(
        block_on(l.transact(b"Q1\r", &mut small)),
        Err(TransportError::Overflow)
    );
    // And the link still works afterwards.
    assert_eq!(block_on(l.transact(b"Q1\r", &mut reply)), Ok(47));
}

#[test]
fn a_vanished_port_is_disconnected() {
    let (mut l, wire) = link(usize::MAX);
    wire.borrow_mut().gone = true;
    let mut reply = [0u8; 512];
    assert_eq!(
        block_on(l.transact(b"Q1\r", &mut reply)),
        Err(TransportError::Disconnected)
    );
}

#[test]
fn cablepower_modes() {
    let table = [
        ("normal", true, false),
        ("REVERSE", false, true),
        ("Both", true, true),
        ("none", false, false),
    ];
    for (name, dtr, rts) in table {
        let c: CablePower = name.parse().unwrap();
        assert_eq!((c.dtr(), c.rts()), (dtr, rts), "{name}");
        let (mut l, wire) = link(usize::MAX);
        l.set_cablepower(c).unwrap();
        assert_eq!(
            (wire.borrow().dtr, wire.borrow().rts),
            (Some(dtr), Some(rts))
        );
    }
    assert_eq!("off".parse::<CablePower>(), Err(UnknownCablePower));
    assert_eq!(CablePower::default(), CablePower::Normal);
}
