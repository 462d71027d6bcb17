//! Core's `no_std` test subset on a Cortex-M under QEMU: every dialect's vectors, the USB and
//! serial transports, and the NUT session, run by a plain semihosting harness.
//!
//! Each test prints `test NAME ... ok|FAILED` (with the report of a failure), then the run
//! prints `N passed, M failed` and exits through semihosting with status 0 only if every test
//! passed; a panic exits with status 1 (`panic-semihosting`'s `exit` feature). Run with
//! `timeout 300 cargo run --release` (the runner in `.cargo/config.toml` starts
//! `qemu-system-arm -machine mps2-an385`).
//!
//! The test code shared with the host tests (`core/tests/common/`) needs `alloc`, so this
//! binary has a heap; core itself does not allocate.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use embedded_alloc::LlffHeap as Heap;
use panic_semihosting as _;

// The test code shared with the host tests (`core/tests/common/`).
#[path = "../../tests/common/links.rs"]
mod links;
#[path = "../../tests/common/replay.rs"]
mod replay;
#[path = "../../tests/common/script.rs"]
mod script;
#[path = "../../tests/common/vector_check.rs"]
mod vector_check;

/// The shared test data, embedded by `build.rs`.
mod data {
    include!(concat!(env!("OUT_DIR"), "/data.rs"));
}

use embedded_io_async::{ErrorType, Read, ReadReady, Write};
use links::{Clock, ensure};
use qxups::dialect::AUTODETECT_ORDER;
use qxups::serial::{Feed, LineBuffer, LineError, REPLY_TIMEOUT_MS, SerialLink};
use qxups::virtual_ups::{Fault, PeerError, VirtualUps};
use qxups::{Transport, TransportError};
use script::{ScriptedDevice, block_on, parse_tsv};

#[global_allocator]
static HEAP: Heap = Heap::empty();

/// The heap, in `.bss`. The vector checks clone the driver state and the scripted tables a few
/// hundred times; 1 MiB leaves room for fragmentation. The stack gets the rest of the 4 MiB
/// RAM above it (see [`stack`]).
const HEAP_SIZE: usize = 1024 * 1024;

/// What a test gives: `Err` carries the report printed under its `FAILED` line.
type Outcome = Result<(), String>;

/// The tally of the run.
#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
}

impl Tally {
    fn report(&mut self, name: &str, outcome: Outcome) {
        match outcome {
            Ok(()) => {
                self.passed += 1;
                hprintln!("test {} ... ok", name);
            }
            Err(report) => {
                self.failed += 1;
                hprintln!("test {} ... FAILED\n  {}", name, report);
            }
        }
    }
}

/// A device playing a table answers from it and records what it was sent.
fn scripted_device() -> Outcome {
    let mut device = ScriptedDevice::new(parse_tsv("Q1\\r\t(215.0\\r\n"), None);
    let mut reply = [0u8; 16];
    let n = block_on(device.transact(b"Q1\r", &mut reply)).map_err(|e| format!("{e:?}"))?;
    ensure(reply.get(..n) == Some(b"(215.0\r".as_slice()), || {
        format!("answer {:?}", reply.get(..n))
    })
}

/// Every dialect the driver knows has a vector pair (the host test checks the reverse).
fn every_dialect_has_vectors() -> Outcome {
    let missing: Vec<&str> = AUTODETECT_ORDER
        .iter()
        .map(|d| d.name)
        .filter(|name| {
            let stem = name.replace('/', "-");
            !data::VECTORS.iter().any(|(file, _, _)| *file == stem)
        })
        .collect();
    ensure(missing.is_empty(), || format!("no vectors for {missing:?}"))
}

/// A serial port that hands out the virtual UPS's answer three bytes at a time, and has
/// nothing waiting every other time it is asked: the link has to wait in steps and put each
/// line together from pieces.
struct Drip {
    ups: VirtualUps,
    ready: bool,
}

impl ErrorType for Drip {
    type Error = PeerError;
}

