//! Decoding captured answers offline: one device answer to one query command, run through
//! [`qxups::Ups::decode`] exactly as the driver would read it, and the NUT variables it yields.
//!
//! Everything here is generic over the dialect table: a dialect added to
//! [`qxups::dialect::AUTODETECT_ORDER`] is decodable and listed without any change here.

use std::collections::BTreeMap;
use std::fmt;

use qxups::dialect::{AUTODETECT_ORDER, Dialect};
use qxups::ups::WalkError;
use qxups::{Options, Ups};

/// The name given to `--protocol` is not a dialect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownProtocol(pub String);

impl fmt::Display for UnknownProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown protocol {:?}; valid protocols: {}",
            self.0,
            dialect_names().join(", ")
        )
    }
}

impl std::error::Error for UnknownProtocol {}

/// The command is not one of the dialect's queries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownCommand {
    /// The dialect.
    pub dialect: &'static str,
    /// The command as given (escaped).
    pub command: String,
}

impl fmt::Display for UnknownCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let queries: Vec<String> = by_name(self.dialect)
            .map(|d| d.queries().map(escape).collect())
            .unwrap_or_default();
        write!(
            f,
            "{} does not send the query {:?}; its queries: {}",
            self.dialect,
            self.command,
            queries.join(" ")
        )
    }
}

impl std::error::Error for UnknownCommand {}

/// The `protocol=` names of every dialect, in autodetection order.
pub fn dialect_names() -> Vec<&'static str> {
    AUTODETECT_ORDER.iter().map(|d| d.name).collect()
}

fn by_name(name: &str) -> Option<&'static Dialect> {
    qxups::dialect::by_name(name)
}

/// The dialect called `name` (ignoring ASCII case).
pub fn dialect(name: &str) -> Result<&'static Dialect, UnknownProtocol> {
    by_name(name).ok_or_else(|| UnknownProtocol(name.to_owned()))
}

/// Turns the escapes people type for control bytes into bytes ([`qxups::trace::unescape`]).
pub fn unescape(text: &str) -> Vec<u8> {
    qxups::trace::unescape(text).collect()
}

/// Bytes written back as typed ([`qxups::trace::Escaped`]).
pub fn escape(bytes: &[u8]) -> String {
    qxups::trace::Escaped(bytes).to_string()
}

/// The query of `dialect` that `command` names: as given, or with the missing trailing CR
/// added. Case is ignored, as the driver ignores it.
pub fn resolve_command(
    dialect: &'static Dialect,
    command: &[u8],
) -> Result<Vec<u8>, UnknownCommand> {
    let mut with_cr = command.to_vec();
    with_cr.push(b'\r');
    [command.to_vec(), with_cr]
        .into_iter()
        .find(|c| dialect.queries().any(|q| q.eq_ignore_ascii_case(c)))
        .ok_or_else(|| UnknownCommand {
            dialect: dialect.name,
            command: escape(command),
        })
}

/// What one answer yields.
#[derive(Clone, Debug)]
pub struct Decoded {
    /// The answer as read.
    pub answer: Vec<u8>,
    /// Every NUT variable it published, by name.
    pub vars: BTreeMap<&'static str, String>,
    /// The first item that failed to read its value, if any (the others were still read).
    pub error: Option<WalkError>,
}

impl Decoded {
    /// The variables as `name: value` lines sorted by name, the way `upsc` prints them.
    pub fn to_upsc(&self) -> String {
        self.vars
            .iter()
            .map(|(name, value)| format!("{name}: {value}\n"))
            .collect()
    }

    /// One JSON object: `command`, `answer` (escaped), `variables`, and `error` (`null`, or
    /// `{"item": …, "message": …}`).
    pub fn to_json(&self, command: &[u8]) -> serde_json::Value {
        let error = self.error.map_or(
            serde_json::Value::Null,
            |e| serde_json::json!({ "item": e.item, "message": e.error.to_string() }),
        );
        serde_json::json!({
            "command": escape(command),
            "answer": escape(&self.answer),
            "variables": self.vars,
            "error": error,
        })
    }
}

/// Reads `answer` as `dialect`'s reply to `command` (already resolved with
/// [`resolve_command`]) on a fresh [`Ups`] with default options, so the variables are exactly
/// those this one answer yields.
pub fn decode(dialect: &'static Dialect, command: &[u8], answer: &[u8]) -> Decoded {
    let mut ups = Ups::new(dialect, Options::new());
    let error = ups.decode(command, answer).err();
    let vars = ups
        .vars()
        .iter()
        .map(|v| (v.name(), v.value().to_owned()))
        .collect();
    Decoded {
        answer: answer.to_vec(),
        vars,
        error,
    }
}

/// One dialect as `--list` shows it: name and version, its queries (escaped) and its instant
/// commands.
pub fn describe(dialect: &Dialect) -> String {
    let queries: Vec<String> = dialect.queries().map(escape).collect();
    let commands: Vec<&str> = dialect.commands().map(|c| c.name).collect();
    format!(
        "{} ({})\n  queries:  {}\n  commands: {}\n",
        dialect.name,
        dialect.version,
        queries.join(" "),
        if commands.is_empty() {
            "-".to_owned()
        } else {
            commands.join(" ")
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_round_trip() {
        let raw = b"(1\r\n\\\x01";
        assert_eq!(unescape(&escape(raw)), raw);
        assert_eq!(unescape("Q1\\r"), b"Q1\r");
        assert_eq!(unescape("a\\qb\\"), b"a\\qb\\");
    }

    #[test]
    fn command_gets_its_cr() {
        let d = dialect("megatec").unwrap();
        assert_eq!(resolve_command(d, b"q1").unwrap(), b"q1\r");
        assert!(resolve_command(d, b"XYZ").is_err());
    }
}
