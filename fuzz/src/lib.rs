//! Shared pieces of the qxups fuzz targets: input formats, a table-driven device, an executor.

pub mod input;
pub mod usb;
