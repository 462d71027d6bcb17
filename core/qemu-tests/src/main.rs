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

use core::alloc::{GlobalAlloc, Layout};
use core::sync::atomic::{AtomicUsize, Ordering};

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
static HEAP: PeakHeap = PeakHeap {
    heap: Heap::empty(),
    peak: AtomicUsize::new(0),
};

/// The heap, in `.bss`: 256 KiB, six times the peak the run prints (the scripted tables,
/// the transcripts' parsed items and the replies). The stack gets the rest of the 4 MiB RAM
/// above it (see [`stack`]).
const HEAP_SIZE: usize = 256 * 1024;

/// The heap, recording the most it ever had in use.
struct PeakHeap {
    heap: Heap,
    peak: AtomicUsize,
}

// SAFETY: delegates to the heap; only records its use after each allocation (one core, no
// interrupts allocate, so a load and a store suffice).
unsafe impl GlobalAlloc for PeakHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let p = unsafe { self.heap.alloc(layout) };
        let used = self.heap.used();
        if used > self.peak.load(Ordering::Relaxed) {
            self.peak.store(used, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { self.heap.dealloc(ptr, layout) }
    }
}

/// What a test gives: `Err` carries the report printed under its `FAILED` line.
type Outcome = Result<(), String>;

/// The tally of the run.
#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    /// The deepest stack a test used, and its name.
    deepest: (usize, String),
}

