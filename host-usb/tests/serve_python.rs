//! `qxups serve --simulate` against the Python NUT clients from PyPI: `nut2` (PyNUTClient) and
//! `aionut` (Home Assistant's `nut` integration), each driven by tests/python/ha_clients.py in
//! the order its users call it. The interpreter is the venv's that scripts/test-all creates
//! with both libraries pinned, named by `QXUPS_VENV_PYTHON`.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

mod common;

use common::*;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/ha_clients.py");

/// What one run of the script read: (call, result) in call order.
struct Calls(Vec<(String, Value)>);

impl Calls {
    fn from_output(o: &Output) -> Self {
        assert!(
            o.status.success(),
            "ha_clients.py failed: {}\nstdout:\n{}\nstderr:\n{}",
            o.status,
            out(o),
            err(o)
        );
        let v: Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("ha_clients.py printed no JSON ({e}):\n{}", out(o)));
        let calls = v["calls"].as_array().unwrap_or_else(|| panic!("{v}"));
        Self(
            calls
                .iter()
                .map(|c| (c[0].as_str().unwrap().to_owned(), c[1].clone()))
                .collect(),
        )
    }

    fn names(&self) -> Vec<&str> {
        self.0.iter().map(|(n, _)| n.as_str()).collect()
    }

    fn get(&self, call: &str) -> &Value {
        self.0
            .iter()
            .find(|(n, _)| n == call)
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("no {call:?} among {:?}", self.names()))
    }

    /// The result of CALL, a JSON object of strings, as a map.
    fn map(&self, call: &str) -> BTreeMap<String, String> {
        let v = self.get(call);
        v.as_object()
            .unwrap_or_else(|| panic!("{call}: {v}"))
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect()
    }
}

/// `ha_clients.py LIBRARY 127.0.0.1 PORT ups [USER PASSWORD] [--hold]`.
fn script(server: &Server, library: &str, login: Option<(&str, &str)>, hold: bool) -> Command {
    let python = std::env::var("QXUPS_VENV_PYTHON").unwrap_or_else(|_| {
        panic!(
            "QXUPS_VENV_PYTHON is not set: it names the python of the venv with nut2 and aionut \
             that scripts/test-all creates (target/py-venv/bin/python)"
        )
    });
    let mut cmd = Command::new(&python);
    cmd.args([
        SCRIPT,
        library,
        "127.0.0.1",
        &server.port().to_string(),
        "ups",
    ]);
    if let Some((user, password)) = login {
        cmd.args([user, password]);
    }
    if hold {
        cmd.arg("--hold");
    }
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd
}

/// Runs the script to its end.
fn drive(server: &Server, library: &str, login: Option<(&str, &str)>) -> Calls {
    let o = script(server, library, login, false)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("QXUPS_VENV_PYTHON: {e} (scripts/test-all creates the venv)"));
    Calls::from_output(&o)
}

/// The server's own answer to REQUEST, line by line: each line starting with PREFIX split
/// into its first word and the rest without quotes (`VAR ups ` → name → value).
fn served(server: &Server, request: &str, prefix: &str) -> BTreeMap<String, String> {
    server
        .ask(request)
        .lines()
        .filter_map(|l| l.strip_prefix(prefix))
        .map(|l| {
            let (name, rest) = l.split_once(' ').unwrap_or((l, ""));
            (name.to_owned(), rest.trim_matches('"').to_owned())
        })
        .collect()
}

/// The quoted part of the server's one-line answer to REQUEST.
fn quoted(server: &Server, request: &str) -> String {
    let reply = server.ask(request);
    reply
        .split('"')
        .nth(1)
        .unwrap_or_else(|| panic!("{request:?} → {reply:?}"))
        .to_owned()
}

