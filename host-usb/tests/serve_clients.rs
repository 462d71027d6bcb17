//! `qxups serve --simulate` against Debian's real NUT clients (nut-client 2.8.0, installed by
//! scripts/test-all): upsc, upscmd, upsrw, and two upsmon (a primary and a Synology-style
//! secondary) through a power failure down to FSD and their shutdown commands; plus what
//! only the server decides (IPv6, idle timeout, MAXCONN, metrics, SIGTERM).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::*;

#[test]
fn upsc_lists_reads_everything_one_variable_and_the_clients() {
    let server = Server::start(&[]);
    let ups = server.ups();

    let o = run("upsc", &["-l", &format!("127.0.0.1:{}", server.port())]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(out(&o), "ups\n");

    // Every variable, with the values the virtual UPS holds (as `qxups status` reads them).
    let o = run("upsc", &[&ups]);
    assert!(o.status.success(), "{o:?}");
    let served = upsc_vars(&out(&o));
    assert_eq!(served, held_vars());

    let o = run("upsc", &[&ups, "ups.status"]);
    assert_eq!(out(&o), "OL\n", "{o:?}");
    let o = run("upsc", &[&ups, "battery.charge"]);
    assert_eq!(out(&o), "100\n", "{o:?}");
    let o = run("upsc", &[&ups, "no.such.var"]);
    assert!(!o.status.success());
    assert!(
        err(&o).contains("Variable not supported by UPS"),
        "{}",
        err(&o)
    );
    let o = run("upsc", &[&format!("nope@127.0.0.1:{}", server.port())]);
    assert!(err(&o).contains("Unknown UPS"), "{}", err(&o));

    // A logged-in client (what upsmon does) is listed by `upsc -c`.
    let o = run("upsc", &["-c", &ups]);
    assert_eq!(out(&o), "", "{o:?}");
    let mut upsmon = server.connect();
    upsmon
        .write_all(b"USERNAME monuser\nPASSWORD secret\nLOGIN ups\n")
        .unwrap();
    let mut reply = [0u8; 9];
    upsmon.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"OK\nOK\nOK\n");
    let o = run("upsc", &["-c", &ups]);
    assert_eq!(out(&o), "127.0.0.1\n", "{o:?}");
    drop(upsmon);
    server.wait_until("the login ends with the connection", || {
        server.ask("GET NUMLOGINS ups\n") == "NUMLOGINS ups 0\n"
    });

    // -v logs the requests, never a password.
    let log = server.log();
    assert!(log.contains(": PASSWORD ********\n"), "{log}");
    assert!(!log.contains("secret"), "{log}");
}

