//! Linux adapters for qxups.
pub mod serial;