/// Where the server's log will continue: after the end of a marker request's connection, so
/// that everything sent before this call lies before it (a thread reads the server's stderr,
/// so a line can arrive after the reply that followed it).
fn log_mark(server: &Server) -> usize {
    static MARKERS: AtomicUsize = AtomicUsize::new(0);
    let marker = format!(
        ": GET VAR ups log.mark.{}\n",
        MARKERS.fetch_add(1, Ordering::Relaxed)
    );
    server.ask(&marker[2..]);
    let mut mark = 0;
    server.wait_until("the marker's connection is logged", || {
        let log = server.log();
        let Some(at) = log.find(&marker) else {
            return false;
        };
        // "qxups serve: 127.0.0.1:PORT", the marker connection's prefix.
        let peer = &log[log[..at].rfind('\n').map_or(0, |i| i + 1)..at];
        let Some(end) = log[at..].find(&format!("{peer}: disconnected")) else {
            return false;
        };
        let end = at + end;
        mark = log[end..].find('\n').map_or(log.len(), |i| end + i + 1);
        true
    });
    mark
}

/// The requests the server logged (`-v`) after byte MARK of its log, connection events left out.
fn requests_since(server: &Server, mark: usize) -> Vec<String> {
    server.log()[mark..]
        .lines()
        .filter_map(|l| l.strip_prefix("qxups serve: 127.0.0.1:")?.split_once(": "))
        .map(|(_, request)| request)
        .filter(|r| *r != "connected" && !r.starts_with("disconnected"))
        .map(str::to_owned)
        .collect()
}

/// Waits until the server has logged as many requests as WANTED after MARK, then compares.
fn assert_requests(server: &Server, mark: usize, wanted: &[&str]) {
    server.wait_until("the client's requests are logged", || {
        requests_since(server, mark).len() >= wanted.len()
    });
    assert_eq!(requests_since(server, mark), wanted);
}

/// The variables every reading client must see: the server's own `LIST VAR`, which holds
/// what the virtual UPS holds, with a few values spelled out.
fn assert_vars(server: &Server, vars: &BTreeMap<String, String>) {
    assert_eq!(*vars, served(server, "LIST VAR ups\n", "VAR ups "));
    let held: BTreeMap<String, String> = held_vars().into_iter().collect();
    for (name, value) in &held {
        // The beeper and the shutdown delay are what the clients change.
        if name != "ups.beeper.status" && name != "ups.delay.shutdown" {
            assert_eq!(vars.get(name), Some(value), "{name}");
        }
    }
    for (name, value) in [
        ("ups.status", "OL"),
        ("battery.charge", "100"),
        ("device.mfr", "QXUPS"),
        ("ups.mfr", "QXUPS"),
        ("device.model", "VUPS1"),
        ("ups.model", "VUPS1"),
        ("device.serial", "QX000001"),
        ("ups.firmware", "V1.0"),
    ] {
        assert_eq!(vars.get(name).map(String::as_str), Some(value), "{name}");
    }
}

fn beeper_and_delay(server: &Server) -> String {
    server.ask("GET VAR ups ups.beeper.status\nGET VAR ups ups.delay.shutdown\n")
}

