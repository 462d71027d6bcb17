//! The `qxups` subcommands that talk to a UPS: `status`, `monitor`, `cmd`, `set`, `serve`,
//! and `decode --trace`.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use qxups::driver::Event;
use qxups::serial::CablePower;
use qxups_usb::config::{self, Entry, Link, UpsConfig};
use qxups_usb::decode;
use qxups_usb::link::trace_protocol;
use qxups_usb::session::{Session, SessionError, Setup, Target, json_object, upsc_lines};

use qxups::netserver::Users;
use qxups_usb::serve;

use crate::cli::{
    CmdArgs, DeviceArgs, ListArgs, MonitorArgs, ServeArgs, SetArgs, SimulateArgs, StatusArgs,
};

/// Exit status for a usage error, as clap uses.
pub const USAGE: u8 = 2;

/// Whether a command may fall back to the virtual UPS when no device is found: reading is
/// harmless, but a command meant for a real UPS must never go to a pretend one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fallback {
    Simulate,
    Never,
}

/// The `-x KEY=VALUE` settings as ups.conf entries.
fn extra_entries(args: &DeviceArgs) -> Vec<Entry> {
    args.set
        .iter()
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => Entry::new(k.trim(), Some(v.trim())),
            None => Entry::new(kv.trim(), None),
        })
        .collect()
}

/// The ups.conf settings of every UPS the command works on: each --ups section of --config
/// (every section when `all` and no --ups is given), with -x settings applied last, or the
/// no-file default (`port = auto`) with the -x settings.
fn ups_configs(args: &DeviceArgs, all: bool) -> Result<Vec<UpsConfig>, String> {
    let extra = extra_entries(args);
    let configs = match &args.config {
        Some(path) => {
            let file = config::load(path).map_err(|e| e.to_string())?;
            let names: Vec<Option<&str>> = match args.ups.as_slice() {
                [] if all => file
                    .sections
                    .iter()
                    .map(|s| Some(s.name.as_str()))
                    .collect(),
                [] => vec![None],
                [one] => vec![Some(one.as_str())],
                _ if all => args.ups.iter().map(|n| Some(n.as_str())).collect(),
                _ => return Err("--ups may be given once here (serve takes several)".into()),
            };
            names
                .into_iter()
                .map(|n| file.ups_with(n, &extra).map_err(|e| e.to_string()))
                .collect::<Result<Vec<_>, _>>()?
        }
        None => {
            let file = config::parse("[ups]\ndriver = nutdrv_qx\nport = auto\n", "-x")
                .map_err(|e| e.to_string())?;
            vec![
                file.ups_with(Some("ups"), &extra)
                    .map_err(|e| e.to_string())?,
            ]
        }
    };
    for w in configs.iter().flat_map(|c| &c.warnings) {
        eprintln!("qxups: {w}");
    }
    Ok(configs)
}

fn setup(args: &DeviceArgs, interval_s: Option<u32>) -> Result<Setup, String> {
    let cfg = ups_configs(args, false)?.pop().ok_or("no UPS configured")?;
    setup_for(args, &cfg, interval_s)
}

/// How to open the UPS of `cfg`, with the command line's overrides.
fn setup_for(args: &DeviceArgs, cfg: &UpsConfig, interval_s: Option<u32>) -> Result<Setup, String> {
    let mut engine = cfg.engine.clone();
    if let Some(name) = &args.protocol {
        engine.protocol = Some(decode::dialect(name).map_err(|e| e.to_string())?);
    }
    if let Some(s) = interval_s {
        engine.poll_interval_ms = s.saturating_mul(1000);
    }
    let cable: CablePower = match args.cablepower.as_deref() {
        Some(text) => text
            .parse()
            .map_err(|e| format!("--cablepower {text}: {e}"))?,
        None => cfg.cablepower,
    };
    let port = args.port.clone().or(match &cfg.link {
        Link::Serial(path) => Some(path.display().to_string()),
        Link::Usb => None,
    });
    let target = match (&args.simulate, port) {
        (Some(name), _) => Target::Simulate(decode::dialect(name).map_err(|e| e.to_string())?),
        (None, Some(path)) if path != "auto" => Target::Serial(path),
        (None, _) => Target::Usb(Box::new(cfg.usb_criteria())),
    };
    let port = match &target {
        Target::Simulate(_) => "simulate".to_owned(),
        Target::Serial(path) => path.clone(),
        Target::Usb(_) => "auto".to_owned(),
    };
    if let Ok(t) = qxups::nut::vars::text(format_args!("{port}")) {
        engine.port = t;
    }
    let ms = |s: Option<u64>| s.map(|s| s.saturating_mul(1000));
    Ok(Setup {
        target,
        config: engine,
        cable,
        capture: args.capture.clone(),
        log_frames: args.verbose >= 2,
        simulate_power_fail_ms: ms(args.simulate_power_fail),
        simulate_low_battery_ms: ms(args.simulate_low_battery),
    })
}

