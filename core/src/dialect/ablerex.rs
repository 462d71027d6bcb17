//! `ablerex`. Not yet implemented.

use super::{Accepts, Claim, Dialect};

/// The dialect.
pub static DIALECT: Dialect = Dialect {
    name: "ablerex",
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
pub struct State {}