#[test]
fn upscmd_lists_runs_and_refuses() {
    let server = Server::start(&[]);
    let ups = server.ups();

    let o = run("upscmd", &["-l", &ups]);
    assert!(o.status.success(), "{o:?}");
    let list = out(&o);
    for want in [
        "beeper.toggle - Toggle the UPS beeper\n",
        "test.battery.start - Start a battery test\n",
        "shutdown.return - Turn off the load and return when power is back\n",
    ] {
        assert!(list.contains(want), "{want:?} missing from\n{list}");
    }

    assert_eq!(
        server.ask("GET VAR ups ups.beeper.status\n").trim_end(),
        "VAR ups ups.beeper.status \"disabled\""
    );
    // upscmd as USER with PASSWORD, then ARGS.
    let upscmd = |user: &str, password: &str, args: &[&str]| {
        let mut all = vec!["-u", user, "-p", password];
        all.extend_from_slice(args);
        run("upscmd", &all)
    };
    let o = upscmd("admin", "adminpass", &[&ups, "beeper.toggle"]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(err(&o), "OK\n");
    server.wait_until("the beeper is on", || {
        server.ask("GET VAR ups ups.beeper.status\n") == "VAR ups ups.beeper.status \"enabled\"\n"
    });

    // With a parameter, waiting for the driver's verdict (TRACKING).
    let o = upscmd(
        "admin",
        "adminpass",
        &["-w", &ups, "test.battery.start", "60"],
    );
    assert!(o.status.success(), "{o:?}");
    assert!(err(&o).contains("SUCCESS"), "{}", err(&o));
    server.wait_until("the battery test runs", || {
        server.status().split(' ').any(|t| t == "CAL")
    });
    // The virtual UPS tests in whole minutes: 10 s is refused by the driver.
    let o = upscmd(
        "admin",
        "adminpass",
        &["-w", &ups, "test.battery.start", "10"],
    );
    assert!(err(&o).contains("ERR INVALID-ARGUMENT"), "{o:?}");

    let o = upscmd("admin", "wrong", &[&ups, "beeper.toggle"]);
    assert!(!o.status.success());
    assert_eq!(
        err(&o),
        "Unexpected response from upsd: ERR ACCESS-DENIED\n"
    );
    // monuser may log in but not run commands.
    let o = upscmd("monuser", "secret", &[&ups, "beeper.toggle"]);
    assert_eq!(
        err(&o),
        "Unexpected response from upsd: ERR ACCESS-DENIED\n"
    );
    let o = upscmd("admin", "adminpass", &[&ups, "no.such.command"]);
    assert!(!o.status.success());
    assert_eq!(
        err(&o),
        "Unexpected response from upsd: ERR CMD-NOT-SUPPORTED\n"
    );
    assert!(!server.log().contains("adminpass"));
}

#[test]
fn upsrw_lists_sets_and_refuses() {
    let server = Server::start(&[]);
    let ups = server.ups();

    let o = run("upsrw", &[&ups]);
    assert!(o.status.success(), "{o:?}");
    let list = out(&o);
    assert!(
        list.contains(
            "[ups.delay.shutdown]\nInterval to wait after shutdown with delay command (seconds)\n\
             Type: RANGE NUMBER\nOption: \"12-600\" SELECTED\n"
        ),
        "{list}"
    );
    assert!(list.contains("[ups.delay.start]\n"), "{list}");

    let set = |assignment: &str| {
        run(
            "upsrw",
            &["-s", assignment, "-u", "admin", "-p", "adminpass", &ups],
        )
    };
    let o = set("ups.delay.shutdown=60");
    assert!(o.status.success(), "{o:?}");
    assert_eq!(err(&o), "OK\n");
    server.wait_until("the new delay is published", || {
        run("upsc", &[&ups, "ups.delay.shutdown"]).stdout == b"60\n"
    });

    let o = set("ups.delay.shutdown=6000");
    assert!(!o.status.success());
    assert_eq!(
        err(&o),
        "Unexpected response from upsd: ERR INVALID-VALUE\n"
    );
    let o = set("ups.load=5");
    assert!(!o.status.success());
    assert_eq!(err(&o), "Unexpected response from upsd: ERR READONLY\n");
    let o = run(
        "upsrw",
        &[
            "-s",
            "ups.delay.shutdown=30",
            "-u",
            "monuser",
            "-p",
            "secret",
            &ups,
        ],
    );
    assert_eq!(
        err(&o),
        "Unexpected response from upsd: ERR ACCESS-DENIED\n"
    );
    assert_eq!(run("upsc", &[&ups, "ups.delay.shutdown"]).stdout, b"60\n");
}

/// The real upsmon binary (`/usr/sbin/upsmon` is Debian's wrapper that reads nut.conf and,
/// with its default `MODE=none`, exits without monitoring).
fn upsmon_binary() -> &'static str {
    ["/lib/nut/upsmon", "/usr/lib/nut/upsmon"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("/lib/nut/upsmon (scripts/test-all installs nut-client)")
}

/// One upsmon in the foreground with its own configuration, state and PID directories.
/// upsmon 2.8.0 keeps its PID file in the compiled-in /run/nut whatever NUT_ALTPIDPATH says,
/// so each runs in a mount namespace of its own with a scratch directory on /run/nut.
/// `-p` keeps it one process (no privileged parent) and `-D` in the foreground.
fn upsmon(dir: &TempDir, name: &str, monitor: &str, hostsync: u32) -> (Killed, PathBuf) {
    let home = dir.0.join(name);
    std::fs::create_dir_all(&home).unwrap();
    let shutdown = home.join("shutdown-ran");
    let conf = format!(
        "RUN_AS_USER root\n\
         MONITOR {monitor}\n\
         MINSUPPLIES 1\n\
         SHUTDOWNCMD \"touch {}\"\n\
         POWERDOWNFLAG {}\n\
         POLLFREQ 1\n\
         POLLFREQALERT 1\n\
         DEADTIME 15\n\
         FINALDELAY 0\n\
         HOSTSYNC {hostsync}\n",
        shutdown.display(),
        home.join("killpower").display(),
    );
    let conf_path = home.join("upsmon.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let log = std::fs::File::create(home.join("upsmon.log")).unwrap();
    let script = format!(
        "mkdir -p /run/nut && mount --bind {} /run/nut && exec {} -D -p",
        home.display(),
        upsmon_binary()
    );
    // Root may mount in a new mount namespace; anyone else needs a user namespace too.
    let root = run("id", &["-u"]).stdout == b"0\n";
    let namespaces = if root { "-m" } else { "-rm" };
    let child = spawn_group(
        Command::new("unshare")
            .args([namespaces, "sh", "-c", &script])
            .env("NUT_CONFPATH", &home)
            .env("NUT_STATEPATH", &home)
            .env("NUT_ALTPIDPATH", &home)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log),
    );
    (child, shutdown)
}

#[test]
fn two_upsmon_shut_down_through_a_power_failure() {
    // The mains fail after 8 s and the battery is low after 12 s; updates every second.
    let server = Server::start(&[
        "--simulate-power-fail",
        "8",
        "--simulate-low-battery",
        "12",
        "-x",
        "pollinterval=1",
    ]);
    let port = server.port();
    let dir = TempDir::new("upsmon");
    let (mut primary, primary_done) = upsmon(
        &dir,
        "primary",
        &format!("ups@127.0.0.1:{port} 1 admin adminpass primary"),
        20,
    );
    // The line a Synology NAS uses.
    let (mut secondary, secondary_done) = upsmon(
        &dir,
        "secondary",
        &format!("ups@127.0.0.1:{port} 1 monuser secret slave"),
        20,
    );
    let logs = || {
        let read = |n: &str| std::fs::read_to_string(dir.0.join(n).join("upsmon.log"));
        format!(
            "--- primary\n{}\n--- secondary\n{}\n--- server\n{}",
            read("primary").unwrap_or_default(),
            read("secondary").unwrap_or_default(),
            server.log()
        )
    };
    let start = Instant::now();
    server.wait_until("both upsmon logged in", || {
        if let Ok(Some(s)) = primary.0.try_wait() {
            panic!("the primary upsmon exited ({s}):\n{}", logs());
        }
        if let Ok(Some(s)) = secondary.0.try_wait() {
            panic!("the secondary upsmon exited ({s}):\n{}", logs());
        }
        server.ask("GET NUMLOGINS ups\n") == "NUMLOGINS ups 2\n"
    });
    assert!(
        start.elapsed() < Duration::from_secs(7),
        "upsmon took too long to log in; the power failure must come after:\n{}",
        logs()
    );

    // Watch ups.status as upsc shows it until both shutdown commands ran.
    let mut seen: Vec<String> = Vec::new();
    let mut order: Vec<&str> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while order.len() < 2 {
        assert!(
            Instant::now() < deadline,
            "no shutdown after {seen:?}, ran {order:?}:\n{}",
            logs()
        );
        let o = run("upsc", &[&server.ups(), "ups.status"]);
        let status = out(&o).trim_end().to_owned();
        if !status.is_empty() && seen.last() != Some(&status) {
            seen.push(status);
        }
        for (who, file) in [("secondary", &secondary_done), ("primary", &primary_done)] {
            if file.exists() && !order.contains(&who) {
                order.push(who);
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    // upsc may miss `OB LB`: the primary sets FSD within a poll of seeing it.
    let without_lb: Vec<&str> = seen
        .iter()
        .map(String::as_str)
        .filter(|s| *s != "OB LB")
        .collect();
    assert_eq!(
        without_lb,
        ["OL", "OB", "FSD OB LB"],
        "status sequence {seen:?}:\n{}",
        logs()
    );
    // Both saw every step: on battery, then low battery (the primary from `OB LB` itself,
    // before any FSD), then the shutdown.
    for who in ["primary", "secondary"] {
        let log = std::fs::read_to_string(dir.0.join(who).join("upsmon.log")).unwrap();
        let at = |what: &str| {
            log.find(what)
                .unwrap_or_else(|| panic!("{who}: no {what:?}:\n{}", logs()))
        };
        assert!(at("on battery") < at("battery is low"), "{who}:\n{log}");
        assert!(
            at("battery is low") < at("Executing automatic power-fail shutdown"),
            "{who}:\n{log}"
        );
    }
    let primary_log = std::fs::read_to_string(dir.0.join("primary").join("upsmon.log")).unwrap();
    assert!(
        !primary_log.contains("forced shutdown in progress"),
        "{primary_log}"
    );
    // The primary waits for the secondary to log out (NUMLOGINS back to 1) before shutting
    // down itself.
    assert_eq!(order, ["secondary", "primary"], "{}", logs());
    let log = server.log();
    let fsd = log.find(": FSD ups\n").expect("the primary set FSD");
    assert!(log[..fsd].contains(": PRIMARY ups\n"), "{log}");
    assert!(
        dir.0.join("primary").join("killpower").exists(),
        "{}",
        logs()
    );
    assert!(
        !log.contains("adminpass") && !log.contains("secret"),
        "{log}"
    );
}

#[test]
fn ipv6_idle_timeout_maxconn_metrics_and_sigterm() {
    let server = Server::start(&[
        "--listen",
        "127.0.0.1:0",
        "--listen",
        "[::1]:0",
        "--idle-timeout",
        "2",
        "--maxconn",
        "2",
        "--metrics",
        "127.0.0.1:0",
    ]);
    assert!(server.listening[1].is_ipv6(), "{:?}", server.listening);
    let o = run(
        "upsc",
        &[
            &format!("ups@[::1]:{}", server.listening[1].port()),
            "ups.status",
        ],
    );
    assert_eq!(out(&o), "OL\n", "{o:?}");

    // MAXCONN 2: with two clients served a third waits, and is served once one leaves.
    let mut buf = [0u8; 64];
    let served = |s: &mut TcpStream, buf: &mut [u8]| {
        s.write_all(b"VER\n").unwrap();
        let n = s.read(buf).unwrap();
        assert!(
            buf[..n].starts_with(b"Network UPS Tools upsd"),
            "{:?}",
            &buf[..n]
        );
    };
    let mut first = server.connect();
    let mut second = server.connect();
    served(&mut first, &mut buf);
    served(&mut second, &mut buf);
    let mut third = server.connect();
    third.write_all(b"VER\n").unwrap();
    third
        .set_read_timeout(Some(Duration::from_millis(1000)))
        .unwrap();
    assert!(third.read(&mut buf).is_err(), "served beyond MAXCONN");
    drop(first);
    third.set_read_timeout(Some(PATIENCE)).unwrap();
    let n = third.read(&mut buf).unwrap();
    assert!(
        buf[..n].starts_with(b"Network UPS Tools upsd"),
        "{:?}",
        &buf[..n]
    );
    drop((second, third));

    // An idle client is dropped (silently); one that keeps asking is not.
    let mut idle = server.connect();
    let mut busy = server.connect();
    let start = Instant::now();
    for _ in 0..4 {
        served(&mut busy, &mut buf);
        std::thread::sleep(Duration::from_millis(1000));
    }
    assert_eq!(idle.read(&mut buf).unwrap(), 0, "closed without a word");
    assert!(start.elapsed() >= Duration::from_secs(2));
    served(&mut busy, &mut buf);
    drop(busy);

    // Prometheus text.
    let metrics = server.metrics.unwrap();
    let get = |path: &str| {
        let mut s = TcpStream::connect(metrics).unwrap();
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        write!(s, "GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        text
    };
    let page = get("/metrics");
    assert!(page.starts_with("HTTP/1.0 200 OK\r\n"), "{page}");
    for want in [
        "\n# TYPE nut_battery_charge gauge\nnut_battery_charge{ups=\"ups\"} 100\n",
        "\nnut_ups_status{ups=\"ups\",flag=\"OL\"} 1\n",
        "\nnut_ups_status{ups=\"ups\",flag=\"OB\"} 0\n",
        "\nnut_up{ups=\"ups\"} 1\n",
    ] {
        assert!(page.contains(want), "{want:?} missing:\n{page}");
    }
    assert!(get("/").starts_with("HTTP/1.0 404 "));

    // SIGTERM ends it with exit status 0.
    let mut server = server;
    let pid = server.child.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let start = Instant::now();
    let status = loop {
        if let Some(s) = server.child.0.try_wait().unwrap() {
            break s;
        }
        assert!(start.elapsed() < PATIENCE, "still running after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}\n{}", server.log());
}

#[test]
fn every_section_of_a_config_file_is_served() {
    let dir = TempDir::new("conf");
    let conf = dir.file(
        "ups.conf",
        "[rack]\n  driver = nutdrv_qx\n  port = auto\n  desc = \"Rack UPS\"\n\
         [desk]\n  driver = nutdrv_qx\n  port = auto\n",
    );
    let conf = conf.to_str().unwrap();
    let server = Server::start(&["--config", conf]);
    let o = run("upsc", &["-l", &format!("127.0.0.1:{}", server.port())]);
    assert_eq!(out(&o), "rack\ndesk\n", "{o:?}");
    assert_eq!(
        server.ask("GET UPSDESC rack\n"),
        "UPSDESC rack \"Rack UPS\"\n"
    );
    server.wait_until("both are read", || {
        run(
            "upsc",
            &[&format!("desk@127.0.0.1:{}", server.port()), "ups.status"],
        )
        .stdout
            == b"OL\n"
    });

    // One of them with --ups; --synology then calls it `ups`.
    let one = Server::start(&["--config", conf, "--ups", "desk", "--synology"]);
    assert_eq!(
        one.ask("LIST UPS\n"),
        "BEGIN LIST UPS\nUPS ups \"Description unavailable\"\nEND LIST UPS\n"
    );
    assert_eq!(
        one.ask("USERNAME monuser\nPASSWORD secret\nLOGIN ups\n"),
        "OK\nOK\nOK\n"
    );

    // Usage errors: Synology wants one UPS called `ups`; a socket already in use.
    let o = Command::new(env!("CARGO_BIN_EXE_qxups"))
        .args(["serve", "--simulate", "--config", conf, "--synology"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(err(&o).contains("--synology"), "{}", err(&o));
    let taken = one.listening[0].to_string();
    let o = Command::new(env!("CARGO_BIN_EXE_qxups"))
        .args(["serve", "--simulate", "--listen", &taken])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(
        err(&o).contains(&format!("cannot listen on {taken}")),
        "{}",
        err(&o)
    );
}

#[test]
fn the_synology_preset_adds_monuser_as_a_secondary() {
    // A users file without monuser: the preset alone lets the NAS in, as a secondary.
    const ADMIN_ONLY: &str = "[admin]\n  password = adminpass\n  upsmon primary\n";
    let login = "USERNAME monuser\nPASSWORD secret\nLOGIN ups\n";

    let plain = Server::start_with_users(ADMIN_ONLY, &[]);
    assert_eq!(
        plain.ask(&format!("{login}PRIMARY ups\n")),
        "OK\nOK\nERR ACCESS-DENIED\nERR ACCESS-DENIED\n"
    );

    let nas = Server::start_with_users(ADMIN_ONLY, &["--synology"]);
    assert_eq!(
        nas.ask(&format!("{login}GET NUMLOGINS ups\nPRIMARY ups\n")),
        "OK\nOK\nOK\nNUMLOGINS ups 1\nERR ACCESS-DENIED\n"
    );
    // The file's own users still work beside it.
    assert_eq!(
        nas.ask("USERNAME admin\nPASSWORD adminpass\nLOGIN ups\nPRIMARY ups\n"),
        "OK\nOK\nOK\nOK PRIMARY-GRANTED\n"
    );
    assert!(!nas.log().contains("secret"), "{}", nas.log());
}
