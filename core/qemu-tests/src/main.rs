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

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use embedded_alloc::LlffHeap as Heap;
use panic_semihosting as _;

#[path = "../../tests/common/script.rs"]
mod script;
#[path = "../../tests/common/vector_check.rs"]
mod vector_check;

/// The shared test data, embedded by `build.rs`.
mod data {
    include!(concat!(env!("OUT_DIR"), "/data.rs"));
}

use script::{ScriptedDevice, block_on, parse_tsv};

#[global_allocator]
static HEAP: Heap = Heap::empty();

/// The heap, in `.bss`. The vector checks clone the driver state and the scripted tables a few
/// hundred times; 1 MiB leaves room for fragmentation. The stack gets the rest of the 4 MiB
/// RAM above it (see [`stack`]).
const HEAP_SIZE: usize = 1024 * 1024;

/// What a test gives: `Err` carries the report printed under its `FAILED` line.
type Outcome = Result<(), String>;

/// `Err(report)` unless `ok`.
fn ensure(ok: bool, report: impl FnOnce() -> String) -> Outcome {
    if ok { Ok(()) } else { Err(report()) }
}

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
    let n = block_on(qxups::Transport::transact(&mut device, b"Q1\r", &mut reply))
        .map_err(|e| format!("{e:?}"))?;
    ensure(reply.get(..n) == Some(b"(215.0\r".as_slice()), || {
        format!("answer {:?}", reply.get(..n))
    })
}

/// Every dialect the driver knows has a vector pair (the host test checks the reverse).
fn every_dialect_has_vectors() -> Outcome {
    let missing: alloc::vec::Vec<&str> = qxups::dialect::AUTODETECT_ORDER
        .iter()
        .map(|d| d.name)
        .filter(|name| {
            let stem = name.replace('/', "-");
            !data::VECTORS.iter().any(|(file, _, _)| *file == stem)
        })
        .collect();
    ensure(missing.is_empty(), || format!("no vectors for {missing:?}"))
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
