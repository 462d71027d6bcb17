//! Users and what they may do: an `upsd.users`-compatible model (nut-netproto.md §3.2).
//!
//! ```text
//! [monuser]
//!     password = secret
//!     upsmon secondary        # or primary; master/slave are accepted aliases
//! [admin]
//!     password = adminpass
//!     actions = SET FSD       # repeatable, case-insensitive
//!     instcmds = ALL          # or a list of command names, repeatable
//! ```
//!
//! The file is read with the request tokenizer (upsd uses the same parser for both), so
//! quotes, backslash escapes and `#` comments work as in upsd. `key=value` written without
//! spaces is also accepted. Unknown fields are errors, except the obsolete `allowfrom`, which
//! is ignored as upsd 2.8 does.

use core::fmt;

use super::tokenizer::{Step, TokenError, Tokenizer};

/// Most users kept.
pub const USERS_MAX: usize = 8;
/// Longest user name.
pub const NAME_MAX: usize = 32;
/// Longest password.
pub const PASSWORD_MAX: usize = 64;
/// Most `instcmds` entries per user.
pub const INSTCMDS_MAX: usize = 16;
/// Longest command name in `instcmds`.
pub const CMD_MAX: usize = 40;

/// The `upsmon` line of a user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Upsmon {
    /// `upsmon primary` (alias `master`): LOGIN, PRIMARY/MASTER and FSD.
    Primary,
    /// `upsmon secondary` (alias `slave`): LOGIN only.
    Secondary,
}

/// Something a command needs the user to be allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Permission<'a> {
    /// `LOGIN` (any `upsmon` line).
    Login,
    /// `PRIMARY` / `MASTER` (`upsmon primary`).
    Primary,
    /// `FSD` (`upsmon primary` or `actions = FSD`).
    Fsd,
    /// `SET VAR` (`actions = SET`).
    Set,
    /// `INSTCMD <cmd>` (`instcmds` lists it, or `ALL`).
    Instcmd(&'a str),
}

/// One user. Its `Debug` output leaves the password out.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct User {
    name: heapless::String<NAME_MAX>,
    password: heapless::String<PASSWORD_MAX>,
    upsmon: Option<Upsmon>,
    set: bool,
    fsd: bool,
    all_instcmds: bool,
    instcmds: heapless::Vec<heapless::String<CMD_MAX>, INSTCMDS_MAX>,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("name", &self.name)
            .field("password", &"<redacted>")
            .field("upsmon", &self.upsmon)
            .field("set", &self.set)
            .field("fsd", &self.fsd)
            .field("all_instcmds", &self.all_instcmds)
            .field("instcmds", &self.instcmds)
            .finish()
    }
}

fn text<const N: usize>(s: &str) -> Result<heapless::String<N>, UsersErrorKind> {
    let mut t = heapless::String::new();
    t.push_str(s).map_err(|_| UsersErrorKind::TooLong)?;
    Ok(t)
}

/// Compares without stopping at the first difference, so timing says little about the secret.
fn same_secret(a: &str, b: &str) -> bool {
    let diff = a
        .bytes()
        .zip(b.bytes())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y));
    diff == 0 && a.len() == b.len()
}

impl User {
    /// A user with a password and no rights.
    pub fn new(name: &str, password: &str) -> Result<Self, UsersErrorKind> {
        Ok(Self {
            name: text(name)?,
            password: text(password)?,
            ..Self::default()
        })
    }

    /// Sets the `upsmon` line.
    pub fn with_upsmon(mut self, upsmon: Upsmon) -> Self {
        self.upsmon = Some(upsmon);
        self
    }

    /// Adds `actions = SET` and/or `actions = FSD`.
    pub fn with_actions(mut self, set: bool, fsd: bool) -> Self {
        self.set |= set;
        self.fsd |= fsd;
        self
    }

