//! # qxups — the Megatec Q* UPS protocol family, `no_std`
//!
//! The layers, bottom up:
//!
//! * [`number`] — exact decimals: device text to [`number::Decimal`], computations on
//!   [`number::Ratio`], NUT strings rounded like C's `%.Nf`. No floats.
//! * [`wire`] — zero-copy views of answers: [`wire::Check`] validates once (length, lead
//!   byte, the dialect's refusal), [`wire::Window`] slices a field, and typed views such as
//!   [`wire::q1::Q1Frame`] read the layouts many dialects share.
//! * [`dialect`] — every dialect as `const` tables: what to send, where each value is, how it
//!   becomes a NUT variable, commands, settable variables and the claim.
//! * [`nut`] — the NUT variable tree and `ups.status` / `ups.alarm`.
//! * [`ups`] — [`Ups`], which walks a dialect over any [`Transport`]: claim and autodetection,
//!   initialisation, quick and full updates, battery estimation, instant commands, setvars.
//! * [`usb`] — the 14 USB subdrivers as one [`Transport`] over a small async
//!   [`usb::UsbHost`] trait (control and interrupt transfers), and the USB device table.
//!
//! ## The no-panic contract
//!
//! No input — a garbled or cut-off answer, a hostile argument — makes the core panic: every
//! failure is a small `Copy` error enum that says which check failed. The crate forbids
//! `unsafe`, and `unwrap`, `expect`, `panic!` and unchecked indexing are denied outside tests.
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub(crate) mod fmt;

pub mod dialect;
pub mod driver;
pub mod math;
pub mod netserver;
pub mod number;
pub mod nut;
pub mod options;
pub mod serial;
pub mod trace;
pub mod transport;
pub mod ups;
pub mod usb;
pub mod virtual_ups;
pub mod wire;

/// Test support shared by the unit tests: an executor and a scripted device.
#[cfg(test)]
pub(crate) mod testkit;

pub use dialect::Dialect;
pub use options::Options;
pub use transport::{Transport, TransportError, block_on};
pub use ups::{Poll, Ups, detect};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
