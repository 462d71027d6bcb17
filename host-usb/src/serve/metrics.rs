//! `qxups serve --metrics`: the served UPSes as Prometheus text at `GET /metrics`, from a
//! minimal HTTP/1.0 responder (one bounded request per connection, then close).
//!
//! Every numeric variable becomes a gauge named after it (`battery.charge` →
//! `nut_battery_charge{ups="ups"} 100`); `ups.status` becomes one
//! `nut_ups_status{ups=..,flag=..}` series per flag (1 when present, with the FSD latch);
//! `nut_up` is 1 while the UPS's data may be served and 0 when stale or not connected, in
//! which case no other series of that UPS are given.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use qxups::netserver::{UpsDirectory, UpsState};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::{Instant, timeout_at};

use super::state::Shared;

/// Longest request head read; anything longer gets `431`.
const REQUEST_MAX: usize = 8192;
/// How long a scrape may take, reading and writing.
const SCRAPE_TIMEOUT: Duration = Duration::from_secs(10);
/// Scrapes answered at once (Prometheus sends one at a time).
const SCRAPES_MAX: usize = 16;

/// The flags always given (0 or 1), so that alerts can match on absence; others are given
/// when present.
const FLAGS: &[&str] = &[
    "OL", "OB", "LB", "HB", "RB", "CHRG", "DISCHRG", "BYPASS", "CAL", "OFF", "OVER", "TRIM",
    "BOOST", "FSD",
];

/// Serves scrapes on `listener` forever.
pub async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let slots = Arc::new(Semaphore::new(SCRAPES_MAX));
    loop {
        let Ok(permit) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let _permit = permit;
            scrape(stream, &shared).await;
        });
    }
}

async fn scrape(mut stream: TcpStream, shared: &Shared) {
    let until = Instant::now() + SCRAPE_TIMEOUT;
    let mut head = Vec::with_capacity(512);
    let mut buf = [0u8; 1024];
    let complete = loop {
        if head.windows(4).any(|w| w == b"\r\n\r\n") || head.windows(2).any(|w| w == b"\n\n") {
            break true;
        }
        if head.len() > REQUEST_MAX {
            break false;
        }
        match timeout_at(until, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return,
            Ok(Ok(n)) => head.extend_from_slice(buf.get(..n).unwrap_or(&[])),
        }
    };
    let (status, body) = if complete {
        let text = String::from_utf8_lossy(&head);
        route(text.lines().next().unwrap_or(""), || {
            render(&*shared.lock())
        })
    } else {
        ("431 Request Header Fields Too Large", String::new())
    };
    let kind = if status.starts_with("200") {
        "text/plain; version=0.0.4; charset=utf-8"
    } else {
        "text/plain; charset=utf-8"
    };
    let reply = format!(
        "HTTP/1.0 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = timeout_at(until, stream.write_all(reply.as_bytes())).await;
    let _ = timeout_at(until, stream.shutdown()).await;
}

/// The status and body for a request line; `metrics` makes the page.
fn route(request_line: &str, metrics: impl FnOnce() -> String) -> (&'static str, String) {
    let mut words = request_line.split_whitespace();
    let (Some(method), Some(target)) = (words.next(), words.next()) else {
        return ("400 Bad Request", "bad request\n".to_owned());
    };
    let path = target.split('?').next().unwrap_or("");
    if path != "/metrics" {
        return ("404 Not Found", "not found; try /metrics\n".to_owned());
    }
    if method != "GET" {
        return ("405 Method Not Allowed", "only GET\n".to_owned());
    }
    ("200 OK", metrics())
}

/// `battery.charge` → `nut_battery_charge` (anything outside `[a-zA-Z0-9_]` becomes `_`).
fn metric_name(var: &str) -> String {
    let mut name = String::from("nut_");
    name.extend(
        var.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }),
    );
    name
}

/// A label value with `\`, `"` and newlines escaped.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// A decimal number as NUT publishes them (`-12`, `230.5`); anything else is not a gauge.
fn is_number(value: &str) -> bool {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    let all = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all(int) && all(frac)
}

