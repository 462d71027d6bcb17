use super::*;
use crate::netserver::directory::{FixedUps, Request};
use crate::netserver::users::Users;
use crate::nut::vars::Vars;
use std::string::String;
use std::vec::Vec;

const USERS: &str = "[monuser]\npassword = secret\nupsmon secondary\n\
[upsmon]\npassword = upsmonpass\nupsmon primary\n\
[admin]\npassword = adminpass\nactions = SET FSD\ninstcmds = ALL\n";

fn dir() -> FixedUps {
    let mut v = Vars::new();
    v.set("ups.status", "OL").unwrap();
    v.set("battery.charge", "100").unwrap();
    v.set("ups.delay.shutdown", "30").unwrap();
    v.set_rw("ups.delay.shutdown", Rw::Range(&[(12, 600)]));
    v.set("ups.id", "x").unwrap();
    v.set_rw("ups.id", Rw::String(8));
    v.set("ups.beeper.status", "enabled").unwrap();
    v.set_rw("ups.beeper.status", Rw::Enum(&["enabled", "disabled"]));
    let mut d = FixedUps::new(
        "ups",
        v,
        &["load.off", "beeper.toggle"],
        Users::parse(USERS).unwrap(),
    );
    d.desc = Some(heapless::String::try_from("Test UPS").unwrap());
    d
}

fn run(d: &mut FixedUps, s: &mut Session, input: &str) -> String {
    let mut out = Vec::new();
    s.handle(d, input.as_bytes(), |b| out.extend_from_slice(b));
    String::from_utf8(out).unwrap()
}

fn one(input: &str) -> String {
    let mut d = dir();
    let mut s = Session::new("127.0.0.1", Config::DEFAULT);
    run(&mut d, &mut s, input)
}

#[test]
fn anonymous_reads() {
    assert_eq!(
        one("NETVER\nPROTVER\nNETVER x\n"),
        "1.3\n1.3\nERR INVALID-ARGUMENT\n"
    );
    assert_eq!(one("HELP\n"), std::format!("{HELP}\n"));
    assert_eq!(
        one("get var UPS UPS.STATUS\n"),
        "VAR UPS UPS.STATUS \"OL\"\n"
    );
    assert_eq!(one("GET VAR ups nope\n"), "ERR VAR-NOT-SUPPORTED\n");
    assert_eq!(one("GET VAR x ups.status\n"), "ERR UNKNOWN-UPS\n");
    assert_eq!(
        one("GET VAR x server.version\n"),
        "VAR x server.version \"2.8.0\"\n"
    );
    assert_eq!(one("GET VAR ups server.nope\n"), "ERR VAR-NOT-SUPPORTED\n");
    assert_eq!(
        one("GET TYPE ups ups.delay.shutdown\n"),
        "TYPE ups ups.delay.shutdown RW RANGE NUMBER\n"
    );
    assert_eq!(
        one("GET TYPE ups ups.id\n"),
        "TYPE ups ups.id RW STRING:8\n"
    );
    assert_eq!(
        one("GET TYPE ups ups.status\n"),
        "TYPE ups ups.status NUMBER\n"
    );
    assert_eq!(
        one("GET DESC ups zz\n"),
        "DESC ups zz \"Description unavailable\"\n"
    );
    assert_eq!(one("GET UPSDESC ups\n"), "UPSDESC ups \"Test UPS\"\n");
    assert_eq!(one("GET NUMLOGINS ups\n"), "NUMLOGINS ups 0\n");
    assert_eq!(
        one("GET\nGET FOO ups\nLIST\nLIST CLIENTS ups\n"),
        "ERR INVALID-ARGUMENT\n".repeat(4)
    );
    assert_eq!(one("\n  \n# c\nFOO\n"), "ERR UNKNOWN-COMMAND\n".repeat(4));
    assert_eq!(one("STARTTLS\n"), "ERR FEATURE-NOT-CONFIGURED\n");
}

#[test]
fn lists_are_sorted_and_framed() {
    assert_eq!(
        one("LIST VAR Ups\n"),
        "BEGIN LIST VAR Ups\nVAR Ups battery.charge \"100\"\nVAR Ups ups.beeper.status \"enabled\"\n\
         VAR Ups ups.delay.shutdown \"30\"\nVAR Ups ups.id \"x\"\nVAR Ups ups.status \"OL\"\nEND LIST VAR Ups\n"
    );
    assert_eq!(
        one("LIST CMD ups\n"),
        "BEGIN LIST CMD ups\nCMD ups beeper.toggle\nCMD ups load.off\nEND LIST CMD ups\n"
    );
    assert_eq!(
        one("LIST RANGE ups ups.delay.shutdown\nLIST ENUM ups ups.delay.shutdown\n"),
        "BEGIN LIST RANGE ups ups.delay.shutdown\nRANGE ups ups.delay.shutdown \"12\" \"600\"\n\
         END LIST RANGE ups ups.delay.shutdown\nBEGIN LIST ENUM ups ups.delay.shutdown\n\
         END LIST ENUM ups ups.delay.shutdown\n"
    );
    assert_eq!(
        one("LIST ENUM ups ups.beeper.status\n"),
        "BEGIN LIST ENUM ups ups.beeper.status\nENUM ups ups.beeper.status \"enabled\"\n\
         ENUM ups ups.beeper.status \"disabled\"\nEND LIST ENUM ups ups.beeper.status\n"
    );
    assert_eq!(
        one("LIST UPS\n"),
        "BEGIN LIST UPS\nUPS ups \"Test UPS\"\nEND LIST UPS\n"
    );
    assert_eq!(one("LIST RANGE ups nope\n"), "ERR VAR-NOT-SUPPORTED\n");
}

