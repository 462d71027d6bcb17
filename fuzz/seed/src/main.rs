//! Writes the fuzz seed corpus from the vector tables.
//!
//! `qxups-fuzz-seed VECTORS_DIR CORPUS_DIR` reads every `VECTORS_DIR/<dialect>.tsv` (and the
//! `[instcmd]` / `[setvar]` rows of its `.expected`) and writes `CORPUS_DIR/<target>/seed-*`
//! in the formats of `qxups_fuzz::input`. Tables of dialects this build does not know are
//! skipped, so new dialects are seeded as soon as they exist.

#[path = "../../src/input.rs"]
#[allow(dead_code)]
mod input;

#[path = "../../src/usb.rs"]
#[allow(dead_code)]
mod usb;

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

/// A string descriptor holding `text` as UTF-16LE.
fn descriptor(text: &str) -> Vec<u8> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut d = vec![(2 + 2 * units.len()) as u8, 0x03];
    for u in units {
        d.extend_from_slice(&u.to_le_bytes());
    }
    d
}

/// The status reply of usb-transports.md §11.
const Q1: &[u8] = b"(226.0 195.0 226.0 014 49.0 27.5 30.0 00001000\r";

/// Seeds for the `usb_*` targets from the transport test vectors (usb-transports.md §11).
fn usb_seeds(corpus: &Path) -> std::io::Result<usize> {
    use usb::{Packet, stream};
    let q1_text = std::str::from_utf8(Q1).unwrap_or_default();
    // TV-11: a krauler status descriptor whose lead is '*'.
    let tv11 = descriptor(&q1_text.replacen('(', "*", 1));
    let descriptors: Vec<(&str, Vec<u8>)> = vec![
        ("tv11-q1", tv11.clone()),
        ("tv14-f", descriptor("#230.0 000 024.0 50.0\r")),
        ("tv14-bl", descriptor("BL100\r")),
        ("no-ack", descriptor("UPS No Ack")),
        (
            "tv16",
            vec![0x0A, 0x03, 0x41, 0x00, 0xE9, 0x00, 0x13, 0x20, 0x0D, 0x00],
        ),
        ("tv16-short", tv11[..94].to_vec()),
        ("tv16-0x82", descriptor(&"A".repeat(64))),
        ("tv17-mec0003", descriptor("MEC0003")),
        ("langids", vec![0x04, 0x03, 0x09, 0x04]),
    ];
    let dir = corpus.join("usb_descriptors");
    for (name, d) in &descriptors {
        write(&dir, &format!("seed-{name}"), d)?;
    }
    let pad = |p: &[u8], n: usize| {
        let mut v = p.to_vec();
        v.resize(n, 0);
        v
    };
    let q1_8: Vec<Vec<u8>> = Q1.chunks(8).map(|c| pad(c, 8)).collect();
    let q1_packets: Vec<Packet<'_>> = q1_8.iter().map(|p| Packet::Data(p)).collect();
    let sgs: Vec<Vec<u8>> = Q1
        .chunks(7)
        .map(|c| {
            let mut p = vec![c.len() as u8];
            p.extend_from_slice(c);
            pad(&p, 8)
        })
        .collect();
    let sgs_packets: Vec<Packet<'_>> = sgs.iter().map(|p| Packet::Data(p)).collect();
    // TV-9: armac's F answer in counted 6-byte packets.
    let armac: [&[u8]; 11] = [
        b"\x81#0000",
        b"\xC120000",
        b"\x82300000",
        b"\xC3.0 00",
        b"\x8300000",
        b"\xC2 0000",
        b"\x8120000",
        b"\xC34.000",
        b"\x82 5000",
        b"\xC30.000",
        b"\x81\r0000",
    ];
    let mut armac_packets = vec![Packet::Data(&[]), Packet::Data(&[])];
    armac_packets.extend(armac.iter().map(|p| Packet::Data(p)));
    let ippon = pad(Q1, 64);
    let ablerex = pad(Q1, 47);
    let q4 = b"(225.0 225.0 226.0 015 50.0 2.27 27.5 00000000 0000 00000 000\r";
    let hunnox_q1 = descriptor(q1_text);
    let wake = [0x04, 0x03, 0x09, 0x04];
    let index = |sd: &str| {
        qxups::usb::Subdriver::ALL
            .iter()
            .position(|s| s.name() == sd)
            .unwrap_or(0) as u8
    };
    let seeds: Vec<(&str, u8, u8, Vec<Packet<'_>>)> = vec![
        ("tv1-cypress", index("cypress"), 0, q1_packets.clone()),
        ("tv2-phoenix", index("phoenix"), 0, {
            let mut v = vec![Packet::Error(0)];
            v.extend(q1_packets.clone());
            v
        }),
        ("tv3-ippon", index("ippon"), 0, vec![Packet::Data(&ippon)]),
        ("tv4-omron", index("omron"), 0, vec![Packet::Data(&ippon)]),
        ("tv5-sgs", index("sgs"), 0, sgs_packets),
        ("tv6-gtec", index("gtec"), 3, vec![Packet::Data(q4)]),
        (
            "tv7-phoenixtec",
            index("phoenixtec"),
            4,
            vec![Packet::Data(b"(12.0 13.6 01:20\r")],
        ),
        ("tv8-fuji", index("fuji"), 0, q1_packets),
        ("tv9-armac", index("armac"), 1, armac_packets),
        (
            "tv10-ablerex",
            index("ablerex"),
            0,
            vec![Packet::Data(&ablerex)],
        ),
        (
            "tv11-krauler",
            index("krauler") | 0x10,
            0,
            vec![Packet::Data(&tv11)],
        ),
        (
            "tv14-hunnox",
            index("hunnox") | 0x30,
            0,
            vec![
                Packet::Data(&wake),
                Packet::Data(&wake),
                Packet::Data(&wake),
                Packet::Data(&hunnox_q1),
            ],
        ),
        (
            "tv15-snr",
            index("snr") | 0x10,
            0,
            vec![Packet::Error(0), Packet::Data(&tv11)],
        ),
    ];
    let dir = corpus.join("usb_reports");
    for (name, sel, cmd, packets) in &seeds {
        let mut bytes = vec![*sel, *cmd, 0];
        bytes.extend(stream(packets));
        write(&dir, &format!("seed-{name}"), &bytes)?;
    }
    // The device: a Q1 over cypress's reports, then reading the answer.
    let mut device = vec![index("cypress"), 1, 0x21, 0x09, 0x00, 0x02, 0, 0, 8, 0, 8];
    device.extend(pad(b"Q1\r", 8));
    for _ in 0..7 {
        device.extend([2, 0x81, 8]);
    }
    write(&corpus.join("usb_device"), "seed-cypress-q1", &device)?;
    // A hunnox: wake-up reads, then the status index.
    let mut device = vec![index("hunnox")];
    for idx in [0u8, 0, 1, 3] {
        device.extend([0, 0x80, 0x06, idx, 0x03, 0x09, 0x04, 0x66, 0x00, 40]);
    }
    write(&corpus.join("usb_device"), "seed-hunnox-q1", &device)?;
    Ok(descriptors.len() + seeds.len() + 2)
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args_os().skip(1);
    let (Some(vectors), Some(corpus)) = (args.next(), args.next()) else {
        eprintln!("usage: qxups-fuzz-seed VECTORS_DIR CORPUS_DIR");
        std::process::exit(2);
    };
    let (vectors, corpus) = (PathBuf::from(vectors), PathBuf::from(corpus));
    let usb = usb_seeds(&corpus)?;
    eprintln!("seed: {usb} USB seeds written");
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
