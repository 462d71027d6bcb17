//! Writes the fuzz seed corpus from the vector tables.
//!
//! `qxups-fuzz-seed VECTORS_DIR CORPUS_DIR` reads every `VECTORS_DIR/<dialect>.tsv` (and the
//! `[instcmd]` / `[setvar]` rows of its `.expected`) and writes `CORPUS_DIR/<target>/seed-*`
//! in the formats of `qxups_fuzz::input`. Tables of dialects this build does not know are
//! skipped, so new dialects are seeded as soon as they exist.

#[path = "../../src/input.rs"]
#[allow(dead_code)]
mod input;

use std::path::{Path, PathBuf};

use input::{Op, Script, flags};
use qxups::Dialect;

fn unescape(s: &str) -> Vec<u8> {
    qxups::trace::unescape(s).collect()
}

fn read_tsv(path: &Path) -> std::io::Result<Vec<(Vec<u8>, Vec<u8>)>> {
    let text = std::fs::read_to_string(path)?;
    Ok(qxups::trace::rows(&text)
        .map(|r| (unescape(r.command), unescape(r.answer)))
        .collect())
}

/// The dialect a vector file is named after (`megatec-old` is `megatec/old`).
fn dialect_of(stem: &str) -> Option<&'static Dialect> {
    qxups::dialect::by_name(stem).or_else(|| qxups::dialect::by_name(&stem.replace('-', "/")))
}

/// Operations from the `[instcmd]` and `[setvar]` rows of a `.expected` file.
fn ops_from_expected(path: &Path, dialect: &Dialect) -> Vec<Op> {
    let controls = input::controls(dialect);
    let selector = |name: &str| {
        controls
            .iter()
            .position(|(n, _)| *n == name)
            .and_then(|i| u8::try_from(i).ok())
    };
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let mut section = "";
    let mut ops = Vec::new();
    for line in text.lines() {
        if let Some(s) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = s;
            continue;
        }
        if line.starts_with('#') || !(section == "instcmd" || section == "setvar") {
            continue;
        }
        let call = line.split(" => ").next().unwrap_or("");
        let mut words = call.split(' ').filter(|w| !w.starts_with('@'));
        let Some(sel) = words.next().and_then(selector) else {
            continue;
        };
        ops.push(Op {
            selector: sel,
            arg: words.next().unwrap_or("").to_owned(),
        });
    }
    // Every control at least once, with its default argument.
    for (i, item) in dialect
        .items()
        .filter(|i| controls.iter().any(|(n, _)| *n == i.name))
        .enumerate()
    {
        if let Ok(sel) = u8::try_from(i) {
            ops.push(Op {
                selector: sel,
                arg: item.default.to_owned(),
            });
        }
    }
    ops
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join(name), bytes)
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args_os().skip(1);
    let (Some(vectors), Some(corpus)) = (args.next(), args.next()) else {
        eprintln!("usage: qxups-fuzz-seed VECTORS_DIR CORPUS_DIR");
        std::process::exit(2);
    };
    let (vectors, corpus) = (PathBuf::from(vectors), PathBuf::from(corpus));
    let mut tables: Vec<PathBuf> = std::fs::read_dir(&vectors)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "tsv"))
        .collect();
    tables.sort();
    let mut written = 0usize;
    for path in tables {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let Some(dialect) = dialect_of(stem) else {
            eprintln!("seed: {stem}: no such dialect in this build, skipped");
            continue;
        };
        let Some(d) = input::dialect_byte(dialect) else {
            continue;
        };
        let rows = read_tsv(&path)?;
        let queries: Vec<&[u8]> = dialect.queries().collect();
        for (n, (cmd, answer)) in rows.iter().enumerate() {
            write(
                &corpus.join("wire_frames"),
                &format!("seed-{stem}-{n}"),
                answer,
            )?;
            if let Some(q) = queries.iter().position(|q| q == cmd) {
                let mut bytes = vec![d, u8::try_from(q).unwrap_or(0)];
                bytes.extend_from_slice(answer);
                write(
                    &corpus.join("decode_answer"),
                    &format!("seed-{stem}-{n}"),
                    &bytes,
                )?;
            }
            written += 1;
        }
        let walk = corpus.join("walk");
        write(
            &walk,
            &format!("seed-{stem}"),
            &Script::write(d, 0, &rows, &[]),
        )?;
        write(
            &walk,
            &format!("seed-{stem}-detect"),
            &Script::write(d, flags::DETECT, &rows, &[]),
        )?;
        let ops = ops_from_expected(&path.with_extension("expected"), dialect);
        for (n, chunk) in ops.chunks(16).enumerate() {
            write(
                &corpus.join("commands"),
                &format!("seed-{stem}-{n}"),
                &Script::write(d, flags::INIT, &rows, chunk),
            )?;
        }
    }
    eprintln!("seed: {written} answers written under {}", corpus.display());
    Ok(())
}
