//! The request tokenizer: upsd's word rules (nut-netproto.md §1.1) over a bounded buffer.
//!
//! Bytes go in one at a time ([`Tokenizer::push`]); a `\n` completes the line and its words
//! are then read with [`Tokenizer::words`] until [`Tokenizer::clear`]. The same rules parse
//! `upsd.users` (see [`super::users`]).
//!
//! | input | effect |
//! |---|---|
//! | space, tab, CR, VT, FF outside quotes | separate words (a bare CR never ends a line) |
//! | `"` | starts a quoted word (may hold spaces) up to the next unescaped `"`; an empty `""` is a word |
//! | `\x` (in or out of quotes) | the literal `x` |
//! | `#` outside quotes | comment to the end of the line |
//! | `#` inside quotes | parse error: the line is dropped ([`TokenError::HashInQuotes`]) |
//! | `=` starting a word | a one-character word of its own |
//! | bytes < 0x20 or > 0x7e (other than the separators) | dropped (upsd's CVE-2012-2944 rule) |
//!
//! Limits: words beyond [`WORDS_MAX`] are dropped, each word keeps its first [`WORD_MAX`]
//! bytes, and all kept words share [`BUF_MAX`] bytes (the rest is dropped, as a longer word
//! could never name anything). upsd has no line limit; we stop at [`LINE_MAX`] bytes without a
//! `\n` with [`TokenError::LineTooLong`] so that memory never grows.
//!
//! Choices where the spec is silent: a `"` inside an unquoted word ends that word and starts a
//! quoted one; a `\n` inside quotes or after a `\` ends the word and the line.

use core::fmt;

/// Most words kept from one line (upsd `PCONF_DEFAULT_ARG_LIMIT`).
pub const WORDS_MAX: usize = 32;
/// Longest word kept, in bytes (upsd `PCONF_DEFAULT_WORDLEN_LIMIT`).
pub const WORD_MAX: usize = 512;
/// Bytes of all kept words of one line together.
pub const BUF_MAX: usize = 1024;
/// Longest request line accepted, in bytes before the `\n`.
pub const LINE_MAX: usize = 4096;

/// Why a line was not tokenized.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum TokenError {
    /// An unescaped `#` inside quotes (upsd drops the line and answers nothing).
    HashInQuotes,
    /// More than [`LINE_MAX`] bytes without a `\n`.
    LineTooLong,
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::HashInQuotes => "unescaped # inside quotes",
            Self::LineTooLong => "request line too long",
        })
    }
}

impl core::error::Error for TokenError {}

/// What one byte did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Step {
    /// The line goes on.
    More,
    /// A `\n` completed the line: read [`Tokenizer::words`], then [`Tokenizer::clear`].
    Line,
    /// The line failed. `HashInQuotes` is reported at its `\n`; `LineTooLong` as soon as the
    /// limit is passed, after which the rest of the line is skipped.
    Error(TokenError),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum State {
    Between,
    Word,
    Quoted,
    Escape {
        quoted: bool,
    },
    Comment,
    /// Skipping to the `\n`; `report` = the error to give there.
    Skip {
        report: Option<TokenError>,
    },
}

/// One line's words in a fixed buffer. Its `Debug` output shows the word count, not the
/// words (a line may carry a password).
#[derive(Clone)]
pub struct Tokenizer {
    buf: [u8; BUF_MAX],
    used: usize,
    ends: [u16; WORDS_MAX],
    count: usize,
    word_start: usize,
    in_word: bool,
    line_len: usize,
    state: State,
}

impl fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokenizer")
            .field("words", &self.count)
            .field("line_len", &self.line_len)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl Default for Tokenizer {
    fn default() -> Self {
        Self::new()
    }
}

fn is_sep(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | 0x0b | 0x0c)
}

fn is_dropped(b: u8) -> bool {
    !(0x20..0x7f).contains(&b)
}

impl Tokenizer {
    /// An empty tokenizer.
    pub const fn new() -> Self {
        Self {
            buf: [0; BUF_MAX],
            used: 0,
            ends: [0; WORDS_MAX],
            count: 0,
            word_start: 0,
            in_word: false,
            line_len: 0,
            state: State::Between,
        }
    }

    /// Forgets the current line (call after a [`Step::Line`] or [`Step::Error`] was handled).
    pub fn clear(&mut self) {
        self.used = 0;
        self.count = 0;
        self.word_start = 0;
        self.in_word = false;
        self.line_len = 0;
        self.state = State::Between;
    }

    fn begin_word(&mut self) {
        self.in_word = self.count < WORDS_MAX;
        self.word_start = self.used;
    }

    fn add(&mut self, b: u8) {
        if is_dropped(b) || !self.in_word || self.used - self.word_start >= WORD_MAX {
            return;
        }
        if let Some(slot) = self.buf.get_mut(self.used) {
            *slot = b;
            self.used += 1;
        }
    }

    fn end_word(&mut self) {
        if self.in_word {
            if let Some(end) = self.ends.get_mut(self.count) {
                // BUF_MAX < u16::MAX, so the length always fits.
                *end = u16::try_from(self.used).unwrap_or(u16::MAX);
                self.count += 1;
            }
        }
        self.in_word = false;
    }

    fn end_line(&mut self) -> Step {
        self.end_word();
        self.state = State::Between;
        self.line_len = 0;
        Step::Line
    }