    /// Adds `instcmds = ALL`.
    pub fn with_all_instcmds(mut self) -> Self {
        self.all_instcmds = true;
        self
    }

    /// Adds one `instcmds` entry.
    pub fn add_instcmd(&mut self, cmd: &str) -> Result<(), UsersErrorKind> {
        if cmd.eq_ignore_ascii_case("ALL") {
            self.all_instcmds = true;
            return Ok(());
        }
        self.instcmds
            .push(text(cmd)?)
            .map_err(|_| UsersErrorKind::TooManyInstcmds)
    }

    /// The user name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The `upsmon` line, if any.
    pub fn upsmon(&self) -> Option<Upsmon> {
        self.upsmon
    }

    /// True when `password` is this user's.
    pub fn password_matches(&self, password: &str) -> bool {
        same_secret(&self.password, password)
    }

    /// True when the user may do `what`.
    pub fn may(&self, what: Permission<'_>) -> bool {
        match what {
            Permission::Login => self.upsmon.is_some(),
            Permission::Primary => self.upsmon == Some(Upsmon::Primary),
            Permission::Fsd => self.fsd || self.upsmon == Some(Upsmon::Primary),
            Permission::Set => self.set,
            Permission::Instcmd(cmd) => {
                self.all_instcmds || self.instcmds.iter().any(|c| c.eq_ignore_ascii_case(cmd))
            }
        }
    }
}

/// What was wrong in an `upsd.users` text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum UsersErrorKind {
    /// A field before the first `[user]`.
    OutsideSection,
    /// A `[...]` line that is not a single user name.
    BadSection,
    /// A field upsd does not know.
    UnknownField,
    /// A field without its value.
    MissingValue,
    /// `upsmon` followed by something other than primary/secondary/master/slave.
    BadUpsmon,
    /// `actions` with something other than SET/FSD.
    UnknownAction,
    /// More than [`USERS_MAX`] users.
    TooManyUsers,
    /// More than [`INSTCMDS_MAX`] `instcmds` entries.
    TooManyInstcmds,
    /// A name, password or command longer than its limit.
    TooLong,
    /// A line the tokenizer refused.
    Syntax(TokenError),
}

/// An `upsd.users` error and its 1-based line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UsersError {
    /// The line, from 1.
    pub line: usize,
    /// What was wrong.
    pub kind: UsersErrorKind,
}

impl fmt::Display for UsersErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OutsideSection => f.write_str("field outside a [user] section"),
            Self::BadSection => f.write_str("bad [user] section line"),
            Self::UnknownField => f.write_str("unknown field"),
            Self::MissingValue => f.write_str("field without a value"),
            Self::BadUpsmon => f.write_str("upsmon must be primary, secondary, master or slave"),
            Self::UnknownAction => f.write_str("actions may only be SET and FSD"),
            Self::TooManyUsers => f.write_str("too many users"),
            Self::TooManyInstcmds => f.write_str("too many instcmds"),
            Self::TooLong => f.write_str("name, password or command too long"),
            Self::Syntax(e) => write!(f, "syntax: {e}"),
        }
    }
}

impl fmt::Display for UsersError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "upsd.users line {}: {}", self.line, self.kind)
    }
}

impl core::error::Error for UsersError {}

/// The user table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Users {
    users: heapless::Vec<User, USERS_MAX>,
}

impl Users {
    /// No users: every command that needs credentials is refused.
    pub const fn new() -> Self {
        Self {
            users: heapless::Vec::new(),
        }
    }

    /// What a Synology NAS logs in with: `monuser` / `secret`, `upsmon secondary`.
    pub fn synology() -> Self {
        let mut users = Self::new();
        if let Ok(u) = User::new("monuser", "secret") {
            // An empty table always has room.
            let _ = users.add(u.with_upsmon(Upsmon::Secondary));
        }
        users
    }

