//! The command line of `qxups`.

use clap::{Args, Parser, Subcommand};

/// Talks to Megatec Q* UPSes the way NUT's `nutdrv_qx` does.
#[derive(Debug, Parser)]
#[command(name = "qxups", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The USB devices seen, the subdriver each would use and why; serial ports with --serial.
    List(ListArgs),
    /// One reading of the UPS, in upsc's `name: value` format (or JSON).
    Status(StatusArgs),
    /// Poll the UPS and print one line per change (or JSON lines); run hooks on power events.
    Monitor(MonitorArgs),
    /// Run an instant command (`cmd --list` lists them).
    Cmd(CmdArgs),
    /// Set a variable.
    Set(SetArgs),
    /// Decode captured answers into NUT variables, without a device.
    Decode(DecodeArgs),
    /// Serve the built-in virtual UPS on a pseudo-terminal, for any program that opens a serial
    /// port (NUT's nutdrv_qx included), until interrupted.
    Simulate(SimulateArgs),
    /// Serve the UPS to NUT clients (upsc, upsmon, Synology DSM, Home Assistant) as upsd does,
    /// on TCP port 3493, until SIGTERM or SIGINT.
    Serve(ServeArgs),
}

/// `qxups serve`.
#[derive(Debug, Args)]
#[command(
    after_help = "Each listener is announced on standard error once bound, as \
`qxups serve: listening on ADDR:PORT` (so --listen 127.0.0.1:0 picks a free port).\n\
Synology DSM: qxups serve --synology --listen 0.0.0.0:3493"
)]
pub struct ServeArgs {
    /// The UPS (with --config and no --ups, every section of the file is served).
    #[command(flatten)]
    pub device: DeviceArgs,
    /// Accept NUT clients on ADDR:PORT (repeatable; IPv6 as [::1]:3493; port 0 picks one).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:3493")]
    pub listen: Vec<std::net::SocketAddr>,
    /// The users, in NUT's upsd.users format (password, upsmon primary|secondary, actions,
    /// instcmds). Without it nobody may log in, set or run commands.
    #[arg(long, value_name = "FILE")]
    pub users: Option<std::path::PathBuf>,
    /// What a Synology NAS expects: the UPS is called `ups`, and user `monuser` with password
    /// `secret` may log in as an upsmon secondary.
    #[arg(long)]
    pub synology: bool,
    /// Seconds without a good update before clients get `ERR DATA-STALE` (upsd's MAXAGE).
    #[arg(long, value_name = "SECONDS", default_value_t = 15)]
    pub maxage: u64,
    /// Most clients served at once; further connections wait until one leaves (upsd's
    /// MAXCONN). Default: no limit but the file descriptors.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub maxconn: Option<u32>,
    /// Close a client that sent no complete request for SECONDS (upsd: 60).
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout: u64,
    /// Also serve the variables as Prometheus metrics at http://ADDR:PORT/metrics.
    #[arg(long, value_name = "ADDR:PORT")]
    pub metrics: Option<std::net::SocketAddr>,
}

/// `qxups simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The dialect the virtual UPS speaks.
    #[arg(value_name = "DIALECT", default_value = "megatec")]
    pub dialect: String,
    /// Also make a symbolic link to the pseudo-terminal here (e.g. /tmp/ups-tty).
    #[arg(long, value_name = "PATH")]
    pub link: Option<std::path::PathBuf>,
    /// The mains fail after SECONDS.
    #[arg(long, value_name = "SECONDS")]
    pub power_fail: Option<u64>,
    /// The layout of the `I` (identity) answer: `native` (what the dialect reads; megatec's is
    /// the 38-byte Megatec IC one) or `classic` (the plain 39-byte one, which NUT 2.8.0's
    /// megatec needs).
    #[arg(long, value_name = "LAYOUT", default_value = "native", value_parser = ["native", "classic"])]
    pub identity: String,
}

