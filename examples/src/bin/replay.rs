//! Replays a captured session — a file of `COMMAND<TAB>ANSWER` lines, `\r` written as two
//! characters, in the format of `../shared/vectors/*.tsv` — as if it were a UPS: autodetects
//! the dialect (or takes `--protocol NAME`), initialises, runs one full update and prints the
//! NUT variables in upsc's `name: value` format.
//!
//! ```sh
//! cargo run -p qxups-examples --bin replay -- ../shared/vectors/hunnox.tsv
//! ```

use std::process::ExitCode;

use qxups::{Options, Transport, TransportError, detect, dialect};

/// A device that answers from the captured table; an unknown command gets no answer.
struct Replay {
    table: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Transport for Replay {
    async fn transact(
        &mut self,
        command: &[u8],
        reply: &mut [u8],
    ) -> Result<usize, TransportError> {
        let Some((_, answer)) = self.table.iter().find(|(c, _)| c == command) else {
            return Ok(0);
        };
        let n = answer.len().min(reply.len());
        reply
            .get_mut(..n)
            .zip(answer.get(..n))
            .map(|(dst, src)| dst.copy_from_slice(src))
            .ok_or(TransportError::Io)?;
        Ok(n)
    }
}

use qxups::block_on;

fn parse(text: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    let bytes = |s: &str| qxups::trace::unescape(s).collect();
    qxups::trace::rows(text)
        .map(|r| (bytes(r.command), bytes(r.answer)))
        .collect()
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let (protocol, path) = match (args.next(), args.next(), args.next()) {
        (Some(flag), Some(name), Some(path)) if flag == "--protocol" => (Some(name), path),
        (Some(path), None, None) => (None, path),
        _ => return Err("usage: replay [--protocol NAME] CAPTURE.tsv".into()),
    };
    let protocol = match protocol {
        Some(name) => Some(dialect::by_name(&name).ok_or(format!("unknown protocol {name}"))?),
        None => None,
    };
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let mut device = Replay {
        table: parse(&text),
    };
    let mut ups = block_on(detect(&mut device, protocol, &Options::new()))
        .map_err(|e| format!("{path}: {e}"))?;
    block_on(ups.init(&mut device, 0)).map_err(|e| format!("init: {e}"))?;
    block_on(ups.update(&mut device, qxups::Poll::Full, 2_000))
        .map_err(|e| format!("update: {e}"))?;
    let mut vars: Vec<_> = ups.vars().iter().collect();
    vars.sort_by_key(|v| v.name());
    println!("# dialect {}", ups.dialect().name);
    for var in vars {
        println!("{}: {}", var.name(), var.value());
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("replay: {e}");
            ExitCode::FAILURE
        }
    }
}
