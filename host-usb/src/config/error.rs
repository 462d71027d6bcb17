//! Configuration errors: where (file, line, column), what, and a hint when one helps.

use std::fmt;

/// A position in the configuration text, 1-based. `0:0` is "not from a file" (a command-line
/// option).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    /// Line.
    pub line: usize,
    /// Column, in characters.
    pub column: usize,
}

/// What is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file could not be read.
    Io(String),
    /// A `"` without its closing `"`.
    UnterminatedQuote,
    /// A line starting with `[` that is not a valid section header.
    BadSection(&'static str),
    /// The same `[name]` twice.
    DuplicateSection(String),
    /// Two or more words without `=`.
    ExpectedAssignment,
    /// `= value` without a key.
    EmptyKey,
    /// A key this program does not know, with the closest known one.
    UnknownKey {
        /// The key as written.
        key: String,
        /// The closest known key, if one is close.
        suggestion: Option<&'static str>,
        /// It was before the first section.
        global: bool,
    },
    /// A key that needs a value was written as a bare flag.
    MissingValue(String),
    /// A value that does not fit its key.
    BadValue {
        /// The key.
        key: String,
        /// The value as written.
        value: String,
        /// What the key accepts.
        expected: String,
    },
    /// `driver` names a driver other than nutdrv_qx, blazer_usb and blazer_ser.
    UnsupportedDriver(String),
    /// `protocol` names no dialect.
    UnknownProtocol {
        /// The value.
        value: String,
        /// The closest name, if one is close.
        suggestion: Option<&'static str>,
    },
    /// `subdriver` names no USB transport.
    UnknownSubdriver {
        /// The value.
        value: String,
        /// The closest name, if one is close.
        suggestion: Option<&'static str>,
    },
    /// More `default.*` or `override.*` entries than the engine keeps.
    TooManyPresets {
        /// `default` or `override`.
        kind: &'static str,
        /// The limit.
        max: usize,
    },
    /// A section lacks a required key (`driver`, `port`).
    MissingKey {
        /// The section.
        section: String,
        /// The key.
        key: &'static str,
    },
    /// Keys that contradict each other (e.g. `driver = blazer_ser` with `port = auto`).
    Conflict(String),
    /// The file has no section.
    NoSection,
    /// The asked-for section is not in the file.
    SectionNotFound {
        /// The name asked for.
        name: String,
        /// The names in the file.
        available: Vec<String>,
    },
    /// Several sections and none named.
    AmbiguousSection(Vec<String>),
}

/// A configuration error with its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The file (or `<command line>`).
    pub origin: String,
    /// Where; `0:0` when not tied to a line.
    pub pos: Pos,
    /// What.
    pub kind: ErrorKind,
}

impl ConfigError {
    /// An error at `pos` of `origin`.
    pub fn new(origin: &str, pos: Pos, kind: ErrorKind) -> Self {
        Self {
            origin: origin.to_owned(),
            pos,
            kind,
        }
    }