#[test]
fn nut2_reads_everything_and_writes_only_with_rights() {
    let server = Server::start(&[]);
    let mark = log_mark(&server);

    let anon = drive(&server, "nut2", None);
    let reads = [
        "list_ups",
        "description",
        "list_vars",
        "get_var ups.status",
        "get battery.charge",
        "var_type ups.delay.shutdown",
        "var_description ups.status",
        "list_rw_vars",
        "list_range ups.delay.shutdown",
        "list_commands",
        "command_description beeper.toggle",
        "list_clients",
        "help",
        "ver",
    ];
    assert_eq!(anon.names(), reads);
    assert_eq!(anon.map("list_ups"), served(&server, "LIST UPS\n", "UPS "));
    assert_eq!(
        anon.get("description"),
        &json!(quoted(&server, "GET UPSDESC ups\n"))
    );
    assert_vars(&server, &anon.map("list_vars"));
    assert_eq!(anon.get("get_var ups.status"), "OL");
    assert_eq!(anon.get("get battery.charge"), "100");
    let kind = server.ask("GET TYPE ups ups.delay.shutdown\n");
    assert_eq!(kind, "TYPE ups ups.delay.shutdown RW RANGE NUMBER\n");
    assert_eq!(anon.get("var_type ups.delay.shutdown"), "RW RANGE NUMBER");
    assert_eq!(anon.get("var_description ups.status"), "UPS status");
    assert_eq!(
        anon.map("list_rw_vars"),
        served(&server, "LIST RW ups\n", "RW ups ")
    );
    // nut2 keeps only a range's minimum.
    assert_eq!(anon.get("list_range ups.delay.shutdown"), &json!(["12"]));
    let commands = anon.map("list_commands");
    assert_eq!(
        commands.keys().collect::<Vec<_>>(),
        served(&server, "LIST CMD ups\n", "CMD ups ")
            .keys()
            .collect::<Vec<_>>()
    );
    assert!(commands.len() >= 10, "{commands:?}");
    for (name, description) in &commands {
        let asked = quoted(&server, &format!("GET CMDDESC ups {name}\n"));
        assert_eq!(*description, asked, "{name}");
    }
    assert_eq!(commands["beeper.toggle"], "Toggle the UPS beeper");
    // nut2 asks for `LIST CLIENTS`, which upsd does not know either.
    assert_eq!(
        anon.get("list_clients"),
        &json!({"raised": "PyNUTError", "message": "ERR INVALID-ARGUMENT"})
    );
    assert_eq!(anon.get("help"), &json!(server.ask("HELP\n")));
    assert_eq!(anon.get("ver"), &json!(server.ask("VER\n")));
    // Its destructor says goodbye.
    server.wait_until("nut2's LOGOUT", || {
        requests_since(&server, mark).contains(&"LOGOUT".to_owned())
    });

    // Nobody logged in wrote anything; a wrong password reads but may not write.
    assert_eq!(
        beeper_and_delay(&server),
        "VAR ups ups.beeper.status \"disabled\"\nVAR ups ups.delay.shutdown \"30\"\n"
    );
    let bad = drive(&server, "nut2", Some(("admin", "wrong")));
    assert_eq!(bad.get("get_var ups.status"), "OL");
    let denied = json!({"raised": "PyNUTError", "message": "ERR ACCESS-DENIED"});
    assert_eq!(bad.get("run_command beeper.toggle"), &denied);
    assert_eq!(bad.get("set_var ups.delay.shutdown 120"), &denied);

    let admin = drive(&server, "nut2", Some(("admin", "adminpass")));
    assert_eq!(admin.names()[..reads.len()], reads);
    assert_eq!(admin.get("run_command beeper.toggle"), &Value::Null);
    assert_eq!(admin.get("set_var ups.delay.shutdown 120"), &Value::Null);
    server.wait_until("the beeper is on and the delay is 120 s", || {
        beeper_and_delay(&server)
            == "VAR ups ups.beeper.status \"enabled\"\nVAR ups ups.delay.shutdown \"120\"\n"
    });
    // And nut2 reads the new values back.
    let after = drive(&server, "nut2", None);
    assert_eq!(after.map("list_rw_vars")["ups.delay.shutdown"], "120");
    assert_eq!(after.map("list_vars")["ups.beeper.status"], "enabled");
}

/// Home Assistant's requests without credentials: the config flow's `LIST UPS`, the first
/// refresh's `LIST VAR`, the device entry's `GET UPSDESC`, one poll's `LIST VAR`.
const HA_ANONYMOUS: &[&str] = &[
    "LIST UPS",
    "LIST VAR ups",
    "GET UPSDESC ups",
    "LIST VAR ups",
];

