//! The `ups.conf` file syntax (NUT's ups.conf(5) and its configuration-file notes), without
//! any meaning attached to the keys:
//!
//! * global lines first, then `[name]` sections that run to the next section or the end;
//! * `key = value` (the spaces around `=` are optional here; NUT wants them), a bare word is a
//!   flag;
//! * `"..."` quotes a value with spaces or `#`; a backslash takes the next character literally
//!   (`\"`, `\\`, `\#`), inside quotes or not;
//! * `#` outside quotes starts a comment;
//! * a backslash at the very end of a line joins the next line to it.
//!
//! Leniencies beyond NUT, so a hand-written file rather works than fails: `key=value` without
//! spaces, and an unquoted value of several words (kept joined by single spaces, with a
//! warning from the caller).

use super::error::{ConfigError, ErrorKind, Pos};

/// One `key [= value]` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The key as written (`driver`, `default.battery.voltage.high`, `novendor`).
    pub key: String,
    /// The value; `None` for a bare flag.
    pub value: Option<String>,
    /// Where the key is.
    pub pos: Pos,
    /// Where the value starts (the key's position for a flag).
    pub value_pos: Pos,
    /// The value was several unquoted words, joined here by single spaces.
    pub joined_words: bool,
}

impl Entry {
    /// An entry given outside a file (a command-line `-x key=value`), at position 0:0.
    pub fn new(key: &str, value: Option<&str>) -> Self {
        Self {
            key: key.to_owned(),
            value: value.map(str::to_owned),
            pos: Pos::default(),
            value_pos: Pos::default(),
            joined_words: false,
        }
    }
}

/// One `[name]` section and its entries, in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// The name between the brackets.
    pub name: String,
    /// Where the header is.
    pub pos: Pos,
    /// The entries.
    pub entries: Vec<Entry>,
}

/// A parsed `ups.conf`: global entries and sections, no meaning checked yet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfFile {
    /// Where the text came from (a path, or a name such as `<command line>`), for messages.
    pub origin: String,
    /// Entries before the first section.
    pub globals: Vec<Entry>,
    /// The sections, in file order.
    pub sections: Vec<Section>,
}

/// A word of a line: its text after quotes and escapes, and where it began.
#[derive(Debug)]
struct Word {
    text: String,
    column: usize,
    /// Byte offset in `text` of the first `=` that was neither quoted nor escaped.
    bare_eq: Option<usize>,
    /// The word began with an unquoted `[`.
    bare_open: bool,
}

/// A logical line: physical lines joined by a trailing backslash.
struct Logical {
    line: usize,
    /// (character, physical line, column) for each character.
    chars: Vec<(char, usize, usize)>,
}

fn logical_lines(text: &str) -> Vec<Logical> {
    let mut out = Vec::new();
    let mut current: Option<Logical> = None;
    for (n, raw) in text.lines().enumerate() {
        let line = n.saturating_add(1);
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let logical = current.get_or_insert_with(|| Logical {
            line,
            chars: Vec::new(),
        });
        // An odd number of trailing backslashes continues the line; an even number is
        // escaped backslashes.
        let trailing = raw.chars().rev().take_while(|&c| c == '\\').count();
        let (body, continues) = if trailing % 2 == 1 {
            (raw.strip_suffix('\\').unwrap_or(raw), true)
        } else {
            (raw, false)
        };
        logical.chars.extend(
            body.chars()
                .enumerate()
                .map(|(i, c)| (c, line, i.saturating_add(1))),
        );
        if !continues {
            if let Some(done) = current.take() {
                out.push(done);
            }
        }
    }
    if let Some(done) = current.take() {
        out.push(done);
    }
    out
}

fn split_words(logical: &Logical, origin: &str) -> Result<Vec<Word>, ConfigError> {
    let mut words = Vec::new();
    let mut chars = logical.chars.iter().copied().peekable();
    let mut word: Option<Word> = None;
    let mut quote_start: Option<Pos> = None;
    while let Some((c, line, column)) = chars.next() {
        let here = Pos { line, column };
        if quote_start.is_none() {
            if c == '#' {
                break;
            }
            if c.is_whitespace() {
                if let Some(w) = word.take() {
                    words.push(w);
                }
                continue;
            }
        }
        let w = word.get_or_insert_with(|| Word {
            text: String::new(),
            column,
            bare_eq: None,
            bare_open: quote_start.is_none() && c == '[',
        });
        match c {
            '\\' => {
                // Nothing after it only at the end of the file (a dangling continuation).
                if let Some((next, _, _)) = chars.next() {
                    w.text.push(next);
                }
            }
            '"' => {
                quote_start = match quote_start {
                    Some(_) => None,
                    None => Some(here),
                };
            }
            '=' if quote_start.is_none() => {
                if w.bare_eq.is_none() {
                    w.bare_eq = Some(w.text.len());
                }
                w.text.push('=');
            }
            _ => w.text.push(c),
        }
    }
    if let Some(start) = quote_start {
        return Err(ConfigError::new(
            origin,
            start,
            ErrorKind::UnterminatedQuote,
        ));
    }
    if let Some(w) = word.take() {
        words.push(w);
    }
    Ok(words)
}