impl Read for Drip {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, PeerError> {
        let n = buf.len().min(3);
        self.ups.read(buf.get_mut(..n).unwrap_or_default()).await
    }
}

impl ReadReady for Drip {
    fn read_ready(&mut self) -> Result<bool, PeerError> {
        self.ready = !self.ready;
        Ok(self.ready && self.ups.read_ready()?)
    }
}

impl Write for Drip {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, PeerError> {
        self.ups.write(buf).await
    }
}

/// A silent device: the link waits the whole reply timeout, then reports "no answer"
/// (`Ok(0)`), which the dialect layer reads as such.
fn serial_silence_is_no_answer() -> Outcome {
    let mut v = VirtualUps::for_dialect(&qxups::dialect::megatec::DIALECT)
        .ok_or("no megatec virtual UPS")?;
    v.inject(Fault::NoAnswer, None);
    let mut link = SerialLink::new(v, Clock::default());
    let mut reply = [0u8; 64];
    let got = block_on(link.transact(b"Q1\r", &mut reply));
    let (_, clock) = link.into_inner();
    let waited_ms = clock.0 / 1_000_000;
    ensure(
        got == Ok(0) && waited_ms >= u64::from(REPLY_TIMEOUT_MS),
        || format!("got {got:?} after {waited_ms} ms"),
    )
}

/// A disconnected port is a typed transport error.
fn serial_disconnect_is_an_error() -> Outcome {
    let mut v = VirtualUps::for_dialect(&qxups::dialect::megatec::DIALECT)
        .ok_or("no megatec virtual UPS")?;
    v.inject(Fault::Disconnect, None);
    let mut link = SerialLink::new(v, Clock::default());
    let mut reply = [0u8; 64];
    let got = block_on(link.transact(b"Q1\r", &mut reply));
    ensure(
        matches!(got, Err(TransportError::Disconnected | TransportError::Io)),
        || format!("got {got:?}"),
    )
}

/// Lines come out whole however the bytes arrive; an over-long line is an error and the next
/// line after it comes out whole.
fn line_buffer_pieces_and_overflow() -> Outcome {
    let mut b = LineBuffer::<8>::new();
    let first = b.feed(b"(21");
    ensure(first == Ok(Feed::Pending), || {
        format!("first piece: {first:?}")
    })?;
    let second = b.feed(b"5.0\r(2");
    ensure(
        second
            == Ok(Feed::Line {
                line: b"(215.0\r",
                consumed: 4,
            }),
        || format!("second piece: {second:?}"),
    )?;
    let mut b = LineBuffer::<8>::new();
    let long = b.feed(b"0123456789");
    ensure(long == Err(LineError::TooLong { consumed: 9 }), || {
        format!("over-long line: {long:?}")
    })?;
    let rest = b.feed(b"xx\rOK\r");
    ensure(
        rest == Ok(Feed::Line {
            line: b"OK\r",
            consumed: 6,
        }),
        || format!("after it: {rest:?}"),
    )
}

/// Every transcript replayed through [`qxups::netserver::Session`] and a `FixedUps` matches
/// upsd's answers except the listed differences: logins, `LIST VAR`, `GET VAR`, the `ERR`
/// codes, the FSD latch, tracking, limits.
fn session_replay() -> Outcome {
    let s = replay::replay_all(data::TRANSCRIPTS)?;
    hprintln!(
        "  {} transcripts replayed, {} answer lines compared, {} differ as listed",
        s.replayed,
        s.compared,
        s.differing_lines
    );
    Ok(())
}

/// upsd's escaping of a value with quotes and backslashes, byte for byte.
fn session_escaping() -> Outcome {
    let text = |name: &str| -> &'static str {
        data::TRANSCRIPTS
            .iter()
            .find(|(f, _)| *f == name)
            .map_or("", |(_, t)| *t)
    };
    replay::escaping(text("escaping.txt"), text)
}

