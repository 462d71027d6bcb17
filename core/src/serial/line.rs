//! A line accumulator for CR-terminated answers arriving in arbitrary chunks (usb-transports
//! spec §7.2 item 4: a line ends at CR or LF, terminator included).
//!
//! "Not yet" is [`Feed::Pending`], not an error; a line longer than the buffer is
//! [`LineError::TooLong`], after which the rest of that line is skipped up to its terminator so
//! the next line comes out whole. The result depends only on the byte stream, never on how it
//! was chunked.

use core::fmt;

/// True for the bytes that end a line: CR (the Megatec terminator) and LF (which the terminal
/// driver's canonical mode also honours).
pub const fn is_terminator(byte: u8) -> bool {
    byte == b'\r' || byte == b'\n'
}

/// What one [`LineBuffer::feed`] call produced.
#[derive(Debug, PartialEq, Eq)]
pub enum Feed<'a> {
    /// Every input byte was taken; no line is complete yet.
    Pending,
    /// A line is complete (terminator included). Only the first `consumed` input bytes were
    /// taken; feed the rest again to read the next line.
    Line {
        /// The line, terminator included.
        line: &'a [u8],
        /// How many input bytes this call took.
        consumed: usize,
    },
}

/// Why a line could not be kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum LineError {
    /// The line does not fit the buffer. `consumed` input bytes were taken (up to and including
    /// the first byte that did not fit); the rest of this line is skipped by later calls.
    TooLong {
        /// How many input bytes this call took.
        consumed: usize,
    },
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong { .. } => f.write_str("line longer than the buffer"),
        }
    }
}

impl core::error::Error for LineError {}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Collecting a line.
    Filling,
    /// A line was handed out; the next feed starts a new one.
    Complete,
    /// Skipping the rest of an over-long line.
    Discarding,
}

/// Collects bytes until a terminator: at most `N` bytes per line, terminator included.
#[derive(Clone, Debug)]
pub struct LineBuffer<const N: usize> {
    buf: [u8; N],
    len: usize,
    mode: Mode,
}

impl<const N: usize> Default for LineBuffer<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> LineBuffer<N> {
    /// An empty buffer.
    pub const fn new() -> Self {
        Self {
            buf: [0; N],
            len: 0,
            mode: Mode::Filling,
        }
    }

    /// Forgets any partial line (stale input).
    pub fn clear(&mut self) {
        self.len = 0;
        self.mode = Mode::Filling;
    }

    /// The bytes of the line collected so far (empty right after a complete line).
    pub fn partial(&self) -> &[u8] {
        match self.mode {
            Mode::Filling => self.buf.get(..self.len).unwrap_or(&[]),
            Mode::Complete | Mode::Discarding => &[],
        }
    }

    /// Takes bytes from `input` until a line is complete or the input is used up.
    pub fn feed(&mut self, input: &[u8]) -> Result<Feed<'_>, LineError> {
        if self.mode == Mode::Complete {
            self.clear();
        }
        for (i, &byte) in input.iter().enumerate() {
            let consumed = i + 1;
            if self.mode == Mode::Discarding {
                if is_terminator(byte) {
                    self.mode = Mode::Filling;
                }
                continue;
            }
            let Some(slot) = self.buf.get_mut(self.len) else {
                // The byte that does not fit may itself end the line: then nothing is left to skip.
                self.len = 0;
                self.mode = if is_terminator(byte) {
                    Mode::Filling
                } else {
                    Mode::Discarding
                };
                return Err(LineError::TooLong { consumed });
            };
            *slot = byte;
            self.len += 1;
            if is_terminator(byte) {
                self.mode = Mode::Complete;
                let line = self.buf.get(..self.len).unwrap_or(&[]);
                return Ok(Feed::Line { line, consumed });
            }
        }
        Ok(Feed::Pending)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec::Vec;

    use super::*;
    use proptest::prelude::*;