/// Parses `ups.conf` text. `origin` names it in messages.
pub fn parse(text: &str, origin: &str) -> Result<ConfFile, ConfigError> {
    let mut file = ConfFile {
        origin: origin.to_owned(),
        ..ConfFile::default()
    };
    for logical in logical_lines(text) {
        let words = split_words(&logical, origin)?;
        let Some(first) = words.first() else {
            continue;
        };
        let pos = Pos {
            line: logical.line,
            column: first.column,
        };
        if first.bare_open {
            let name = section_name(&words, origin, pos)?;
            if file.sections.iter().any(|s| s.name == name) {
                return Err(ConfigError::new(
                    origin,
                    pos,
                    ErrorKind::DuplicateSection(name),
                ));
            }
            file.sections.push(Section {
                name,
                pos,
                entries: Vec::new(),
            });
            continue;
        }
        let entry = entry(&words, logical.line, origin)?;
        match file.sections.last_mut() {
            Some(section) => section.entries.push(entry),
            None => file.globals.push(entry),
        }
    }
    Ok(file)
}

fn section_name(words: &[Word], origin: &str, pos: Pos) -> Result<String, ConfigError> {
    let bad = |why: &'static str| ConfigError::new(origin, pos, ErrorKind::BadSection(why));
    let [word] = words else {
        return Err(bad(
            "a section header is `[name]` alone on its line, without spaces",
        ));
    };
    let name = word
        .text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .ok_or_else(|| bad("a section header ends with `]`"))?;
    if name.is_empty() {
        return Err(bad("the section name is empty"));
    }
    if name.contains(['[', ']']) {
        return Err(bad("a section name cannot contain `[` or `]`"));
    }
    if name.eq_ignore_ascii_case("default") {
        return Err(bad("`default` is reserved by upsd; pick another name"));
    }
    Ok(name.to_owned())
}

