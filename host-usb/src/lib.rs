//! Host-side support for the `qxups` command: decoding captured answers, the Linux
//! adapters (serial tty, libusb), and the NUT network server (`qxups serve`).

pub mod config;
pub mod udev;

pub mod decode;
pub mod link;
pub mod pty;
pub mod runtime;
pub mod serial;
pub mod serve;
pub mod session;
pub mod usb;