    /// Everything a stream fed in the given chunks yields: `Ok(line)` or `Err(())` per event.
    fn events<const N: usize>(stream: &[u8], chunks: &[usize]) -> Vec<Result<Vec<u8>, ()>> {
        let mut lb = LineBuffer::<N>::new();
        let mut out = Vec::new();
        let mut rest = stream;
        let mut sizes = chunks.iter().copied().cycle();
        while !rest.is_empty() {
            let size = sizes.next().unwrap_or(1).clamp(1, rest.len());
            let (mut chunk, tail) = rest.split_at(size);
            rest = tail;
            while !chunk.is_empty() {
                match lb.feed(chunk) {
                    Ok(Feed::Pending) => break,
                    Ok(Feed::Line { line, consumed }) => {
                        out.push(Ok(line.to_vec()));
                        chunk = &chunk[consumed..];
                    }
                    Err(LineError::TooLong { consumed }) => {
                        out.push(Err(()));
                        chunk = &chunk[consumed..];
                    }
                }
            }
        }
        out
    }

    /// The reference: split after each terminator, lines over `n` bytes are one error.
    fn model(stream: &[u8], n: usize) -> Vec<Result<Vec<u8>, ()>> {
        // An unterminated tail is an error as soon as it no longer fits.
        stream
            .split_inclusive(|b| is_terminator(*b))
            .filter(|l| l.len() > n || l.last().is_some_and(|b| is_terminator(*b)))
            .map(|l| {
                if l.len() <= n {
                    Ok(l.to_vec())
                } else {
                    Err(())
                }
            })
            .collect()
    }

    #[test]
    fn not_yet_is_pending_then_a_line() {
        let mut lb = LineBuffer::<64>::new();
        assert_eq!(lb.feed(b"(215.0 "), Ok(Feed::Pending));
        assert_eq!(lb.partial(), b"(215.0 ");
        assert_eq!(
            lb.feed(b"195.0\rjunk"),
            Ok(Feed::Line {
                line: b"(215.0 195.0\r",
                consumed: 6
            })
        );
        assert_eq!(lb.partial(), b"");
        assert_eq!(lb.feed(b"junk"), Ok(Feed::Pending));
        assert_eq!(lb.partial(), b"junk");
    }

    #[test]
    fn lf_also_ends_a_line_and_empty_lines_count() {
        let mut lb = LineBuffer::<8>::new();
        assert_eq!(
            lb.feed(b"\n"),
            Ok(Feed::Line {
                line: b"\n",
                consumed: 1
            })
        );
        assert_eq!(
            lb.feed(b"AB\n"),
            Ok(Feed::Line {
                line: b"AB\n",
                consumed: 3
            })
        );
    }

    #[test]
    fn over_long_is_an_error_then_the_next_line_is_whole() {
        let mut lb = LineBuffer::<4>::new();
        assert_eq!(lb.feed(b"ABCDEFG"), Err(LineError::TooLong { consumed: 5 }));
        assert_eq!(
            lb.feed(b"FG\rOK\r"),
            Ok(Feed::Line {
                line: b"OK\r",
                consumed: 6
            })
        );
        // Exactly N bytes with the terminator fit.
        assert_eq!(
            lb.feed(b"ABC\r"),
            Ok(Feed::Line {
                line: b"ABC\r",
                consumed: 4
            })
        );
        // The terminator itself overflowing ends the line: nothing to skip afterwards.
        assert_eq!(
            lb.feed(b"ABCD\rX\r"),
            Err(LineError::TooLong { consumed: 5 })
        );
        assert_eq!(
            lb.feed(b"X\r"),
            Ok(Feed::Line {
                line: b"X\r",
                consumed: 2
            })
        );
    }

    fn stream() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(
            prop_oneof![
                6 => prop::sample::select(b"(0123456789. ".to_vec()),
                1 => Just(b'\r'),
                1 => Just(b'\n'),
                1 => any::<u8>(),
            ],
            0..300,
        )
    }

    proptest! {
        #[test]
        fn any_chunking_yields_the_same_lines(
            s in stream(),
            chunks in prop::collection::vec(1usize..20, 1..10),
        ) {
            let whole = events::<16>(&s, &[usize::MAX]);
            prop_assert_eq!(&events::<16>(&s, &chunks), &whole);
            prop_assert_eq!(&events::<16>(&s, &[1]), &whole);
            prop_assert_eq!(whole, model(&s, 16));
        }

        #[test]
        fn over_long_input_errors_without_panic(
            s in prop::collection::vec(any::<u8>(), 0..2000),
            chunks in prop::collection::vec(1usize..600, 1..5),
        ) {
            let got = events::<512>(&s, &chunks);
            prop_assert_eq!(got, model(&s, 512));
        }
    }
}
