//! Host-side support for the `qxups` command: decoding captured answers, and the Linux
//! adapters (serial tty, libusb).

pub mod config;
pub mod udev;

pub mod decode;
pub mod link;
pub mod pty;
pub mod runtime;
pub mod serial;
pub mod session;
pub mod usb;
