//! Every row of `../shared/vectors/<dialect>.tsv` and `.expected`, read from the files and
//! checked by `common/vector_check.rs` (which the QEMU test binary shares).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::vector_check::check_dialect;
use common::vectors_dir;

fn check(file: &str) {
    let read = |ext: &str| {
        let path = vectors_dir().join(format!("{file}.{ext}"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    if let Err(report) = check_dialect(file, &read("tsv"), &read("expected")) {
        panic!("{report}");
    }
}

macro_rules! vector_tests {
    ($($test:ident => $file:literal),* $(,)?) => {
        $(#[test] fn $test() { check($file); })*

        /// No vector file is left out.
        #[test]
        fn every_vector_file_is_checked() {
            let files = [$($file),*];
            for entry in std::fs::read_dir(vectors_dir()).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "tsv") {
                    let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
                    assert!(files.contains(&stem.as_str()), "{stem}.tsv has no test");
                    assert!(path.with_extension("expected").exists(), "{stem}.expected missing");
                }
            }
        }
    };
}

vector_tests! {
    megatec => "megatec",
    megatec_old => "megatec-old",
    mustek => "mustek",
    zinto => "zinto",
    q1 => "q1",
    hunnox => "hunnox",
    mecer => "mecer",
    bestups => "bestups",
    ablerex => "ablerex",
    gtec => "gtec",
    innovart31 => "innovart31",
    innovart33 => "innovart33",
    innovatae => "innovatae",
    omron => "omron",
    q2 => "q2",
    q6 => "q6",
    masterguard => "masterguard",
}