#[test]
fn credentials_order() {
    assert_eq!(
        one(
            "LOGIN\nINSTCMD ups x\nSET FOO\nUSERNAME monuser\nLOGIN ups\nPASSWORD secret\nUSERNAME x\nPASSWORD x\nLOGIN\nLOGIN nope\nLOGIN ups\nLOGIN ups\nGET NUMLOGINS ups\n"
        ),
        "ERR USERNAME-REQUIRED\nERR USERNAME-REQUIRED\nERR USERNAME-REQUIRED\nOK\nERR PASSWORD-REQUIRED\nOK\n\
         ERR ALREADY-SET-USERNAME\nERR ALREADY-SET-PASSWORD\nERR INVALID-ARGUMENT\nERR UNKNOWN-UPS\nOK\n\
         ERR ALREADY-LOGGED-IN\nNUMLOGINS ups 1\n"
    );
    assert_eq!(
        one(
            "USERNAME monuser\nPASSWORD secret\nPRIMARY ups\nFSD ups\nSET VAR ups ups.delay.shutdown 60\nINSTCMD ups nope\nINSTCMD ups load.off\nSET TRACKING ON\n"
        ),
        "OK\nOK\nERR ACCESS-DENIED\nERR ACCESS-DENIED\nERR ACCESS-DENIED\nERR CMD-NOT-SUPPORTED\nERR ACCESS-DENIED\nOK\n"
    );
    assert_eq!(
        one("USERNAME monuser\nPASSWORD wrong\nLOGIN ups\n"),
        "OK\nOK\nERR ACCESS-DENIED\n"
    );
    assert_eq!(
        one("USERNAME\nPASSWORD \"\"\n"),
        "ERR INVALID-ARGUMENT\nOK\n"
    );
}

#[test]
fn fsd_latch_and_primary() {
    let mut d = dir();
    let mut s = Session::new("10.0.0.1", Config::DEFAULT);
    assert_eq!(
        run(
            &mut d,
            &mut s,
            "USERNAME upsmon\nPASSWORD upsmonpass\nLOGIN ups\nPRIMARY ups\nMASTER ups\nFSD ups\nGET VAR ups ups.status\n"
        ),
        "OK\nOK\nOK\nOK PRIMARY-GRANTED\nOK MASTER-GRANTED\nOK FSD-SET\nVAR ups ups.status \"FSD OL\"\n"
    );
    let mut other = Session::new("10.0.0.2", Config::DEFAULT);
    assert!(run(&mut d, &mut other, "LIST VAR ups\n").contains("VAR ups ups.status \"FSD OL\"\n"));
    assert_eq!(
        run(&mut d, &mut other, "LIST CLIENT ups\n"),
        "BEGIN LIST CLIENT ups\nCLIENT ups 10.0.0.1\nEND LIST CLIENT ups\n"
    );
    s.disconnect(&mut d);
    assert_eq!(
        run(&mut d, &mut other, "LIST CLIENT ups\n"),
        "BEGIN LIST CLIENT ups\nEND LIST CLIENT ups\n"
    );
}

#[test]
fn set_and_instcmd_checks() {
    let mut d = dir();
    let mut s = Session::new("::1", Config::DEFAULT);
    assert_eq!(
        run(
            &mut d,
            &mut s,
            "USERNAME admin\nPASSWORD adminpass\nSET VAR ups ups.delay.shutdown 60\nSET VAR ups ups.delay.shutdown abc\nSET VAR ups ups.delay.shutdown\nSET VAR ups ups.status OB\nSET VAR ups nope 1\nSET VAR ups ups.id 123456789\nSET VAR ups ups.beeper.status DISABLED\nSET VAR ups ups.beeper.status off\nINSTCMD UPS LOAD.OFF 10 extra\nINSTCMD ups\nLOGIN ups\n"
        ),
        "OK\nOK\nOK\nERR INVALID-VALUE\nERR INVALID-ARGUMENT\nERR READONLY\nERR VAR-NOT-SUPPORTED\nERR TOO-LONG\nOK\nERR INVALID-VALUE\nOK\nERR INVALID-ARGUMENT\nERR ACCESS-DENIED\n"
    );
    assert_eq!(
        d.take_request(),
        Some(Request::Set(
            "ups.delay.shutdown".try_into().unwrap(),
            "60".try_into().unwrap()
        ))
    );
    assert_eq!(
        d.take_request(),
        Some(Request::Set(
            "ups.beeper.status".try_into().unwrap(),
            "DISABLED".try_into().unwrap()
        ))
    );
    assert_eq!(
        d.take_request(),
        Some(Request::Instcmd(
            "load.off".try_into().unwrap(),
            Some("10".try_into().unwrap())
        ))
    );
    assert_eq!(d.take_request(), None);
}

