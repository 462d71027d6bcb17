//! Build script: puts `memory.x` where the linker finds it and adds embassy-rp's and defmt's
//! linker scripts; turns the build-time settings (environment variables) into constants, and
//! refuses bad ones with a message naming the variable:
//!
//! * `QXUPS_IPV4` (`192.168.1.50/24`) and `QXUPS_GATEWAY` (`192.168.1.1`): a static address
//!   instead of DHCP;
//! * `QXUPS_CYW43_NVRAM` (pico-w only, required): the path of the CYW43439 board nvram
//!   (`nvram_rp2040.bin`), copied into the image;
//! * `QXUPS_WIFI_SSID` / `QXUPS_WIFI_PASSWORD` (pico-w): read by the firmware with
//!   `option_env!`; a pico-w build without an SSID gets a warning.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

/// Largest nvram accepted: the CYW43439's board files are under 1 KiB.
const NVRAM_MAX: u64 = 4096;

fn fail(message: &str) -> ! {
    eprintln!("\nerror: {message}\n");
    std::process::exit(1);
}

fn var(name: &str) -> Option<String> {
    println!("cargo:rerun-if-env-changed={name}");
    env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn ipv4(name: &str, text: &str) -> Ipv4Addr {
    text.trim().parse().unwrap_or_else(|_| {
        fail(&format!(
            "{name}={text:?} is not an IPv4 address (e.g. 192.168.1.50)"
        ))
    })
}

fn octets(a: Ipv4Addr) -> String {
    let [b0, b1, b2, b3] = a.octets();
    format!("[{b0}, {b1}, {b2}, {b3}]")
}

/// `QXUPS_IPV4` / `QXUPS_GATEWAY` as Rust constants.
fn network_settings() -> String {
    let mut out = String::new();
    let address = var("QXUPS_IPV4").map(|text| {
        let Some((addr, prefix)) = text.split_once('/') else {
            fail(&format!(
                "QXUPS_IPV4={text:?} needs a prefix length, e.g. 192.168.1.50/24"
            ))
        };
        let prefix: u8 = prefix
            .trim()
            .parse()
            .ok()
            .filter(|p| *p <= 32)
            .unwrap_or_else(|| {
                fail(&format!(
                    "QXUPS_IPV4={text:?}: the prefix length must be 0 to 32"
                ))
            });
        (ipv4("QXUPS_IPV4", addr), prefix)
    });
    let gateway = var("QXUPS_GATEWAY").map(|text| ipv4("QXUPS_GATEWAY", &text));
    if gateway.is_some() && address.is_none() {
        fail(
            "QXUPS_GATEWAY is set but QXUPS_IPV4 is not: set both for a static address, neither for DHCP",
        );
    }
    let _ = writeln!(
        out,
        "/// `QXUPS_IPV4`: the static address and prefix length; `None` = DHCP."
    );
    let _ = writeln!(
        out,
        "pub const STATIC_IPV4: Option<([u8; 4], u8)> = {};",
        address.map_or("None".to_owned(), |(a, p)| format!(
            "Some(({}, {p}))",
            octets(a)
        ))
    );
    let _ = writeln!(out, "/// `QXUPS_GATEWAY`: the default gateway.");
    let _ = writeln!(
        out,
        "pub const GATEWAY: Option<[u8; 4]> = {};",
        gateway.map_or("None".to_owned(), |g| format!("Some({})", octets(g)))
    );
    out
}

/// Copies the nvram named by `QXUPS_CYW43_NVRAM` to `out/nvram.bin`.
fn nvram(out: &Path) {
    let Some(path) = var("QXUPS_CYW43_NVRAM") else {
        fail(
            "the pico-w firmware needs the CYW43439 board configuration: set QXUPS_CYW43_NVRAM \
             to the path of nvram_rp2040.bin (from the embassy-rs/embassy repository, folder \
             cyw43-firmware/; in this project's CI: $PWD/../shared/firmware/cyw43/nvram_rp2040.bin). \
             A relative path is read from examples/bridge-firmware/.",
        )
    };
    let path = PathBuf::from(path);
    println!("cargo:rerun-if-changed={}", path.display());
    let size = fs::metadata(&path).map(|m| m.len()).unwrap_or_else(|e| {
        fail(&format!(
            "QXUPS_CYW43_NVRAM={}: cannot read it ({e}); it should be nvram_rp2040.bin",
            path.display()
        ))
    });
    if size == 0 || size > NVRAM_MAX {
        fail(&format!(
            "QXUPS_CYW43_NVRAM={}: {size} bytes does not look like nvram_rp2040.bin (742 bytes)",
            path.display()
        ));
    }
    fs::copy(&path, out.join("nvram.bin"))
        .unwrap_or_else(|e| fail(&format!("cannot copy {}: {e}", path.display())));
}

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_else(|| fail("OUT_DIR is not set")));

    let w5500 = env::var_os("CARGO_FEATURE_W5500").is_some();
    let pico_w = env::var_os("CARGO_FEATURE_PICO_W").is_some();
    if w5500 == pico_w {
        fail(
            "choose exactly one board: the default feature w5500 (W5500-EVB-Pico), or \
             --no-default-features --features pico-w (Raspberry Pi Pico W)",
        );
    }

    fs::copy("memory.x", out.join("memory.x"))
        .unwrap_or_else(|e| fail(&format!("cannot copy memory.x: {e}")));
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rustc-link-arg-bins=--nmagic");
    println!("cargo:rustc-link-arg-bins=-Tlink.x");
    println!("cargo:rustc-link-arg-bins=-Tlink-rp.x");
    println!("cargo:rustc-link-arg-bins=-Tdefmt.x");

    fs::write(out.join("net_settings.rs"), network_settings())
        .unwrap_or_else(|e| fail(&format!("cannot write net_settings.rs: {e}")));

    if pico_w {
        nvram(&out);
        if var("QXUPS_WIFI_SSID").is_none() {
            println!(
                "cargo:warning=QXUPS_WIFI_SSID is not set: this Pico W image cannot join a network \
                 (set QXUPS_WIFI_SSID and QXUPS_WIFI_PASSWORD when building)"
            );
        }
        // Read by the firmware with option_env!.
        let _ = var("QXUPS_WIFI_PASSWORD");
    }
}
