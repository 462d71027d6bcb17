//! Properties over every dialect, generic over [`AUTODETECT_ORDER`] so that each dialect is
//! covered as soon as it exists:
//!
//! * an answer built from a vector-table answer with random digits in its numeric fields
//!   publishes exactly those numbers (formatted as the item says), or the decode fails with a
//!   typed error; never a different number;
//! * any bytes given to any parser (every dialect's every query, the typed wire views, the
//!   number parsers) give `Ok` or a typed error, never a panic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::Path;

use common::{read_tsv, vectors_dir};
use proptest::prelude::*;
use qxups::dialect::{AUTODETECT_ORDER, Conv, Dialect, Flags, Item, Kind};
use qxups::number::Decimal;
use qxups::wire::Window;
use qxups::{Options, Ups};

/// A decimal string as (mantissa, scale), parsed independently of the crate.
fn exact(text: &str) -> Option<(i128, u32)> {
    let text = text.trim();
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if int.is_empty() && frac.is_empty() {
        return Some((0, 0));
    }
    if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = format!("{int}{frac}");
    let mantissa = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    Some((mantissa, frac.len() as u32))
}

/// True when `published` is `expected` (mantissa, scale) written with `decimals` decimals, to
/// within half a unit of the last decimal (rounding).
fn matches(published: &str, expected: (i128, u32), decimals: u32) -> bool {
    let got_decimals = published.split_once('.').map_or(0, |(_, f)| f.len() as u32);
    if got_decimals != decimals {
        return false;
    }
    let Some(got) = exact(published) else {
        return false;
    };
    let scale = got.1.max(expected.1);
    let widen = |(m, s): (i128, u32)| m * 10i128.pow(scale - s);
    let diff = (widen(got) - widen(expected)).abs();
    diff * 2 <= 10i128.pow(scale - decimals)
}

/// What a numeric item publishes for a field value, if this test can say exactly.
fn expected_for(conv: Conv, field: (i128, u32)) -> Option<((i128, u32), u32)> {
    match conv {
        Conv::Number(decimals) => Some((field, u32::from(decimals))),
        Conv::Kilo => Some(((field.0 * 1000, field.1), 2)),
        Conv::MinutesToSeconds => Some(((field.0 * 60, field.1), 0)),
        _ => None,
    }
}

/// A query item whose value this test can predict: a numeric conversion of a fixed span,
/// published under its own name.
fn numeric_span(item: &Item) -> Option<(Conv, usize, usize)> {
    let Kind::Query(conv) = item.kind else {
        return None;
    };
    let Window::Span { from, to } = item.window else {
        return None;
    };
    let routed = item.name.starts_with("ups.status") || item.name.starts_with("ups.alarm");
    if routed || item.flags.has(Flags::NONUT) || item.answer_fix.is_some() || item.addressed {
        return None;
    }
    expected_for(conv, (0, 0))?;
    Some((conv, usize::from(from), usize::from(to)))
}