/// Stack use, measured by painting: the free RAM between the end of `.bss` (the heap array
/// included) and the stack pointer is filled with a pattern at the start, and the deepest word
/// no longer holding it at the end is the high-water mark. Printed with the results, so the
/// room the stack needs is a number, not a guess.
mod stack {
    const PAINT: u32 = 0x5AA5_A55A;

    unsafe extern "C" {
        /// End of `.bss` / `.uninit` (cortex-m-rt's `link.x`).
        static __sheap: u32;
        /// Top of RAM, where the stack starts.
        static _stack_start: u32;
    }

    fn bounds() -> (usize, usize) {
        // Only the addresses of the linker symbols are taken.
        (
            &raw const __sheap as usize,
            &raw const _stack_start as usize,
        )
    }

    /// Paints the free RAM below the current stack pointer (less a margin for this frame).
    pub fn paint() {
        let (low, _) = bounds();
        let sp = cortex_m::register::msp::read() as usize - 64;
        let mut p = low;
        while p < sp {
            // SAFETY: [low, sp) is RAM nothing uses: above every static, below the stack.
            unsafe { core::ptr::write_volatile(p as *mut u32, PAINT) };
            p += 4;
        }
    }

    /// (bytes of stack used at the deepest point, bytes available to the stack).
    pub fn used() -> (usize, usize) {
        let (low, top) = bounds();
        let mut p = low;
        // SAFETY: reads of the painted RAM only.
        while p < top && unsafe { core::ptr::read_volatile(p as *const u32) } == PAINT {
            p += 4;
        }
        (top - p, top - low)
    }
}

#[entry]
fn main() -> ! {
    {
        use core::mem::MaybeUninit;
        static mut HEAP_MEM: [MaybeUninit<u8>; HEAP_SIZE] = [MaybeUninit::uninit(); HEAP_SIZE];
        // SAFETY: runs once, before anything allocates; the array is used by nothing else.
        unsafe { HEAP.init(&raw mut HEAP_MEM as usize, HEAP_SIZE) }
    }
    stack::paint();
    let mut tally = Tally::default();
    tally.report("scripted_device", scripted_device());
    for (file, tsv, expected) in data::VECTORS {
        let outcome = vector_check::check_dialect(file, tsv, expected).map(|_rows| ());
        tally.report(&format!("vectors::{file}"), outcome);
    }
    tally.report(
        "vectors::every_dialect_has_vectors",
        every_dialect_has_vectors(),
    );
    for s in links::setups() {
        let mode = match (s.user.langid_fix, s.armac_interrupt) {
            (Some(_), _) => "+langid_fix",
            (None, true) => "+interrupt",
            (None, false) => "",
        };
        tally.report(&format!("usb::{}{mode}", s.sd), links::q1_exchange(&s));
    }
    for d in AUTODETECT_ORDER.iter().filter(|d| !links::is_stub(d)) {
        tally.report(&format!("serial::{}", d.name), links::over_serial(d));
        let drip = links::over_serial_via(d, |ups| Drip { ups, ready: false });
        tally.report(&format!("serial::{}::in_pieces", d.name), drip);
    }
    tally.report(
        "serial::silence_is_no_answer",
        serial_silence_is_no_answer(),
    );
    tally.report(
        "serial::disconnect_is_an_error",
        serial_disconnect_is_an_error(),
    );
    tally.report("serial::line_buffer", line_buffer_pieces_and_overflow());
    tally.report("session::replay", session_replay());
    tally.report("session::escaping", session_escaping());
    #[cfg(feature = "force-fail")]
    tally.report(
        "force_fail",
        Err(String::from("failed on purpose (feature force-fail)")),
    );
    let (used, room) = stack::used();
    hprintln!("stack: {} bytes used of {}", used, room);
    hprintln!("{} passed, {} failed", tally.passed, tally.failed);
    debug::exit(if tally.failed == 0 {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    #[allow(clippy::empty_loop)] // semihosting exit does not return under QEMU
    loop {}
}
