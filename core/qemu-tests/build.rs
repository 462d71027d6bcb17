//! Puts `memory.x` where the linker finds it, and embeds the shared test data the tests need:
//! every `<dialect>.tsv` / `.expected` pair (from `QXUPS_VECTORS`, else `../shared/vectors`
//! beside the repository) and every upsd transcript the session tests replay (`*.txt` from
//! `QXUPS_NUT_CLIENTS`, else `../shared/spec/nut-clients`). Missing data fails the build.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn shared(var: &str, default: &str) -> PathBuf {
    println!("cargo:rerun-if-env-changed={var}");
    let dir = env::var_os(var).map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join(default),
        PathBuf::from,
    );
    if !dir.is_dir() {
        fail(&format!(
            "{} not found: clone the shared data beside the repository or set {var}",
            dir.display()
        ));
    }
    println!("cargo:rerun-if-changed={}", dir.display());
    dir
}

fn fail(msg: &str) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(1);
}

fn include(path: &Path) -> String {
    if !path.is_file() {
        fail(&format!("{} missing", path.display()));
    }
    println!("cargo:rerun-if-changed={}", path.display());
    format!("include_str!({:?})", path.display().to_string())
}

/// The stems of the `*.ext` files in `dir`, sorted; none fails the build.
fn files(dir: &Path, ext: &str) -> Vec<String> {
    let mut stems: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| fail(&format!("{}: {e}", dir.display())))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_owned))
        .collect();
    stems.sort();
    if stems.is_empty() {
        fail(&format!("no .{ext} files in {}", dir.display()));
    }
    stems
}

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_else(|| fail("no OUT_DIR")));
    fs::copy("memory.x", out.join("memory.x")).unwrap_or_else(|e| fail(&format!("memory.x: {e}")));
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");

    let vectors = shared("QXUPS_VECTORS", "../../../shared/vectors");
    let mut code = String::from(
        "/// (file stem, `.tsv` text, `.expected` text) of every dialect's vectors.\n\
         pub static VECTORS: &[(&str, &str, &str)] = &[\n",
    );
    for stem in files(&vectors, "tsv") {
        let tsv = include(&vectors.join(format!("{stem}.tsv")));
        let expected = include(&vectors.join(format!("{stem}.expected")));
        let _ = writeln!(code, "    ({stem:?}, {tsv}, {expected}),");
    }
    code.push_str("];\n");

    let clients = shared("QXUPS_NUT_CLIENTS", "../../../shared/spec/nut-clients");
    code.push_str(
        "/// (file name, text) of the upsd transcripts.\n\
         pub static TRANSCRIPTS: &[(&str, &str)] = &[\n",
    );
    for stem in files(&clients, "txt") {
        let name = format!("{stem}.txt");
        let text = include(&clients.join(&name));
        let _ = writeln!(code, "    ({name:?}, {text}),");
    }
    code.push_str("];\n");
    fs::write(out.join("data.rs"), code).unwrap_or_else(|e| fail(&format!("data.rs: {e}")));
}