    /// Adds a user, replacing one of the same name.
    pub fn add(&mut self, user: User) -> Result<(), UsersErrorKind> {
        if let Some(old) = self.users.iter_mut().find(|u| u.name == user.name) {
            *old = user;
            return Ok(());
        }
        self.users
            .push(user)
            .map_err(|_| UsersErrorKind::TooManyUsers)
    }

    /// The user `name` if `password` is right.
    pub fn authenticate(&self, name: &str, password: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.name == name)
            .filter(|u| u.password_matches(password))
    }

    /// Every user.
    pub fn iter(&self) -> impl Iterator<Item = &User> {
        self.users.iter()
    }

    /// Parses an `upsd.users` text.
    pub fn parse(input: &str) -> Result<Self, UsersError> {
        let mut users = Self::new();
        let mut current: Option<User> = None;
        let mut tok = Tokenizer::new();
        let mut line = 1;
        // A final line without `\n` still counts.
        for b in input.bytes().chain(core::iter::once(b'\n')) {
            let step = tok.push(b);
            let at = line;
            if b == b'\n' {
                line += 1;
            }
            match step {
                Step::More => continue,
                Step::Error(e) => {
                    return Err(UsersError {
                        line: at,
                        kind: UsersErrorKind::Syntax(e),
                    });
                }
                Step::Line => {}
            }
            let r = parse_line(&tok, &mut users, &mut current);
            tok.clear();
            r.map_err(|kind| UsersError { line: at, kind })?;
        }
        if let Some(u) = current.take() {
            users.add(u).map_err(|kind| UsersError { line, kind })?;
        }
        Ok(users)
    }
}

