//! Test support: the vector files, a scripted device, and a tiny executor.
#![allow(dead_code)]

pub mod links;
pub mod replay;
pub mod script;
pub mod vector_check;
pub mod views;

use std::path::PathBuf;

#[allow(unused_imports)] // each test binary uses a different part
pub use script::{ScriptedDevice, block_on, escape, parse_tsv, unescape};

/// `../shared/vectors` beside the repository (or `QXUPS_VECTORS`).
pub fn vectors_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("QXUPS_VECTORS") {
        return PathBuf::from(dir);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors")
}

/// `../shared/spec/nut-clients` beside the repository (or `QXUPS_NUT_CLIENTS`), the upsd
/// transcripts, found the same way as the QEMU test binary finds them.
pub fn nut_clients_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("QXUPS_NUT_CLIENTS") {
        return PathBuf::from(dir);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/spec/nut-clients")
}

/// Every `.txt` file in [`nut_clients_dir`]: (file name, text), sorted by name.
pub struct NutClients(pub Vec<(String, String)>);

impl NutClients {
    /// Reads them.
    pub fn load() -> Self {
        let dir = nut_clients_dir();
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let mut files: Vec<(String, String)> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .map(|p| {
                let name = p.file_name().unwrap().to_str().unwrap().to_string();
                (name, std::fs::read_to_string(&p).unwrap())
            })
            .collect();
        files.sort();
        Self(files)
    }

    /// (file name, text) pairs, as the replay takes them.
    pub fn files(&self) -> Vec<(&str, &str)> {
        self.0
            .iter()
            .map(|(f, t)| (f.as_str(), t.as_str()))
            .collect()
    }

    /// The text of file `name` ("" if there is none).
    pub fn text(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(f, _)| f == name)
            .map_or("", |(_, t)| t.as_str())
    }
}

/// The rows of a `.tsv` file: (command, answer).
pub fn read_tsv(dialect_file: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    let path = vectors_dir().join(format!("{dialect_file}.tsv"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse_tsv(&text)
}