fn open(
    args: &DeviceArgs,
    interval_s: Option<u32>,
    fallback: Fallback,
) -> Result<Session, ExitCode> {
    let mut setup = setup(args, interval_s).map_err(|e| {
        eprintln!("qxups: {e}");
        ExitCode::from(USAGE)
    })?;
    let opened = match Session::open(setup.clone()) {
        Err(SessionError::NoDevice(why)) if fallback == Fallback::Simulate => {
            let dialect = setup
                .config
                .protocol
                .unwrap_or(&qxups::dialect::megatec::DIALECT);
            eprintln!(
                "qxups: no UPS found on USB ({why}); running against the built-in virtual UPS \
                 ({}). Give --port PATH for a serial UPS.",
                dialect.name
            );
            setup.target = Target::Simulate(dialect);
            if let Ok(t) = qxups::nut::vars::text(format_args!("simulate")) {
                setup.config.port = t;
            }
            Session::open(setup)
        }
        Err(SessionError::NoDevice(why)) => {
            eprintln!("qxups: no UPS found on USB ({why}): give --port PATH for a serial UPS");
            return Err(ExitCode::FAILURE);
        }
        other => other,
    };
    let mut session = opened.map_err(|e| {
        eprintln!("qxups: {e}");
        ExitCode::FAILURE
    })?;
    match session.until_ready() {
        Ok(dialect) => {
            if args.verbose >= 1 {
                eprintln!("qxups: device recognised as {dialect}");
            }
            Ok(session)
        }
        Err(e) => {
            eprintln!("qxups: {e}");
            Err(ExitCode::FAILURE)
        }
    }
}

/// `qxups status`.
pub fn status(args: &StatusArgs) -> ExitCode {
    let session = match open(&args.device, None, Fallback::Simulate) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let Some(vars) = session.vars() else {
        return ExitCode::FAILURE;
    };
    let text = if args.json {
        format!("{}\n", json_object(vars))
    } else {
        upsc_lines(vars)
    };
    print!("{text}");
    ExitCode::SUCCESS
}

/// Runs a hook with `sh -c`, its environment telling what happened; never waits for it.
fn run_hook(cmd: &str, event: &str, status: &str) {
    let spawned = std::process::Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .env("QXUPS_EVENT", event)
        .env("QXUPS_STATUS", status)
        .spawn();
    if let Err(e) = spawned {
        eprintln!("qxups: hook {cmd:?}: {e}");
    }
}

fn has_token(status: Option<&str>, token: &str) -> bool {
    status.is_some_and(|s| s.split_whitespace().any(|t| t == token))
}