#[test]
fn aionut_as_home_assistant_calls_it() {
    let server = Server::start(&[]);

    // Without credentials Home Assistant only reads: no `LIST CMD`, no buttons.
    let mark = log_mark(&server);
    let anon = drive(&server, "aionut", None);
    assert_eq!(
        anon.names(),
        ["list_ups", "list_vars", "description", "list_vars again"]
    );
    assert_requests(&server, mark, HA_ANONYMOUS);
    assert_eq!(anon.map("list_ups"), served(&server, "LIST UPS\n", "UPS "));
    assert_eq!(
        anon.get("description"),
        &json!(quoted(&server, "GET UPSDESC ups\n"))
    );
    assert_vars(&server, &anon.map("list_vars"));
    assert_vars(&server, &anon.map("list_vars again"));

    // Synology's monuser reads and lists the commands but may not run one; neither may a
    // wrong password. aionut raises its login error, which makes Home Assistant ask for
    // new credentials.
    let commands: Vec<String> = served(&server, "LIST CMD ups\n", "CMD ups ")
        .into_keys()
        .collect();
    let denied = json!({
        "raised": "NUTLoginError",
        "message": "Error running: INSTCMD ups beeper.toggle: ERR ACCESS-DENIED"
    });
    for login in [("monuser", "secret"), ("admin", "wrong")] {
        let calls = drive(&server, "aionut", Some(login));
        assert_eq!(calls.get("list_commands"), &json!(commands), "{login:?}");
        assert_vars(&server, &calls.map("list_vars again"));
        assert_eq!(calls.get("run_command beeper.toggle"), &denied, "{login:?}");
    }
    assert_eq!(
        server.ask("GET VAR ups ups.beeper.status\n"),
        "VAR ups ups.beeper.status \"disabled\"\n"
    );

    // The admin presses the beeper button.
    let mark = log_mark(&server);
    let admin = drive(&server, "aionut", Some(("admin", "adminpass")));
    assert_eq!(
        admin.names(),
        [
            "list_ups",
            "list_vars",
            "list_commands",
            "description",
            "list_vars again",
            "run_command beeper.toggle"
        ]
    );
    assert_requests(
        &server,
        mark,
        &[
            "USERNAME admin",
            "PASSWORD ********",
            "LIST UPS",
            "LIST VAR ups",
            "LIST CMD ups",
            "GET UPSDESC ups",
            "LIST VAR ups",
            "INSTCMD ups beeper.toggle",
        ],
    );
    assert_eq!(admin.get("list_commands"), &json!(commands));
    assert_eq!(admin.get("run_command beeper.toggle"), "OK");
    server.wait_until("the beeper is on", || {
        server.ask("GET VAR ups ups.beeper.status\n") == "VAR ups ups.beeper.status \"enabled\"\n"
    });
    let next_poll = drive(&server, "aionut", None);
    assert_eq!(next_poll.map("list_vars")["ups.beeper.status"], "enabled");
}

/// Home Assistant polls its persistent connection every 60 s, upsd's idle limit: when the
/// server has closed it, aionut reconnects and the poll still succeeds.
#[test]
fn aionut_poll_survives_the_idle_timeout() {
    let server = Server::start(&["--idle-timeout", "1"]);
    let mark = log_mark(&server);
    let mut child = script(&server, "aionut", None, true)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("QXUPS_VENV_PYTHON: {e} (scripts/test-all creates the venv)"));
    server.wait_until("the server closes the idle connection", || {
        server.log()[mark..].contains(": disconnected (idle)")
    });
    // Dropping stdin would release the script as well: the write only makes it explicit.
    child.stdin.take().unwrap().write_all(b"\n").unwrap();
    let calls = Calls::from_output(&child.wait_with_output().unwrap());
    // A request on the closed connection is never read there: each is logged once.
    assert_requests(&server, mark, HA_ANONYMOUS);
    let log = server.log();
    assert!(
        log[mark..].matches(": connected\n").count() >= 2,
        "aionut did not reconnect:\n{log}"
    );
    assert_vars(&server, &calls.map("list_vars again"));
}
