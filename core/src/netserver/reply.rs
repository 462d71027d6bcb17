//! Reply lines: the `ERR` codes with their wire text, NUT's value escaping, and a bounded line
//! buffer (nut-netproto.md §1.2, §5).
//!
//! Every reply line ends with exactly one `\n`. upsd cuts a reply at 512 bytes and then loses
//! the `\n` (the line runs into the next reply); [`Line`] also keeps [`LINE_OUT`] bytes but
//! truncates the text so that the `\n` always fits.

use core::fmt;

/// The size of one reply line including its `\n` (upsd `NUT_NET_ANSWER_MAX`).
pub const LINE_OUT: usize = 512;

/// The error codes of `ERR <code>`, in the order of nut-netproto.md §5.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ErrCode {
    /// Bad credentials or missing permission.
    AccessDenied,
    /// No UPS of that name.
    UnknownUps,
    /// The UPS has no such variable.
    VarNotSupported,
    /// The UPS has no such instant command.
    CmdNotSupported,
    /// Wrong word count, unknown subcommand or bad argument.
    InvalidArgument,
    /// The command could not be handed to the driver.
    InstcmdFailed,
    /// The setting could not be handed to the driver.
    SetFailed,
    /// The variable is not writable.
    Readonly,
    /// The value is longer than the variable's `STRING:n`.
    TooLong,
    /// The value is outside the variable's enum or ranges.
    InvalidValue,
    /// A feature this build does not have.
    FeatureNotSupported,
    /// A feature that is not configured (STARTTLS without TLS, tracking off).
    FeatureNotConfigured,
    /// STARTTLS on a TLS connection.
    AlreadySslMode,
    /// The UPS's driver is not connected.
    DriverNotConnected,
    /// The UPS's data are too old.
    DataStale,
    /// A second LOGIN on one connection.
    AlreadyLoggedIn,
    /// A second USERNAME on one connection.
    AlreadySetUsername,
    /// A second PASSWORD on one connection.
    AlreadySetPassword,
    /// A command that needs USERNAME before it.
    UsernameRequired,
    /// A command that needs PASSWORD before it.
    PasswordRequired,
    /// Unknown first word, or an empty line.
    UnknownCommand,
    /// `GET TRACKING <id>`: the id is not known.
    Unknown,
    /// `GET TRACKING <id>`: the request failed.
    Failed,
}

impl ErrCode {
    /// Every code.
    pub const ALL: [Self; 23] = [
        Self::AccessDenied,
        Self::UnknownUps,
        Self::VarNotSupported,
        Self::CmdNotSupported,
        Self::InvalidArgument,
        Self::InstcmdFailed,
        Self::SetFailed,
        Self::Readonly,
        Self::TooLong,
        Self::InvalidValue,
        Self::FeatureNotSupported,
        Self::FeatureNotConfigured,
        Self::AlreadySslMode,
        Self::DriverNotConnected,
        Self::DataStale,
        Self::AlreadyLoggedIn,
        Self::AlreadySetUsername,
        Self::AlreadySetPassword,
        Self::UsernameRequired,
        Self::PasswordRequired,
        Self::UnknownCommand,
        Self::Unknown,
        Self::Failed,
    ];