/// (dialect, command, template answer, predictable items) for every vector-table answer.
struct Template {
    dialect: &'static Dialect,
    cmd: Vec<u8>,
    answer: Vec<u8>,
    items: Vec<(&'static str, Conv, usize, usize)>,
}

fn templates() -> Vec<Template> {
    let mut out = Vec::new();
    for &dialect in AUTODETECT_ORDER {
        let file = dialect.name.replace('/', "-");
        if !Path::new(&vectors_dir().join(format!("{file}.tsv"))).exists() {
            continue;
        }
        let mut seen = Vec::new();
        for (cmd, answer) in read_tsv(&file) {
            if answer.is_empty() || seen.contains(&cmd) {
                continue;
            }
            seen.push(cmd.clone());
            let of_cmd: Vec<&Item> = dialect
                .items()
                .filter(|i| matches!(i.kind, Kind::Query(_)) && i.cmd == cmd.as_slice())
                .collect();
            let items = of_cmd
                .iter()
                .filter_map(|item| {
                    let (conv, from, to) = numeric_span(item)?;
                    // Only variables a single item of this answer publishes.
                    let writers = of_cmd.iter().filter(|i| i.name == item.name).count();
                    let field = answer.get(from..=to)?;
                    let numeric = field.iter().any(u8::is_ascii_digit)
                        && field.iter().all(|b| b.is_ascii_digit() || *b == b'.');
                    (writers == 1 && numeric).then_some((item.name, conv, from, to))
                })
                .collect::<Vec<_>>();
            if !items.is_empty() {
                out.push(Template {
                    dialect,
                    cmd,
                    answer,
                    items,
                });
            }
        }
    }
    out
}

#[test]
fn templates_cover_the_common_answers() {
    let all = templates();
    for name in ["megatec", "q1", "hunnox", "zinto", "mustek", "megatec/old"] {
        let items: usize = all
            .iter()
            .filter(|t| t.dialect.name == name)
            .map(|t| t.items.len())
            .sum();
        assert!(items >= 6, "{name}: only {items} numeric fields to vary");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Random digits in every numeric field come back as those numbers, or as a typed error.
    #[test]
    fn random_fields_parse_back(pick in any::<prop::sample::Index>(), seed in any::<u64>()) {
        let all = templates();
        let t = &all[pick.index(all.len())];
        let mut answer = t.answer.clone();
        let mut state = seed | 1;
        for (_, _, from, to) in &t.items {
            for b in &mut answer[*from..=*to] {
                if b.is_ascii_digit() {
                    // xorshift: cheap, deterministic per case
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    *b = b'0' + (state % 10) as u8;
                }
            }
        }
        let mut ups = Ups::new(t.dialect, Options::new());
        let result = ups.decode(&t.cmd, &answer);
        for (name, conv, from, to) in &t.items {
            let field = std::str::from_utf8(&answer[*from..=*to]).unwrap();
            let (value, decimals) = expected_for(*conv, exact(field).unwrap()).unwrap();
            match ups.vars().get(name) {
                Some(published) => prop_assert!(
                    matches(published, value, decimals),
                    "{} {}: field {:?} published as {:?}", t.dialect.name, name, field, published
                ),
                None => prop_assert!(
                    result.is_err(),
                    "{} {}: field {:?} silently not published", t.dialect.name, name, field
                ),
            }
        }
    }

    /// A Q1 answer written from random readings reads back as those readings through the typed
    /// view.
    #[test]
    fn q1_frame_reads_back_random_readings(
        v in prop::array::uniform3(0u32..10_000),
        load in 0u32..1000,
        freq in 0u32..1000,
        batt in 0u32..1000,
        temp in 0u32..1000,
        bits in any::<u8>(),
    ) {
        let answer = format!(
            "({:03}.{} {:03}.{} {:03}.{} {load:03} {:02}.{} {:02}.{} {:02}.{} {bits:08b}\r",
            v[0] / 10, v[0] % 10, v[1] / 10, v[1] % 10, v[2] / 10, v[2] % 10,
            freq / 10, freq % 10, batt / 10, batt % 10, temp / 10, temp % 10,
        );
        let frame = qxups::wire::q1::Q1Frame::new_checked(answer.as_bytes()).unwrap();
        let r = frame.parse().unwrap();
        let tenths = |d: Decimal| d.ratio().try_mul(qxups::number::Ratio::int(10)).unwrap().trunc();
        prop_assert_eq!(tenths(r.input_voltage), i128::from(v[0]));
        prop_assert_eq!(tenths(r.input_fault_voltage), i128::from(v[1]));
        prop_assert_eq!(tenths(r.output_voltage), i128::from(v[2]));
        prop_assert_eq!(r.load.trunc(), i64::from(load));
        prop_assert_eq!(tenths(r.input_frequency), i128::from(freq));
        prop_assert_eq!(tenths(r.battery_voltage), i128::from(batt));
        prop_assert_eq!(tenths(r.temperature), i128::from(temp));
        prop_assert_eq!(r.bits.0, bits);
    }

    /// Any bytes, as the answer to any query of any dialect: Ok or a typed error.
    #[test]
    fn any_answer_to_any_query_is_ok_or_typed_error(
        d in any::<prop::sample::Index>(),
        q in any::<prop::sample::Index>(),
        answer in prop::collection::vec(any::<u8>(), 0..600),
    ) {
        let dialect = AUTODETECT_ORDER[d.index(AUTODETECT_ORDER.len())];
        let queries: Vec<&[u8]> = dialect.queries().collect();
        prop_assume!(!queries.is_empty());
        let cmd = queries[q.index(queries.len())];
        let mut ups = Ups::new(dialect, Options::new());
        if let Err(e) = ups.decode(cmd, &answer) {
            prop_assert!(!e.to_string().is_empty());
        }
        for var in ups.vars().iter() {
            prop_assert!(!var.value().is_empty() || var.name().is_empty());
        }
    }

    /// Answers that keep a real answer's shape but have random bytes in random places.
    #[test]
    fn mutated_answers_are_ok_or_typed_error(
        pick in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let all = templates();
        let t = &all[pick.index(all.len())];
        let mut answer = t.answer.clone();
        for (at, byte) in edits {
            let i = at.index(answer.len());
            answer[i] = byte;
        }
        answer.truncate(cut.index(answer.len() + 1));
        let mut ups = Ups::new(t.dialect, Options::new());
        let _ = ups.decode(&t.cmd, &answer);
    }

    /// The typed wire views and number parsers on arbitrary bytes.
    #[test]
    fn wire_views_and_numbers_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        common::views::exercise(&bytes);
        let _ = Decimal::parse_prefix(&bytes);
        let _ = Decimal::parse_unsigned_field(&bytes);
        for &dialect in AUTODETECT_ORDER {
            for item in dialect.items() {
                let _ = item.check.validate(&bytes, dialect.rejected);
                let _ = item.window.slice(&bytes);
            }
        }
    }
}