#[test]
fn stale_and_not_connected() {
    let mut d = dir();
    d.state = UpsState::Stale;
    let mut s = Session::new("h", Config::DEFAULT);
    assert_eq!(
        run(
            &mut d,
            &mut s,
            "GET VAR ups ups.status\nGET NUMLOGINS ups\nLIST VAR ups\nLIST CMD ups\nGET DESC ups ups.status\nGET UPSDESC ups\nLIST CLIENT ups\nGET VAR ups server.version\n"
        ),
        "ERR DATA-STALE\nERR DATA-STALE\nERR DATA-STALE\nERR DATA-STALE\nERR DATA-STALE\nUPSDESC ups \"Test UPS\"\n\
         BEGIN LIST CLIENT ups\nEND LIST CLIENT ups\nVAR ups server.version \"2.8.0\"\n"
    );
    d.state = UpsState::NotConnected;
    assert_eq!(
        run(&mut d, &mut s, "GET VAR ups ups.status\n"),
        "ERR DRIVER-NOT-CONNECTED\n"
    );
}

#[test]
fn tracking_flag() {
    assert_eq!(
        one(
            "USERNAME admin\nPASSWORD adminpass\nGET TRACKING\nSET TRACKING ON\nGET TRACKING\nGET TRACKING 1234\nSET TRACKING maybe\nSET TRACKING off\nGET TRACKING 1234\n"
        ),
        "OK\nOK\nOFF\nOK\nON\nERR UNKNOWN\nERR INVALID-ARGUMENT\nOK\nERR FEATURE-NOT-CONFIGURED\n"
    );
}

#[test]
fn logout_closes_and_drops_login() {
    let mut d = dir();
    let mut s = Session::new("h", Config::DEFAULT);
    assert_eq!(
        run(
            &mut d,
            &mut s,
            "USERNAME monuser\nPASSWORD secret\nLOGIN ups\nLOGOUT\nVER\n"
        ),
        "OK\nOK\nOK\nOK Goodbye\n"
    );
    assert!(s.is_closed());
    assert_eq!(d.numlogins(0), 0);
    assert_eq!(s.feed(b"more"), 4);
}

#[test]
fn starttls_when_configured() {
    let mut d = dir();
    let cfg = Config {
        tls: true,
        ..Config::DEFAULT
    };
    let mut s = Session::new("h", cfg);
    assert_eq!(run(&mut d, &mut s, "STARTTLS\n"), "OK STARTTLS\n");
    assert!(s.take_starttls());
    assert!(!s.take_starttls());
    assert_eq!(run(&mut d, &mut s, "STARTTLS\n"), "ERR ALREADY-SSL-MODE\n");
}

#[test]
fn hostile_long_line_is_refused_and_closes() {
    let mut d = dir();
    let mut s = Session::new("h", Config::DEFAULT);
    let junk = std::vec![b'x'; 1 << 20];
    let mut out = Vec::new();
    s.handle(&mut d, &junk, |b| out.extend_from_slice(b));
    assert_eq!(out, b"ERR TOO-LONG\n");
    assert!(s.is_closed());
    assert!(core::mem::size_of::<Session>() < 2 * 1024 + 512);
}

#[test]
fn hash_in_quotes_gets_no_reply() {
    assert_eq!(
        one("GET VAR ups \"ups#status\"\nGET VAR ups ups.status\n"),
        "VAR ups ups.status \"OL\"\n"
    );
}

#[test]
fn small_output_buffer_and_back_pressure() {
    let mut d = dir();
    let mut s = Session::new("h", Config::DEFAULT);
    let input = b"LIST VAR ups\nGET VAR ups battery.charge\n";
    let mut rest = &input[..];
    let mut out = Vec::new();
    loop {
        let used = s.feed(rest);
        rest = &rest[used..];
        let mut buf = [0u8; 7];
        let n = s.poll_output(&mut d, &mut buf);
        out.extend_from_slice(&buf[..n]);
        if used == 0 && n == 0 {
            break;
        }
    }
    assert_eq!(
        String::from_utf8(out).unwrap(),
        one("LIST VAR ups\nGET VAR ups battery.charge\n")
    );
}

#[test]
fn atoi_like_c() {
    assert_eq!(atoi("abc"), 0);
    assert_eq!(atoi("  42x"), 42);
    assert_eq!(atoi("-7"), -7);
    assert_eq!(atoi("+9"), 9);
    // strtol saturates at LONG_MAX; (int) keeps the low 32 bits: -1.
    assert_eq!(atoi("99999999999999999999"), -1);
}

#[test]
fn debug_output_hides_the_password() {
    let mut d = dir();
    let mut s = Session::new("h", Config::DEFAULT);
    run(&mut d, &mut s, "USERNAME admin\nPASSWORD adminpass\n");
    let shown = std::format!("{s:?}");
    assert!(
        shown.contains("admin") && !shown.contains("adminpass"),
        "{shown}"
    );
}