fn entry(words: &[Word], line: usize, origin: &str) -> Result<Entry, ConfigError> {
    let Some((first, rest)) = words.split_first() else {
        return Err(ConfigError::new(
            origin,
            Pos { line, column: 1 },
            ErrorKind::ExpectedAssignment,
        ));
    };
    let key_pos = Pos {
        line,
        column: first.column,
    };
    // (key, value words) where the first value word may be a tail glued to `=`.
    let (key, tail, tail_column, rest) = match first.bare_eq {
        Some(at) => {
            let (key, value) = first.text.split_at_checked(at).unwrap_or((&first.text, ""));
            let value = value.strip_prefix('=').unwrap_or(value);
            let column = first
                .column
                .saturating_add(key.chars().count())
                .saturating_add(1);
            (key.to_owned(), value.to_owned(), column, rest)
        }
        None => match rest.split_first() {
            None => {
                return Ok(Entry {
                    key: first.text.clone(),
                    value: None,
                    pos: key_pos,
                    value_pos: key_pos,
                    joined_words: false,
                });
            }
            Some((eq, rest)) if eq.bare_eq == Some(0) => {
                let value = eq.text.get(1..).unwrap_or("");
                (
                    first.text.clone(),
                    value.to_owned(),
                    eq.column.saturating_add(1),
                    rest,
                )
            }
            Some((second, _)) => {
                return Err(ConfigError::new(
                    origin,
                    Pos {
                        line,
                        column: second.column,
                    },
                    ErrorKind::ExpectedAssignment,
                ));
            }
        },
    };
    if key.is_empty() {
        return Err(ConfigError::new(origin, key_pos, ErrorKind::EmptyKey));
    }
    let mut parts: Vec<&str> = Vec::new();
    let mut value_column = tail_column;
    if tail.is_empty() {
        if let Some(w) = rest.first() {
            value_column = w.column;
        }
    } else {
        parts.push(&tail);
    }
    parts.extend(rest.iter().map(|w| w.text.as_str()));
    Ok(Entry {
        key,
        joined_words: parts.len() > 1,
        value: Some(parts.join(" ")),
        pos: key_pos,
        value_pos: Pos {
            line,
            column: value_column,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Entry {
        let f = parse(text, "t").unwrap();
        assert!(f.sections.is_empty());
        assert_eq!(f.globals.len(), 1, "{f:?}");
        f.globals.into_iter().next().unwrap()
    }

    #[test]
    fn key_value_forms() {
        for text in [
            "port = auto",
            "port=auto",
            "port= auto",
            "port =auto",
            "  port\t=  auto  ",
        ] {
            let e = one(text);
            assert_eq!(
                (e.key.as_str(), e.value.as_deref()),
                ("port", Some("auto")),
                "{text}"
            );
            assert!(!e.joined_words);
        }
        let e = one("port = auto");
        assert_eq!(e.pos, Pos { line: 1, column: 1 });
        assert_eq!(e.value_pos, Pos { line: 1, column: 8 });
    }

    #[test]
    fn flags_and_empty_values() {
        let e = one("novendor");
        assert_eq!(e.value, None);
        assert_eq!(one("desc =").value.as_deref(), Some(""));
        assert_eq!(one("desc = \"\"").value.as_deref(), Some(""));
    }

    #[test]
    fn quotes_escapes_and_comments() {
        assert_eq!(
            one(r#"desc = "Web server # UPS" # a comment"#)
                .value
                .as_deref(),
            Some("Web server # UPS")
        );
        // ups.conf(5)'s Windows example.
        assert_eq!(
            one(r#"port = "\\\\.\\COM10""#).value.as_deref(),
            Some(r"\\.\COM10")
        );
        assert_eq!(
            one(r#"desc = "say \"hi\"""#).value.as_deref(),
            Some("say \"hi\"")
        );
        assert_eq!(one(r"desc = a\#b").value.as_deref(), Some("a#b"));
        assert_eq!(one("desc = \"a=b\"").value.as_deref(), Some("a=b"));
        assert_eq!(one("default.x = a=b").value.as_deref(), Some("a=b"));
        let f = parse("# only a comment\n\n   # another\n", "t").unwrap();
        assert!(f.globals.is_empty() && f.sections.is_empty());
    }

    #[test]
    fn unterminated_quote_is_an_error_at_the_quote() {
        let e = parse("[a]\n  desc = \"oops\n", "f").unwrap_err();
        assert_eq!(e.kind, ErrorKind::UnterminatedQuote);
        assert_eq!(
            e.pos,
            Pos {
                line: 2,
                column: 10
            }
        );
        assert!(e.to_string().starts_with("f:2:10: "), "{e}");
    }

    #[test]
    fn unquoted_words_are_joined() {
        let e = one("desc = Web server  UPS");
        assert_eq!(e.value.as_deref(), Some("Web server UPS"));
        assert!(e.joined_words);
    }

    #[test]
    fn backslash_newline_continues_the_line() {
        let f = parse("desc = \"a \\\n b\"\nport = x\n", "t").unwrap();
        assert_eq!(f.globals[0].value.as_deref(), Some("a  b"));
        assert_eq!(f.globals[1].pos.line, 3);
        // An escaped backslash at the end does not continue.
        let f = parse("desc = a\\\\\nport = x\n", "t").unwrap();
        assert_eq!(f.globals[0].value.as_deref(), Some("a\\"));
        assert_eq!(f.globals.len(), 2);
    }

    #[test]
    fn sections_collect_their_entries() {
        let f = parse("maxretry = 3\n[a]\n driver = x\n[b] # c\n port = y\n", "t").unwrap();
        assert_eq!(f.globals.len(), 1);
        assert_eq!(f.sections.len(), 2);
        assert_eq!(f.sections[0].name, "a");
        assert_eq!(f.sections[0].entries[0].key, "driver");
        assert_eq!(f.sections[1].name, "b");
        assert_eq!(f.sections[1].pos, Pos { line: 4, column: 1 });
    }

    #[test]
    fn bad_sections() {
        for (text, why) in [
            ("[a b]", "alone"),
            ("[a", "ends with"),
            ("[]", "empty"),
            ("[default]", "reserved"),
        ] {
            let e = parse(text, "t").unwrap_err();
            assert!(
                matches!(e.kind, ErrorKind::BadSection(w) if w.contains(why)),
                "{text}: {e}"
            );
        }
        let e = parse("[a]\n[a]\n", "t").unwrap_err();
        assert_eq!(e.kind, ErrorKind::DuplicateSection("a".into()));
        assert_eq!(e.pos.line, 2);
    }

    #[test]
    fn two_words_without_equals_is_an_error() {
        let e = parse("port auto", "t").unwrap_err();
        assert_eq!(e.kind, ErrorKind::ExpectedAssignment);
        assert_eq!(e.pos, Pos { line: 1, column: 6 });
        let e = parse("= auto", "t").unwrap_err();
        assert_eq!(e.kind, ErrorKind::EmptyKey);
    }
}
