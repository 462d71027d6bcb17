//! Host-side support for the `qxups` command: decoding captured answers, and the Linux
//! adapters (serial tty, libusb).

pub mod decode;
pub mod runtime;
pub mod serial;
pub mod usb;