    /// A hint for the user, when there is one (shown by `Display` on its own line).
    pub fn hint(&self) -> Option<String> {
        match &self.kind {
            ErrorKind::UnknownKey {
                suggestion: Some(s),
                ..
            }
            | ErrorKind::UnknownProtocol {
                suggestion: Some(s),
                ..
            }
            | ErrorKind::UnknownSubdriver {
                suggestion: Some(s),
                ..
            } => Some(format!("did you mean `{s}`?")),
            ErrorKind::UnknownProtocol { .. } => Some(format!(
                "valid protocols: {}",
                super::protocol_names().join(", ")
            )),
            ErrorKind::UnknownSubdriver { .. } => Some(format!(
                "valid subdrivers: {}",
                qxups::usb::Subdriver::ALL.map(|s| s.name()).join(", ")
            )),
            ErrorKind::UnsupportedDriver(_) => Some(
                "qxups stands in for nutdrv_qx, blazer_usb and blazer_ser; other drivers \
                 belong to NUT"
                    .to_owned(),
            ),
            ErrorKind::ExpectedAssignment => Some("write `key = value`".to_owned()),
            ErrorKind::UnterminatedQuote => Some("close the quote with `\"`".to_owned()),
            ErrorKind::SectionNotFound { available, .. }
            | ErrorKind::AmbiguousSection(available) => {
                Some(format!("sections in the file: {}", available.join(", ")))
            }
            _ => None,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(e) => write!(f, "cannot read the file: {e}"),
            Self::UnterminatedQuote => f.write_str("unterminated quote"),
            Self::BadSection(why) => write!(f, "bad section header: {why}"),
            Self::DuplicateSection(name) => write!(f, "section [{name}] appears twice"),
            Self::ExpectedAssignment => f.write_str("expected `key = value` or a single flag"),
            Self::EmptyKey => f.write_str("`=` without a key before it"),
            Self::UnknownKey { key, global, .. } => {
                if *global {
                    write!(f, "unknown global directive `{key}`")
                } else {
                    write!(f, "unknown option `{key}`")
                }
            }
            Self::MissingValue(key) => write!(f, "`{key}` needs a value: `{key} = ...`"),
            Self::BadValue {
                key,
                value,
                expected,
            } => write!(f, "bad value `{value}` for `{key}`: {expected}"),
            Self::UnsupportedDriver(d) => write!(
                f,
                "driver `{d}` is not supported (use nutdrv_qx, blazer_usb or blazer_ser)"
            ),
            Self::UnknownProtocol { value, .. } => write!(f, "unknown protocol `{value}`"),
            Self::UnknownSubdriver { value, .. } => write!(f, "unknown subdriver `{value}`"),
            Self::TooManyPresets { kind, max } => {
                write!(f, "more than {max} `{kind}.*` entries")
            }
            Self::MissingKey { section, key } => {
                write!(f, "section [{section}] has no `{key}`")
            }
            Self::Conflict(why) => f.write_str(why),
            Self::NoSection => f.write_str("no [section] in the file"),
            Self::SectionNotFound { name, .. } => write!(f, "no section [{name}]"),
            Self::AmbiguousSection(_) => f.write_str("several sections; name the one to use"),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pos.line == 0 {
            write!(f, "{}: {}", self.origin, self.kind)?;
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.origin, self.pos.line, self.pos.column, self.kind
            )?;
        }
        if let Some(hint) = self.hint() {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// Levenshtein distance, by characters, ignoring ASCII case.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().map(|c| c.to_ascii_lowercase()).enumerate() {
        let mut left = i.saturating_add(1);
        let mut next = Vec::with_capacity(row.len());
        next.push(left);
        for (cb, (&up_left, &up)) in b.iter().zip(row.iter().zip(row.iter().skip(1))) {
            let cost = usize::from(ca != *cb);
            let value = (up_left.saturating_add(cost))
                .min(up.saturating_add(1))
                .min(left.saturating_add(1));
            left = value;
            next.push(value);
        }
        row = next;
    }
    row.last().copied().unwrap_or(0)
}

/// The candidate closest to `word`, if it is close enough to be a likely typo: at most a third
/// of the word's length (and at least 1, at most 3) edits away.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("novender", "novendor"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("PollFreq", "pollfreq"), 0);
    }

    #[test]
    fn closest_picks_a_near_word_only() {
        let keys = ["novendor", "norating", "nooutstats"];
        assert_eq!(closest("novender", keys), Some("novendor"));
        assert_eq!(closest("noratng", keys), Some("norating"));
        assert_eq!(closest("zzzzzzzz", keys), None);
    }

    #[test]
    fn display_has_place_and_hint() {
        let e = ConfigError::new(
            "/etc/nut/ups.conf",
            Pos { line: 7, column: 3 },
            ErrorKind::UnknownKey {
                key: "novender".into(),
                suggestion: Some("novendor"),
                global: false,
            },
        );
        assert_eq!(
            e.to_string(),
            "/etc/nut/ups.conf:7:3: unknown option `novender`\n  hint: did you mean `novendor`?"
        );
    }
}
