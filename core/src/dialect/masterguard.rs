//! `masterguard`. Not yet implemented.

use super::{Accepts, Claim, Dialect};

/// The dialect.
pub static DIALECT: Dialect = Dialect {
    name: "masterguard",
    version: "",
    items: &[],
    accepted: Some("ACK"),
    rejected: None,
    claim: Claim::items(&["never"]),
    accepts: Accepts::LIGHT,
    constants: &[],
};

/// Dialect state.
#[derive(Clone, Debug, Default)]
pub struct State {
    slave: Option<[u8; 2]>,
    voltages: heapless::Vec<heapless::String<8>, 8>,
}

impl State {
    /// The two-character slave address learned from `WH` (or set through `ups.id`).
    pub fn slave(&self) -> Option<[u8; 2]> {
        self.slave
    }

    /// Takes `id` (one or two digits) as the new slave address.
    pub fn set_slave(&mut self, id: &str) {
        if let Ok(n) = id.trim().parse::<u8>() {
            if n < 100 {
                self.slave = Some([b'0' + n / 10, b'0' + n % 10]);
            }
        }
    }

    /// The output voltages the device offers (`MSO`).
    pub fn output_voltages(&self) -> &[heapless::String<8>] {
        &self.voltages
    }
}