impl Tally {
    /// Runs one test, prints its line, and measures its stack. Not inlined, and the test
    /// called through `dyn`, so that the measure is the test's own stack, not `main`'s frame.
    #[inline(never)]
    fn run(&mut self, name: &str, test: &dyn Fn() -> Outcome) {
        let high = stack::paint();
        let outcome = test();
        let used = stack::used(high);
        if used > self.deepest.0 {
            self.deepest = (used, String::from(name));
        }
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

/// One `Q1` over the serial link to a megatec virtual UPS with `fault`: the result, and how
/// long the link waited, in milliseconds.
fn serial_q1_under(fault: Fault) -> Result<(Result<usize, TransportError>, u64), String> {
    let mut v = VirtualUps::for_dialect(&qxups::dialect::megatec::DIALECT)
        .ok_or("no megatec virtual UPS")?;
    v.inject(fault, None);
    let mut link = SerialLink::new(v, Clock::default());
    let mut reply = [0u8; 64];
    let got = block_on(link.transact(b"Q1\r", &mut reply));
    let (_, clock) = link.into_inner();
    Ok((got, clock.0 / 1_000_000))
}

/// A silent device: the link waits the whole reply timeout, then reports "no answer"
/// (`Ok(0)`), which the dialect layer reads as such.
fn serial_silence_is_no_answer() -> Outcome {
    let (got, waited_ms) = serial_q1_under(Fault::NoAnswer)?;
    ensure(
        got == Ok(0) && waited_ms >= u64::from(REPLY_TIMEOUT_MS),
        || format!("got {got:?} after {waited_ms} ms"),
    )
}

/// A disconnected port is a typed transport error.
fn serial_disconnect_is_an_error() -> Outcome {
    let (got, _) = serial_q1_under(Fault::Disconnect)?;
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

/// Stack use, measured by painting: before each test the [`WINDOW`](stack::WINDOW) below the
/// stack pointer is filled with a pattern, and after it the deepest word no longer holding the
/// pattern is the test's high-water mark. The run prints the deepest test, so the room the stack
/// needs is a number, not a guess: up to about 110 KiB (detection, initialisation and an update
/// over a USB transport; the 14.7 KB `Ups` state is moved and cloned by value in nested
/// futures), more than lm3s6965evb's 64 KiB of RAM, hence mps2-an385 (4 MiB).
mod stack {
    const PAINT: u32 = 0x5AA5_A55A;
    /// How far below the caller's frame a test's stack is measured.
    pub const WINDOW: usize = 1024 * 1024;

    unsafe extern "C" {
        /// End of `.bss` / `.uninit` (cortex-m-rt's `link.x`): the lowest address the stack
        /// may reach.
        static __sheap: u32;
        /// Top of RAM, where the stack starts.
        static _stack_start: u32;
    }

    /// (lowest address the stack may reach, top of the stack).
    pub fn bounds() -> (usize, usize) {
        // Only the addresses of the linker symbols are taken.
        (
            &raw const __sheap as usize,
            &raw const _stack_start as usize,
        )
    }

    /// Paints the window below the current stack pointer (less a margin for this frame) and
    /// returns its top, the base [`used`] measures from.
    #[inline(never)]
    pub fn paint() -> usize {
        let (floor, _) = bounds();
        let high = (cortex_m::register::msp::read() as usize - 64) & !3;
        let mut p = high.saturating_sub(WINDOW).max(floor);
        while p < high {
            // SAFETY: the window is RAM nothing uses: above every static, below the stack.
            unsafe { core::ptr::write_volatile(p as *mut u32, PAINT) };
            p += 4;
        }
        high
    }

    /// Bytes of stack used below `high` (what [`paint`] returned) at the deepest point since
    /// (the whole window when it was used up).
    pub fn used(high: usize) -> usize {
        let (floor, _) = bounds();
        let mut p = high.saturating_sub(WINDOW).max(floor);
        // SAFETY: reads of the painted window only.
        while p < high && unsafe { core::ptr::read_volatile(p as *const u32) } == PAINT {
            p += 4;
        }
        high - p
    }
}

#[entry]
fn main() -> ! {
    {
        use core::mem::MaybeUninit;
        static mut HEAP_MEM: [MaybeUninit<u8>; HEAP_SIZE] = [MaybeUninit::uninit(); HEAP_SIZE];
        // SAFETY: runs once, before anything allocates; the array is used by nothing else.
        unsafe { HEAP.heap.init(&raw mut HEAP_MEM as usize, HEAP_SIZE) }
    }
    let mut tally = Tally::default();
    tally.run("scripted_device", &scripted_device);
    for (file, tsv, expected) in data::VECTORS {
        tally.run(&format!("vectors::{file}"), &|| {
            vector_check::check_dialect(file, tsv, expected).map(|_rows| ())
        });
    }
    tally.run(
        "vectors::every_dialect_has_vectors",
        &every_dialect_has_vectors,
    );
    for s in links::setups() {
        let mode = match (s.user.langid_fix, s.armac_interrupt) {
            (Some(_), _) => "+langid_fix",
            (None, true) => "+interrupt",
            (None, false) => "",
        };
        tally.run(&format!("usb::{}{mode}", s.sd), &|| links::q1_exchange(&s));
    }
    for d in AUTODETECT_ORDER.iter().filter(|d| !links::is_stub(d)) {
        tally.run(&format!("serial::{}", d.name), &|| links::over_serial(d));
        tally.run(&format!("serial::{}::in_pieces", d.name), &|| {
            links::over_serial_via(d, |ups| Drip { ups, ready: false })
        });
    }
    tally.run("serial::silence_is_no_answer", &serial_silence_is_no_answer);
    tally.run(
        "serial::disconnect_is_an_error",
        &serial_disconnect_is_an_error,
    );
    tally.run("serial::line_buffer", &line_buffer_pieces_and_overflow);
    tally.run("session::replay", &session_replay);
    tally.run("session::escaping", &session_escaping);
    #[cfg(feature = "force-fail")]
    tally.run("force_fail", &|| {
        Err(String::from("failed on purpose (feature force-fail)"))
    });
    let (low, top) = stack::bounds();
    hprintln!(
        "stack: deepest {} bytes ({}) of {} available",
        tally.deepest.0,
        tally.deepest.1,
        top - low
    );
    hprintln!(
        "heap: peak {} bytes of {}",
        HEAP.peak.load(Ordering::Relaxed),
        HEAP_SIZE
    );
    hprintln!("{} passed, {} failed", tally.passed, tally.failed);
    debug::exit(if tally.failed == 0 {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    #[allow(clippy::empty_loop)] // semihosting exit does not return under QEMU
    loop {}
}
