//! Host-side support for the `qxups` command: decoding captured answers, and the Linux
//! serial adapter.

pub mod config;
pub mod udev;

pub mod decode;
pub mod link;
pub mod pty;
pub mod serial;
pub mod session;