/// Which UPS, and how to watch the link: shared by every command that talks to one.
#[derive(Debug, Args)]
pub struct DeviceArgs {
    /// Read the UPS's settings from a NUT `ups.conf` (e.g. /etc/nut/ups.conf).
    #[arg(long, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
    /// The section of --config to use (needed when it has several; `serve` takes several
    /// and serves every section without it).
    #[arg(long, value_name = "NAME", requires = "config")]
    pub ups: Vec<String>,
    /// A ups.conf setting given on the command line, applied after --config's (NUT's `-x`).
    #[arg(short = 'x', value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Use the built-in virtual UPS speaking DIALECT (default megatec) instead of a device.
    #[arg(long, value_name = "DIALECT", num_args = 0..=1, default_missing_value = "megatec")]
    pub simulate: Option<String>,
    /// The serial port the UPS is on (e.g. /dev/ttyUSB0); without it the UPS is looked for
    /// on USB.
    #[arg(long, value_name = "PATH")]
    pub port: Option<String>,
    /// The dialect (NUT's `protocol=`); without it, it is autodetected.
    #[arg(long, value_name = "NAME")]
    pub protocol: Option<String>,
    /// Serial cable power lines: normal (DTR on, RTS off), reverse, both, none.
    #[arg(long, value_name = "MODE")]
    pub cablepower: Option<String>,
    /// Record every exchange to FILE, replayable with `qxups decode --trace FILE`.
    #[arg(long, value_name = "FILE")]
    pub capture: Option<std::path::PathBuf>,
    /// With --simulate: the virtual UPS's mains fail after SECONDS (to try hooks and upsmon).
    #[arg(long, value_name = "SECONDS", requires = "simulate")]
    pub simulate_power_fail: Option<u64>,
    /// With --simulate: the virtual UPS's battery is nearly empty after SECONDS (`LB` once on
    /// battery; with --simulate-power-fail, to walk upsmon through OB LB and FSD quickly).
    #[arg(long, value_name = "SECONDS", requires = "simulate")]
    pub simulate_low_battery: Option<u64>,
    /// -v: log events; -vv: also every frame sent and received.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// `qxups status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The device.
    #[command(flatten)]
    pub device: DeviceArgs,
    /// Print one JSON object instead of `name: value` lines.
    #[arg(long)]
    pub json: bool,
}

/// `qxups monitor`.
#[derive(Debug, Args)]
pub struct MonitorArgs {
    /// The device.
    #[command(flatten)]
    pub device: DeviceArgs,
    /// Print JSON lines instead of text.
    #[arg(long)]
    pub json: bool,
    /// Seconds between polls (NUT's pollinterval; default 2, or the config's).
    #[arg(long, value_name = "SECONDS")]
    pub interval: Option<u32>,
    /// Stop after this many polls (default: run until interrupted).
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// Run CMD (with `sh -c`) when the UPS goes on battery.
    #[arg(long, value_name = "CMD")]
    pub on_battery: Option<String>,
    /// Run CMD (with `sh -c`) when the battery becomes low.
    #[arg(long, value_name = "CMD")]
    pub on_low_battery: Option<String>,
}

/// `qxups cmd`.
#[derive(Debug, Args)]
pub struct CmdArgs {
    /// The device.
    #[command(flatten)]
    pub device: DeviceArgs,
    /// List the instant commands of the UPS and exit.
    #[arg(long)]
    pub list: bool,
    /// The instant command, e.g. beeper.toggle, test.battery.start.quick, shutdown.return.
    #[arg(value_name = "NAME", required_unless_present = "list")]
    pub name: Option<String>,
    /// Its argument, where it takes one (e.g. test.battery.start 600).
    #[arg(value_name = "ARG")]
    pub arg: Option<String>,
}

/// `qxups set`.
#[derive(Debug, Args)]
pub struct SetArgs {
    /// The device.
    #[command(flatten)]
    pub device: DeviceArgs,
    /// The variable, e.g. ups.delay.shutdown.
    #[arg(value_name = "VAR")]
    pub var: String,
    /// The new value.
    #[arg(value_name = "VALUE")]
    pub value: String,
}

/// `qxups decode`.
#[derive(Debug, Args)]
#[command(
    after_help = "Escapes in COMMAND and ANSWER: \\r (CR), \\n, \\t, \\0, \\\\, \\xHH.\n\
Exit status: 0 decoded, 1 an answer did not decode, 2 usage error (unknown protocol or command).\n\
Example: qxups decode --protocol megatec --command Q1 '(208.4 140.0 208.4 034 59.9 2.05 35.0 00110000\\r'"
)]
pub struct DecodeArgs {
    /// List every dialect with its query commands and instant commands, then exit.
    #[arg(long, exclusive = true)]
    pub list: bool,
    /// Replay a trace recorded with `--capture` (its header names the dialect; --protocol
    /// overrides) and print the variables it yields.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["command", "answers"])]
    pub trace: Option<std::path::PathBuf>,
    /// The dialect (NUT's `protocol=` value), e.g. megatec, q1, hunnox.
    #[arg(long, short, value_name = "NAME", required_unless_present_any = ["list", "trace"])]
    pub protocol: Option<String>,
    /// The query the answers reply to (`Q1`, `Q1\r`); a missing trailing CR is added.
    #[arg(long, short, value_name = "CMD", required_unless_present_any = ["list", "trace"])]
    pub command: Option<String>,
    /// Print JSON, one object per answer and line, instead of `name: value` lines.
    #[arg(long)]
    pub json: bool,
    /// Answers as captured; `-` reads answers from standard input, one per line (blank lines
    /// are skipped).
    #[arg(value_name = "ANSWER", required_unless_present_any = ["list", "trace"])]
    pub answers: Vec<String>,
}

/// `qxups list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Also try these serial ports (each is probed with autodetection).
    #[arg(long, value_name = "PATH")]
    pub serial: Vec<String>,
}