    /// The code as sent after `ERR `.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AccessDenied => "ACCESS-DENIED",
            Self::UnknownUps => "UNKNOWN-UPS",
            Self::VarNotSupported => "VAR-NOT-SUPPORTED",
            Self::CmdNotSupported => "CMD-NOT-SUPPORTED",
            Self::InvalidArgument => "INVALID-ARGUMENT",
            Self::InstcmdFailed => "INSTCMD-FAILED",
            Self::SetFailed => "SET-FAILED",
            Self::Readonly => "READONLY",
            Self::TooLong => "TOO-LONG",
            Self::InvalidValue => "INVALID-VALUE",
            Self::FeatureNotSupported => "FEATURE-NOT-SUPPORTED",
            Self::FeatureNotConfigured => "FEATURE-NOT-CONFIGURED",
            Self::AlreadySslMode => "ALREADY-SSL-MODE",
            Self::DriverNotConnected => "DRIVER-NOT-CONNECTED",
            Self::DataStale => "DATA-STALE",
            Self::AlreadyLoggedIn => "ALREADY-LOGGED-IN",
            Self::AlreadySetUsername => "ALREADY-SET-USERNAME",
            Self::AlreadySetPassword => "ALREADY-SET-PASSWORD",
            Self::UsernameRequired => "USERNAME-REQUIRED",
            Self::PasswordRequired => "PASSWORD-REQUIRED",
            Self::UnknownCommand => "UNKNOWN-COMMAND",
            Self::Unknown => "UNKNOWN",
            Self::Failed => "FAILED",
        }
    }

    /// The code for its wire text (exact, upper case).
    pub fn from_wire(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

impl fmt::Display for ErrCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One reply line being built: at most [`LINE_OUT`] bytes including the final `\n`.
#[derive(Clone, Debug)]
pub struct Line {
    buf: [u8; LINE_OUT],
    len: usize,
    truncated: bool,
}

impl Default for Line {
    fn default() -> Self {
        Self::new()
    }
}

impl Line {
    /// An empty line.
    pub const fn new() -> Self {
        Self {
            buf: [0; LINE_OUT],
            len: 0,
            truncated: false,
        }
    }

    /// Empties the line.
    pub fn clear(&mut self) {
        self.len = 0;
        self.truncated = false;
    }

    fn byte(&mut self, b: u8) {
        // The last byte is kept for the `\n`.
        match self.buf.get_mut(self.len) {
            Some(slot) if self.len + 1 < LINE_OUT => {
                *slot = b;
                self.len += 1;
            }
            _ => self.truncated = true,
        }
    }

    /// Appends `s` as is.
    pub fn raw(&mut self, s: &str) -> &mut Self {
        s.bytes().for_each(|b| self.byte(b));
        self
    }

    /// Appends a space (unless the line is empty) and then `s` as is.
    pub fn word(&mut self, s: &str) -> &mut Self {
        if self.len > 0 {
            self.byte(b' ');
        }
        self.raw(s)
    }

    /// Appends a space (unless the line is empty) and `s` in double quotes, escaping `"`, `\`
    /// and `#` with a backslash (upsd `pconf_encode`).
    pub fn quoted(&mut self, s: &str) -> &mut Self {
        if self.len > 0 {
            self.byte(b' ');
        }
        self.byte(b'"');
        for b in s.bytes() {
            if matches!(b, b'"' | b'\\' | b'#') {
                self.byte(b'\\');
            }
            self.byte(b);
        }
        self.byte(b'"');
        self
    }

    /// Appends a space (unless the line is empty) and a number.
    pub fn number(&mut self, n: u64) -> &mut Self {
        if self.len > 0 {
            self.byte(b' ');
        }
        self.raw_number(n)
    }

    /// Appends a number, no space before it.
    pub fn raw_number(&mut self, n: u64) -> &mut Self {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        let mut v = n;
        loop {
            i -= 1;
            if let Some(d) = digits.get_mut(i) {
                // v % 10 < 10, so the cast cannot truncate.
                *d = b'0' + (v % 10) as u8;
            }
            v /= 10;
            if v == 0 || i == 0 {
                break;
            }
        }
        for &d in digits.get(i..).unwrap_or(&[]) {
            self.byte(d);
        }
        self
    }

    /// Appends a signed number, no space before it.
    pub fn raw_signed(&mut self, n: i64) -> &mut Self {
        if n < 0 {
            self.byte(b'-');
        }
        self.raw_number(n.unsigned_abs())
    }

    /// Makes the line `ERR <code>`.
    pub fn err(&mut self, code: ErrCode) -> &mut Self {
        self.clear();
        self.raw("ERR ").raw(code.as_str())
    }

    /// True when something did not fit.
    pub fn truncated(&self) -> bool {
        self.truncated
    }

    /// The text without the `\n`.
    pub fn text(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    /// Terminates the line with `\n` and returns its bytes.
    pub fn finish(&mut self) -> &[u8] {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = b'\n';
        }
        self.buf.get(..=self.len).unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        let mut l = Line::new();
        l.raw("VAR")
            .word("ups")
            .word("device.mfr")
            .quoted("Q\"S#I\\M");
        assert_eq!(l.finish(), b"VAR ups device.mfr \"Q\\\"S\\#I\\\\M\"\n");
    }

    #[test]
    fn err_codes_round_trip() {
        for c in ErrCode::ALL {
            assert_eq!(ErrCode::from_wire(c.as_str()), Some(c));
        }
        let mut l = Line::new();
        assert_eq!(l.err(ErrCode::DataStale).finish(), b"ERR DATA-STALE\n");
    }

    #[test]
    fn numbers() {
        let mut l = Line::new();
        l.raw("NUMLOGINS ups").number(0).number(1234567890);
        l.raw(" ").raw_signed(-42).raw(" ").raw_signed(i64::MIN);
        assert_eq!(
            l.finish(),
            b"NUMLOGINS ups 0 1234567890 -42 -9223372036854775808\n"
        );
    }

    #[test]
    fn long_line_keeps_its_newline() {
        let mut l = Line::new();
        for _ in 0..600 {
            l.raw("a");
        }
        assert!(l.truncated());
        let out = l.finish();
        assert_eq!(out.len(), LINE_OUT);
        assert_eq!(out.last(), Some(&b'\n'));
    }
}