    /// Feeds one byte.
    pub fn push(&mut self, b: u8) -> Step {
        if b != b'\n' {
            if let State::Skip { .. } = self.state {
                return Step::More;
            }
            self.line_len += 1;
            if self.line_len > LINE_MAX {
                self.state = State::Skip { report: None };
                return Step::Error(TokenError::LineTooLong);
            }
        }
        match self.state {
            State::Skip { report } => {
                self.clear();
                match report {
                    Some(e) => Step::Error(e),
                    // The too-long error was already reported: this `\n` just resyncs.
                    None => Step::More,
                }
            }
            _ if b == b'\n' => self.end_line(),
            State::Comment => Step::More,
            State::Between => {
                match b {
                    b'#' => self.state = State::Comment,
                    b'"' => {
                        self.begin_word();
                        self.state = State::Quoted;
                    }
                    b'\\' => {
                        self.begin_word();
                        self.state = State::Escape { quoted: false };
                    }
                    b'=' => {
                        self.begin_word();
                        self.add(b);
                        self.end_word();
                    }
                    _ if is_sep(b) || is_dropped(b) => {}
                    _ => {
                        self.begin_word();
                        self.add(b);
                        self.state = State::Word;
                    }
                }
                Step::More
            }
            State::Word => {
                match b {
                    b'#' => {
                        self.end_word();
                        self.state = State::Comment;
                    }
                    b'"' => {
                        self.end_word();
                        self.begin_word();
                        self.state = State::Quoted;
                    }
                    b'\\' => self.state = State::Escape { quoted: false },
                    _ if is_sep(b) => {
                        self.end_word();
                        self.state = State::Between;
                    }
                    _ => self.add(b),
                }
                Step::More
            }
            State::Quoted => {
                match b {
                    b'"' => {
                        self.end_word();
                        self.state = State::Between;
                    }
                    b'\\' => self.state = State::Escape { quoted: true },
                    b'#' => {
                        self.state = State::Skip {
                            report: Some(TokenError::HashInQuotes),
                        }
                    }
                    _ => self.add(b),
                }
                Step::More
            }
            State::Escape { quoted } => {
                self.add(b);
                self.state = if quoted { State::Quoted } else { State::Word };
                Step::More
            }
        }
    }

    /// How many words the completed line has.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when the completed line has no words.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Word `i` of the completed line. Words hold only printable ASCII, so they are `str`.
    pub fn word(&self, i: usize) -> Option<&str> {
        if i >= self.count {
            return None;
        }
        let end = usize::from(*self.ends.get(i)?);
        let start = match i.checked_sub(1) {
            Some(p) => usize::from(*self.ends.get(p)?),
            None => 0,
        };
        core::str::from_utf8(self.buf.get(start..end)?).ok()
    }

    /// The words of the completed line.
    pub fn words(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.count).filter_map(|i| self.word(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::String;
    use std::vec::Vec;

    fn line(input: &[u8]) -> Result<Vec<String>, TokenError> {
        let mut t = Tokenizer::new();
        for &b in input {
            match t.push(b) {
                Step::More => {}
                Step::Line => return Ok(t.words().map(String::from).collect()),
                Step::Error(e) => return Err(e),
            }
        }
        panic!("no line end");
    }

    #[test]
    fn words_quotes_escapes_comments() {
        assert_eq!(
            line(b"GET VAR ups ups.status\n").unwrap(),
            ["GET", "VAR", "ups", "ups.status"]
        );
        assert_eq!(
            line(b"GET VAR \"ups\" \"a b\"\r\n").unwrap(),
            ["GET", "VAR", "ups", "a b"]
        );
        assert_eq!(line(b"a\\.b \"c\\\"d\\#\"\n").unwrap(), ["a.b", "c\"d#"]);
        assert_eq!(
            line(b"GET VAR ups x # comment \"#\n").unwrap(),
            ["GET", "VAR", "ups", "x"]
        );
        assert_eq!(line(b"PASSWORD \"\"\n").unwrap(), ["PASSWORD", ""]);
        assert_eq!(line(b"a =b\n").unwrap(), ["a", "=", "b"]);
        assert_eq!(line(b"   \n").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn control_and_high_bytes_dropped() {
        assert_eq!(
            line(b"ups.st\x01atus ups.st\xc3\xa9atus\n").unwrap(),
            ["ups.status", "ups.status"]
        );
    }

    #[test]
    fn bare_cr_does_not_end_line() {
        let mut t = Tokenizer::new();
        for &b in b"GET\r" {
            assert_eq!(t.push(b), Step::More);
        }
        assert_eq!(t.push(b'\n'), Step::Line);
    }

    #[test]
    fn hash_in_quotes_is_a_parse_error_at_line_end() {
        assert_eq!(
            line(b"GET VAR ups \"ups#status\"\n"),
            Err(TokenError::HashInQuotes)
        );
    }

    #[test]
    fn word_and_count_limits() {
        let mut input = Vec::from(&b"GET VAR ups "[..]);
        input.extend(core::iter::repeat_n(b'x', 600));
        input.push(b'\n');
        let w = line(&input).unwrap();
        assert_eq!(w[3].len(), WORD_MAX);
        let mut many = String::new();
        for i in 0..40 {
            many.push_str(&std::format!("w{i} "));
        }
        many.push('\n');
        let w = line(many.as_bytes()).unwrap();
        assert_eq!(w.len(), WORDS_MAX);
        assert_eq!(w[31], "w31");
    }

    #[test]
    fn long_line_is_an_error_then_resyncs() {
        let mut t = Tokenizer::new();
        let mut errors = 0;
        for _ in 0..(LINE_MAX * 3) {
            if let Step::Error(e) = t.push(b'y') {
                assert_eq!(e, TokenError::LineTooLong);
                errors += 1;
            }
        }
        assert_eq!(errors, 1);
        assert_eq!(t.push(b'\n'), Step::More);
        for &b in b"VER" {
            t.push(b);
        }
        assert_eq!(t.push(b'\n'), Step::Line);
        assert_eq!(t.word(0), Some("VER"));
    }
}
