//! `qxups`: the command-line tool.

mod cli;
mod commands;

use std::io::{BufRead, Write};
use std::process::ExitCode;

use clap::Parser;
use cli::{Cli, Command, DecodeArgs};
use qxups_usb::decode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::List(args) => commands::list(&args),
        Command::Status(args) => commands::status(&args),
        Command::Monitor(args) => commands::monitor(&args),
        Command::Cmd(args) => commands::cmd(&args),
        Command::Set(args) => commands::set(&args),
        Command::Decode(args) => run_decode(&args),
        Command::Simulate(args) => commands::simulate(&args),
        Command::Serve(args) => commands::serve(&args),
    }
}

use commands::USAGE;

fn run_decode(args: &DecodeArgs) -> ExitCode {
    if args.list {
        let text: String = qxups::dialect::AUTODETECT_ORDER
            .iter()
            .map(|d| decode::describe(d))
            .collect();
        print!("{text}");
        return ExitCode::SUCCESS;
    }
    if let Some(trace) = &args.trace {
        return commands::decode_trace(trace, args.protocol.as_deref(), args.json);
    }
    let (Some(protocol), Some(command)) = (&args.protocol, &args.command) else {
        eprintln!("qxups decode: --protocol and --command are required");
        return ExitCode::from(USAGE);
    };
    let dialect = match decode::dialect(protocol) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("qxups decode: {e}");
            return ExitCode::from(USAGE);
        }
    };
    let command = match decode::resolve_command(dialect, &decode::unescape(command)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("qxups decode: {e}");
            return ExitCode::from(USAGE);
        }
    };
    let answers = match collect_answers(&args.answers) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("qxups decode: reading standard input: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut failed = false;
    let mut out = std::io::stdout().lock();
    for (n, answer) in answers.iter().enumerate() {
        let decoded = decode::decode(dialect, &command, answer);
        let text = if args.json {
            format!("{}\n", decoded.to_json(&command))
        } else if n > 0 {
            format!("\n{}", decoded.to_upsc())
        } else {
            decoded.to_upsc()
        };
        if out.write_all(text.as_bytes()).is_err() {
            return ExitCode::FAILURE;
        }
        if let Some(e) = decoded.error {
            failed = true;
            eprintln!(
                "qxups decode: {}: answer \"{}\": {e}",
                dialect.name,
                decode::escape(answer)
            );
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The answers given, with `-` replaced by the lines of standard input.
fn collect_answers(given: &[String]) -> std::io::Result<Vec<Vec<u8>>> {
    let mut answers = Vec::new();
    for a in given {
        if a == "-" {
            for line in std::io::stdin().lock().split(b'\n') {
                let line = line?;
                if line.iter().all(|b| b.is_ascii_whitespace()) {
                    continue;
                }
                // Escapes apply to text lines; bytes that are not UTF-8 are kept as read.
                answers.push(match std::str::from_utf8(&line) {
                    Ok(text) => decode::unescape(text),
                    Err(_) => line,
                });
            }
        } else {
            answers.push(decode::unescape(a));
        }
    }
    Ok(answers)
}