/// The whole page.
pub fn render<D: UpsDirectory + ?Sized>(dir: &D) -> String {
    let mut series: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |name: String, line: String| series.entry(name).or_default().push(line);
    for ups in 0..dir.ups_count() {
        let Some(name) = dir.ups_name(ups) else {
            continue;
        };
        let ups_label = label(name);
        let up = dir.state(ups) == UpsState::Fresh;
        add(
            "nut_up".to_owned(),
            format!("nut_up{{ups=\"{ups_label}\"}} {}", u8::from(up)),
        );
        if !up {
            continue;
        }
        for v in (0..).map_while(|i| dir.var(ups, i)) {
            if is_number(v.value) {
                let m = metric_name(v.name);
                let line = format!("{m}{{ups=\"{ups_label}\"}} {}", v.value);
                add(m, line);
            }
        }
        let status = dir.find_var(ups, "ups.status").map_or("", |v| v.value);
        let fsd = dir.fsd(ups);
        let present = |flag: &str| (flag == "FSD" && fsd) || status.split(' ').any(|t| t == flag);
        let extra = status
            .split(' ')
            .filter(|t| !t.is_empty() && !FLAGS.contains(t));
        for flag in FLAGS.iter().copied().chain(extra) {
            add(
                "nut_ups_status".to_owned(),
                format!(
                    "nut_ups_status{{ups=\"{ups_label}\",flag=\"{}\"}} {}",
                    label(flag),
                    u8::from(present(flag))
                ),
            );
        }
    }
    let mut page = String::new();
    for (name, lines) in series {
        let _ = writeln!(page, "# TYPE {name} gauge");
        for l in lines {
            page.push_str(&l);
            page.push('\n');
        }
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;
    use qxups::netserver::{FixedUps, Users};
    use qxups::nut::vars::Vars;

    #[test]
    fn numeric_variables_and_status_flags_become_gauges() {
        let mut vars = Vars::new();
        vars.set("battery.charge", "100").unwrap();
        vars.set("input.voltage", "230.5").unwrap();
        vars.set("ups.temperature", "-3.0").unwrap();
        vars.set("device.model", "VUPS1").unwrap();
        vars.set("ups.firmware", "1.2.3").unwrap();
        vars.set("ups.status", "OB LB WEIRD").unwrap();
        let mut dir = FixedUps::new("ups", vars, &[], Users::new());
        dir.slot.fsd = true;
        let page = render(&dir);
        for want in [
            "# TYPE nut_battery_charge gauge\nnut_battery_charge{ups=\"ups\"} 100\n",
            "nut_input_voltage{ups=\"ups\"} 230.5\n",
            "nut_ups_temperature{ups=\"ups\"} -3.0\n",
            "# TYPE nut_up gauge\nnut_up{ups=\"ups\"} 1\n",
            "nut_ups_status{ups=\"ups\",flag=\"OB\"} 1\n",
            "nut_ups_status{ups=\"ups\",flag=\"OL\"} 0\n",
            "nut_ups_status{ups=\"ups\",flag=\"FSD\"} 1\n",
            "nut_ups_status{ups=\"ups\",flag=\"WEIRD\"} 1\n",
        ] {
            assert!(page.contains(want), "{want:?} missing from\n{page}");
        }
        assert!(
            !page.contains("VUPS1") && !page.contains("firmware"),
            "{page}"
        );
        assert_eq!(page.matches("# TYPE nut_ups_status gauge").count(), 1);

        dir.state = UpsState::Stale;
        assert_eq!(render(&dir), "# TYPE nut_up gauge\nnut_up{ups=\"ups\"} 0\n");
    }

    #[test]
    fn only_get_metrics_is_served() {
        let page = || "page".to_owned();
        assert_eq!(
            route("GET /metrics HTTP/1.1", page),
            ("200 OK", "page".into())
        );
        assert_eq!(route("GET /metrics?x=1 HTTP/1.0", page).0, "200 OK");
        assert_eq!(route("GET / HTTP/1.0", page).0, "404 Not Found");
        assert_eq!(
            route("POST /metrics HTTP/1.0", page).0,
            "405 Method Not Allowed"
        );
        assert_eq!(route("garbage", page).0, "400 Bad Request");
        assert!(!is_number("1e5") && !is_number("") && !is_number("1.") && !is_number("-"));
        assert_eq!(label("a\"b\\c"), "a\\\"b\\\\c");
    }
}
