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
    /// Decode captured answers into NUT variables, without a device.
    Decode(DecodeArgs),
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
    /// The dialect (NUT's `protocol=` value), e.g. megatec, q1, hunnox.
    #[arg(long, short, value_name = "NAME", required_unless_present = "list")]
    pub protocol: Option<String>,
    /// The query the answers reply to (`Q1`, `Q1\r`); a missing trailing CR is added.
    #[arg(long, short, value_name = "CMD", required_unless_present = "list")]
    pub command: Option<String>,
    /// Print JSON, one object per answer and line, instead of `name: value` lines.
    #[arg(long)]
    pub json: bool,
    /// Answers as captured; `-` reads answers from standard input, one per line (blank lines
    /// are skipped).
    #[arg(value_name = "ANSWER", required_unless_present = "list")]
    pub answers: Vec<String>,
}
