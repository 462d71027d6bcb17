//! Host-side support for the `qxups` command: decoding captured answers (and, later, the Linux
//! USB and serial links).

pub mod decode;