fn parse_line(
    tok: &Tokenizer,
    users: &mut Users,
    current: &mut Option<User>,
) -> Result<(), UsersErrorKind> {
    let Some(first) = tok.word(0) else {
        return Ok(());
    };
    if let Some(rest) = first.strip_prefix('[') {
        let name = rest.strip_suffix(']').ok_or(UsersErrorKind::BadSection)?;
        if name.is_empty() || tok.len() != 1 {
            return Err(UsersErrorKind::BadSection);
        }
        if let Some(u) = current.take() {
            users.add(u)?;
        }
        *current = Some(User::new(name, "")?);
        return Ok(());
    }
    let user = current.as_mut().ok_or(UsersErrorKind::OutsideSection)?;
    // `key = a b`, `key a b` and `key=a b` all give (key, [a, b]).
    let (key, glued) = match first.split_once('=') {
        Some((k, v)) => (k, Some(v).filter(|v| !v.is_empty())),
        None => (first, None),
    };
    let rest = tok.words().skip(1).skip_while(|w| *w == "=");
    let mut values = glued.into_iter().chain(rest).peekable();
    if values.peek().is_none() {
        return Err(UsersErrorKind::MissingValue);
    }
    if key.eq_ignore_ascii_case("password") {
        user.password = text(values.next().unwrap_or_default())?;
    } else if key.eq_ignore_ascii_case("upsmon") {
        let v = values.next().unwrap_or_default();
        user.upsmon = Some(
            if v.eq_ignore_ascii_case("primary") || v.eq_ignore_ascii_case("master") {
                Upsmon::Primary
            } else if v.eq_ignore_ascii_case("secondary") || v.eq_ignore_ascii_case("slave") {
                Upsmon::Secondary
            } else {
                return Err(UsersErrorKind::BadUpsmon);
            },
        );
    } else if key.eq_ignore_ascii_case("actions") {
        for v in values {
            if v.eq_ignore_ascii_case("SET") {
                user.set = true;
            } else if v.eq_ignore_ascii_case("FSD") {
                user.fsd = true;
            } else {
                return Err(UsersErrorKind::UnknownAction);
            }
        }
    } else if key.eq_ignore_ascii_case("instcmds") {
        for v in values {
            user.add_instcmd(v)?;
        }
    } else if !key.eq_ignore_ascii_case("allowfrom") {
        return Err(UsersErrorKind::UnknownField);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HARNESS: &str = "\
# the test harness's users
[monuser]
  password = secret
  upsmon slave
[upsmon]
  password = \"upsmonpass\"
  upsmon primary
[admin]
  password=adminpass
  actions = SET
  actions = fsd
  instcmds = ALL
[ops]
  password = x
  instcmds = beeper.toggle test.battery.start
";

    #[test]
    fn parses_the_harness_users() {
        let users = Users::parse(HARNESS).unwrap();
        let mon = users.authenticate("monuser", "secret").unwrap();
        assert!(mon.may(Permission::Login));
        assert!(!mon.may(Permission::Primary) && !mon.may(Permission::Fsd));
        assert!(!mon.may(Permission::Set) && !mon.may(Permission::Instcmd("beeper.toggle")));
        let pri = users.authenticate("upsmon", "upsmonpass").unwrap();
        assert!(pri.may(Permission::Primary) && pri.may(Permission::Fsd));
        assert!(!pri.may(Permission::Set));
        let admin = users.authenticate("admin", "adminpass").unwrap();
        assert!(admin.may(Permission::Set) && admin.may(Permission::Fsd));
        assert!(admin.may(Permission::Instcmd("load.off")));
        assert!(!admin.may(Permission::Login) && !admin.may(Permission::Primary));
        let ops = users.authenticate("ops", "x").unwrap();
        assert!(ops.may(Permission::Instcmd("BEEPER.TOGGLE")));
        assert!(!ops.may(Permission::Instcmd("load.off")));
        assert!(users.authenticate("monuser", "wrong").is_none());
        assert!(users.authenticate("nobody", "secret").is_none());
    }

    #[test]
    fn debug_output_hides_the_password() {
        let u = User::new("monuser", "secret").unwrap();
        let shown = std::format!("{u:?}");
        assert!(shown.contains("monuser") && !shown.contains("secret"));
    }

    #[test]
    fn synology_preset() {
        let users = Users::synology();
        let u = users.authenticate("monuser", "secret").unwrap();
        assert_eq!(u.upsmon(), Some(Upsmon::Secondary));
    }

    #[test]
    fn typed_errors_with_lines() {
        let e = Users::parse("password = x\n").unwrap_err();
        assert_eq!((e.line, e.kind), (1, UsersErrorKind::OutsideSection));
        let e = Users::parse("[a]\n upsmon boss\n").unwrap_err();
        assert_eq!((e.line, e.kind), (2, UsersErrorKind::BadUpsmon));
        let e = Users::parse("[a]\n actions = SET LOGIN\n").unwrap_err();
        assert_eq!(e.kind, UsersErrorKind::UnknownAction);
        let e = Users::parse("[a]\n\n\n colour = red").unwrap_err();
        assert_eq!((e.line, e.kind), (4, UsersErrorKind::UnknownField));
        let e = Users::parse("[a]\n password\n").unwrap_err();
        assert_eq!(e.kind, UsersErrorKind::MissingValue);
        let e = Users::parse("[a b]\n").unwrap_err();
        assert_eq!(e.kind, UsersErrorKind::BadSection);
        let e = Users::parse("[a]\n password = \"x#y\"\n").unwrap_err();
        assert_eq!(e.kind, UsersErrorKind::Syntax(TokenError::HashInQuotes));
        let mut many = std::string::String::new();
        for i in 0..=USERS_MAX {
            many.push_str(&std::format!("[u{i}]\n"));
        }
        assert_eq!(
            Users::parse(&many).unwrap_err().kind,
            UsersErrorKind::TooManyUsers
        );
    }

    #[test]
    fn allowfrom_is_ignored() {
        let users =
            Users::parse("[a]\npassword = p\nallowfrom = localhost\nupsmon master\n").unwrap();
        assert!(
            users
                .authenticate("a", "p")
                .unwrap()
                .may(Permission::Primary)
        );
    }
}