/// `qxups monitor`.
pub fn monitor(args: &MonitorArgs) -> ExitCode {
    let mut session = match open(
        &args.device,
        args.interval.map(|i| i.max(1)),
        Fallback::Simulate,
    ) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut out = std::io::stdout().lock();
    let mut last: BTreeMap<String, String> = BTreeMap::new();
    let mut polls = 0u64;
    loop {
        let now: BTreeMap<String, String> = session
            .vars()
            .map(|v| {
                v.iter()
                    .map(|v| (v.name().to_owned(), v.value().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let t = session.now_ms();
        let mut lines = String::new();
        for (name, value) in &now {
            let old = last.get(name);
            if old == Some(value) {
                continue;
            }
            if args.json {
                let row = serde_json::json!({"t_ms": t, "name": name, "old": old, "new": value});
                lines.push_str(&format!("{row}\n"));
            } else if let Some(old) = old {
                lines.push_str(&format!("+{}s {name}: {old} -> {value}\n", t / 1000));
            } else {
                lines.push_str(&format!("{name}: {value}\n"));
            }
        }
        for name in last.keys().filter(|n| !now.contains_key(*n)) {
            if args.json {
                let row =
                    serde_json::json!({"t_ms": t, "name": name, "old": last[name], "new": null});
                lines.push_str(&format!("{row}\n"));
            } else {
                lines.push_str(&format!("+{}s {name}: gone\n", t / 1000));
            }
        }
        let (old_status, new_status) = (
            last.get("ups.status").map(String::as_str),
            now.get("ups.status").map(String::as_str),
        );
        let status = new_status.unwrap_or("");
        if let Some(cmd) = &args.on_battery {
            if has_token(new_status, "OB") && !has_token(old_status, "OB") {
                run_hook(cmd, "onbattery", status);
            }
        }
        if let Some(cmd) = &args.on_low_battery {
            if has_token(new_status, "LB") && !has_token(old_status, "LB") {
                run_hook(cmd, "lowbattery", status);
            }
        }
        if out
            .write_all(lines.as_bytes())
            .and_then(|()| out.flush())
            .is_err()
        {
            return ExitCode::SUCCESS; // the reader went away
        }
        last = now;
        if args.count.is_some_and(|n| polls >= n) {
            return ExitCode::SUCCESS;
        }
        let step = session.step();
        polls += 1;
        if let Some(event) = step.event {
            let quiet = matches!(event, Event::Updated { .. });
            if !quiet || args.device.verbose >= 1 {
                let line = if args.json {
                    format!(
                        "{}\n",
                        serde_json::json!({"t_ms": session.now_ms(), "event": event.to_string()})
                    )
                } else {
                    format!("# {event}\n")
                };
                let _ = out.write_all(line.as_bytes());
            }
        }
    }
}

/// `qxups cmd`.
pub fn cmd(args: &CmdArgs) -> ExitCode {
    let mut session = match open(&args.device, None, Fallback::Never) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if args.list {
        if let Some(ups) = session.driver().ups() {
            let mut names: Vec<&str> = ups.commands().map(|c| c.name).collect();
            names.sort_unstable();
            names.dedup();
            for n in names {
                println!("{n}");
            }
        }
        return ExitCode::SUCCESS;
    }
    let Some(name) = &args.name else {
        return ExitCode::from(USAGE);
    };
    match session.instcmd(name, args.arg.as_deref()) {
        Ok(()) => {
            println!("OK");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("qxups cmd {name}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `qxups set`.
pub fn set(args: &SetArgs) -> ExitCode {
    let mut session = match open(&args.device, None, Fallback::Never) {
        Ok(s) => s,
        Err(code) => return code,
    };
    match session.setvar(&args.var, &args.value) {
        Ok(outcome) => {
            println!("OK ({outcome})");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("qxups set {}: {e}", args.var);
            ExitCode::FAILURE
        }
    }
}

/// `qxups decode --trace FILE`: replays every row of a capture into one UPS and prints what
/// it publishes. Exit 1 if a row did not decode.
pub fn decode_trace(path: &std::path::Path, protocol: Option<&str>, json: bool) -> ExitCode {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("qxups decode: {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    };
    let Some(name) = protocol.or_else(|| trace_protocol(&text)) else {
        eprintln!(
            "qxups decode: {}: no `# qxups trace protocol=` header; give --protocol",
            path.display()
        );
        return ExitCode::from(USAGE);
    };
    let dialect = match decode::dialect(name) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("qxups decode: {e}");
            return ExitCode::from(USAGE);
        }
    };
    let mut ups = qxups::Ups::new(dialect, qxups::Options::new());
    let mut failed = false;
    for row in qxups::trace::rows(&text) {
        let cmd = decode::unescape(row.command);
        let answer = decode::unescape(row.answer);
        let is_query = dialect.queries().any(|q| q.eq_ignore_ascii_case(&cmd));
        if !is_query || answer.is_empty() {
            continue;
        }
        if let Err(e) = ups.decode(&cmd, &answer) {
            failed = true;
            eprintln!("qxups decode: {} -> {}: {e}", row.command, row.answer);
        }
    }
    if json {
        println!("{}", json_object(ups.vars()));
    } else {
        print!("{}", upsc_lines(ups.vars()));
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `qxups simulate`: serves until killed.
pub fn simulate(args: &SimulateArgs) -> ExitCode {
    let dialect = match decode::dialect(&args.dialect) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("qxups simulate: {e}");
            return ExitCode::from(USAGE);
        }
    };
    let Some(mut ups) = qxups::virtual_ups::VirtualUps::for_dialect(dialect) else {
        eprintln!(
            "qxups simulate: the virtual UPS cannot play {}",
            dialect.name
        );
        return ExitCode::FAILURE;
    };
    if args.identity == "classic" {
        ups.set_identity(qxups::virtual_ups::Identity::Classic);
    }
    let served = match qxups_usb::pty::PtyUps::serve(ups, args.link.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("qxups simulate: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", served.path().display());
    let _ = std::io::stdout().flush();
    eprintln!(
        "qxups simulate: a virtual {} UPS on {}{}; Ctrl-C stops it",
        dialect.name,
        served.path().display(),
        args.link
            .as_ref()
            .map(|l| format!(" (also {})", l.display()))
            .unwrap_or_default()
    );
    let start = std::time::Instant::now();
    let mut failed = false;
    loop {
        std::thread::sleep(std::time::Duration::from_millis(200));
        if let Some(after) = args.power_fail {
            if !failed && start.elapsed().as_secs() >= after {
                failed = true;
                if let Ok(mut u) = served.ups().lock() {
                    u.state.power_fail();
                }
            }
        }
    }
}

/// `qxups list`: every USB device, the subdriver the device table picks for it and why; with
/// `--serial PATH`, what autodetection finds on each port.
pub fn list(args: &ListArgs) -> ExitCode {
    let criteria = qxups_usb::usb::Criteria::default();
    match qxups_usb::usb::list(&criteria) {
        Ok(devices) if devices.is_empty() => println!("usb: no devices"),
        Ok(devices) => {
            for d in devices {
                println!("usb {d}");
            }
        }
        Err(e) => println!("usb: {e}"),
    }
    for path in &args.serial {
        let setup = Setup {
            target: Target::Serial(path.clone()),
            config: qxups::driver::Config::default(),
            cable: CablePower::default(),
            capture: None,
            log_frames: false,
            simulate_power_fail_ms: None,
            simulate_low_battery_ms: None,
        };
        let found = Session::open(setup).and_then(|mut s| s.until_ready());
        match found {
            Ok(dialect) => println!("serial {path}: {dialect}"),
            Err(e) => println!("serial {path}: {e}"),
        }
    }
    ExitCode::SUCCESS
}

/// The users of `qxups serve`: the --users file's, plus Synology's monuser unless the file
/// has a user of that name.
fn serve_users(args: &ServeArgs) -> Result<Users, String> {
    let mut users = match &args.users {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("--users {}: {e}", path.display()))?;
            Users::parse(&text).map_err(|e| format!("--users {}: {e}", path.display()))?
        }
        None => Users::new(),
    };
    if args.synology {
        for u in Users::synology().iter() {
            if users.iter().all(|have| have.name() != u.name()) {
                users
                    .add(u.clone())
                    .map_err(|e| format!("--synology: {e}"))?;
            }
        }
    }
    Ok(users)
}

/// `qxups serve`: a NUT server for every configured UPS, until SIGTERM or SIGINT.
pub fn serve(args: &ServeArgs) -> ExitCode {
    let usage = |e: String| {
        eprintln!("qxups serve: {e}");
        ExitCode::from(USAGE)
    };
    let users = match serve_users(args) {
        Ok(u) => u,
        Err(e) => return usage(e),
    };
    let configs = match ups_configs(&args.device, true) {
        Ok(c) => c,
        Err(e) => return usage(e),
    };
    let mut upses = Vec::new();
    for cfg in &configs {
        match setup_for(&args.device, cfg, None) {
            Ok(setup) => upses.push(serve::UpsSpec {
                name: cfg.name.clone(),
                desc: cfg.desc.clone(),
                setup,
            }),
            Err(e) => return usage(e),
        }
    }
    if args.synology {
        // DSM only asks for a UPS called `ups`.
        match upses.as_mut_slice() {
            [only] => only.name = "ups".to_owned(),
            many if many.iter().any(|u| u.name == "ups") => {}
            _ => return usage("--synology needs one UPS, or one called `ups`".into()),
        }
    }
    let options = serve::Options {
        listen: args.listen.clone(),
        users,
        maxage: std::time::Duration::from_secs(args.maxage),
        maxconn: args.maxconn.and_then(|n| usize::try_from(n).ok()),
        idle_timeout: std::time::Duration::from_secs(args.idle_timeout),
        metrics: args.metrics,
        verbose: args.device.verbose >= 1,
    };
    match serve::run(upses, options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("qxups serve: {e}");
            ExitCode::FAILURE
        }
    }
}
