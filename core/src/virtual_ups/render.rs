//! The answers of each kind of device, rendered from a [`UpsState`] in the layouts of
//! qx-protocols.md (§3.1 Q1, §3.7 F/I, §5.6 BL, §5.7 QPI, §5.8 ID/RT/BP?/SS?/M, §5.9 Q5/At/TR,
//! §5.10 Q4, §5.11 FW?/SASV07?, §5.13 I, §5.14 Q2, §5.15 Q6, §5.16 WA, §5.17 BPS, §5.18 omron,
//! §5.19 masterguard), and the instant commands they accept (§3.4, §3.6).

use core::fmt::Write as _;

use super::state::{Shutdown, Test, UpsState};

/// Longest answer the virtual UPS gives.
pub const MAX_REPLY: usize = 192;

/// One answer.
pub type Reply = heapless::Vec<u8, MAX_REPLY>;

/// The device a virtual UPS plays: one per dialect of [`crate::dialect::AUTODETECT_ORDER`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Personality {
    /// `Q1`, `F`, `I`.
    Megatec,
    /// `D` (Q1 layout), `F`, `I`.
    MegatecOld,
    /// `QS` (Q1 layout), `F`, `I`.
    Mustek,
    /// `Q1`, `F`, `FW?` (I layout).
    Zinto,
    /// Zinto plus `BL`.
    Hunnox,
    /// `Q1` only.
    Q1,
    /// `Q1`, `QPI` → `(PI98`, `F`, `I`; commands answered `(ACK`, refusals `(NAK`.
    Mecer,
    /// `Q1`, `ID`, `RT`, `BP?`, `SS?`, `M`; silent commands.
    Bestups,
    /// `Q1`, `F`, `I`, binary `Q5`/`At`, `TR` (behind USB vendor 0xFFFF).
    Ablerex,
    /// `Q4`, `F`, `I`.
    Gtec,
    /// Three-phase in, one-phase out: `Q6`, `Q1`, `WA`, `BPS`, `F`, free-form `FW?`, `SASV07?`.
    Innovart31,
    /// As innovart31 with live L2/L3 outputs.
    Innovart33,
    /// `Q1`, `F`, a 37-byte `I`.
    Innovatae,
    /// `Q2`, `WA`, `Q1`.
    Q2,
    /// `Q6`, `WA`, `Q1`.
    Q6,
    /// OMRON BN…T: `Q1` and its own queries; `OK` replies (behind USB vendor 0x0590).
    Omron,
    /// Masterguard A/E: `WH`, `Q3`, `GS`/`GBS`/`GSN`/`DRC`/`FLT` with a slave address, `MSO`, `PNV`.
    Masterguard,
}

/// The layout of the identity answer (`I\r`) of the devices that have one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Identity {
    /// The layout the played dialect reads: megatec's 38-byte "Megatec IC" (§5.1),
    /// innovatae's 37 bytes (§5.13), the 39-byte §3.7 layout otherwise.
    #[default]
    Native,
    /// The 39-byte §3.7 layout whatever the dialect: what plain Megatec firmware sends, and
    /// what older NUT releases (2.8.0's megatec 0.06) require before they claim the device.
    Classic,
}

impl Personality {
    /// The device that speaks the dialect named `name` (a `protocol=` value).
    pub fn for_dialect(name: &str) -> Option<Self> {
        Some(match name {
            "megatec" => Self::Megatec,
            "megatec/old" => Self::MegatecOld,
            "mustek" => Self::Mustek,
            "zinto" => Self::Zinto,
            "hunnox" => Self::Hunnox,
            "q1" => Self::Q1,
            "mecer" => Self::Mecer,
            "bestups" => Self::Bestups,
            "ablerex" => Self::Ablerex,
            "gtec" => Self::Gtec,
            "innovart31" => Self::Innovart31,
            "innovart33" => Self::Innovart33,
            "innovatae" => Self::Innovatae,
            "q2" => Self::Q2,
            "q6" => Self::Q6,
            "omron" => Self::Omron,
            "masterguard" => Self::Masterguard,
            _ => return None,
        })
    }

    /// The USB vendor ID a real device of this kind sits behind, where the dialect needs it.
    pub fn usb_vendor(self) -> Option<u16> {
        match self {
            Self::Ablerex => Some(0xffff),
            Self::Omron => Some(0x0590),
            _ => None,
        }
    }

    /// How the device answers a command it does not know.
    fn unknown(self, cmd: &[u8]) -> Reply {
        match self {
            Self::Mecer => bytes(b"(NAK\r"),
            Self::Innovart31 | Self::Innovart33 | Self::Innovatae => bytes(b"NAK\r"),
            // Megatec-family firmware echoes what it does not understand.
            _ => bytes(cmd),
        }
    }

    /// The reply to an accepted instant command.
    fn ack(self, cmd: &[u8]) -> Reply {
        match self {
            Self::Mecer => bytes(b"(ACK\r"),
            Self::Omron => bytes(b"OK\r"),
            // innovart/innovatae acknowledge tests with a bare `ACK` (no CR), the rest is silent.
            Self::Innovart31 | Self::Innovart33 | Self::Innovatae if cmd.first() == Some(&b'T') => {
                bytes(b"ACK")
            }
            Self::Innovart31 | Self::Innovart33 | Self::Innovatae if cmd == b"CT" => bytes(b"ACK"),
            _ => Reply::new(),
        }
    }

    fn three_phase_out(self) -> bool {
        matches!(self, Self::Innovart33 | Self::Q2 | Self::Q6)
    }
}

fn bytes(b: &[u8]) -> Reply {
    let mut r = Reply::new();
    let _ = r.extend_from_slice(b.get(..MAX_REPLY.min(b.len())).unwrap_or(&[]));
    r
}

struct Out(Reply);

impl core::fmt::Write for Out {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.0
            .extend_from_slice(s.as_bytes())
            .map_err(|_| core::fmt::Error)
    }
}

impl Out {
    fn new() -> Self {
        Self(Reply::new())
    }
    fn byte(&mut self, b: u8) -> &mut Self {
        let _ = self.0.push(b);
        self
    }
    fn raw(&mut self, b: &[u8]) -> &mut Self {
        for &x in b {
            self.byte(x);
        }
        self
    }
    /// `value` scaled by 10^`decimals`, printed `%0W.Nf` with `int` integer digits (clamped
    /// to what fits, a minus sign taking one digit).
    fn fixed(&mut self, value: i64, decimals: u32, int: u32) -> &mut Self {
        let scale = 10i64.checked_pow(decimals).unwrap_or(1);
        let mut digits = int;
        let mut v = value;
        if v < 0 {
            self.byte(b'-');
            digits = digits.saturating_sub(1);
            v = v.saturating_neg();
        }
        let max = 10i64
            .checked_pow(digits.saturating_add(decimals))
            .map_or(i64::MAX, |m| m - 1);
        let v = v.min(max);
        let w = usize::try_from(digits).unwrap_or(0);
        let _ = write!(self, "{:0w$}", v / scale);
        if decimals > 0 {
            let d = usize::try_from(decimals).unwrap_or(0);
            let _ = write!(self, ".{:0d$}", v % scale);
        }
        self
    }
    fn tenths(&mut self, value: u32, int: u32) -> &mut Self {
        self.fixed(i64::from(value), 1, int)
    }
    fn int(&mut self, value: u32, digits: u32) -> &mut Self {
        self.fixed(i64::from(value), 0, digits)
    }
    fn sp(&mut self) -> &mut Self {
        self.byte(b' ')
    }
    /// `s` cut or space-padded to `width`.
    fn padded(&mut self, s: &str, width: usize) -> &mut Self {
        for i in 0..width {
            self.byte(s.as_bytes().get(i).copied().unwrap_or(b' '));
        }
        self
    }
    fn cr(&mut self) -> Reply {
        self.byte(b'\r');
        core::mem::take(&mut self.0)
    }
}

/// The battery field of the Q1 answer: `SS.S` for a whole string, `S.SS` under 10 V.
fn q1_battery(o: &mut Out, centivolts: u32) {
    if centivolts >= 1000 {
        o.tenths(centivolts / 10, 2);
    } else {
        o.fixed(i64::from(centivolts), 2, 1);
    }
}

fn q1(s: &UpsState) -> Reply {
    let mut o = Out::new();
    o.byte(b'(').tenths(s.input_voltage, 3).sp();
    o.tenths(s.input_fault_voltage, 3).sp();
    o.tenths(s.measured_output_voltage(), 3).sp();
    o.int(s.measured_load(), 3).sp();
    o.tenths(s.input_frequency, 2).sp();
    q1_battery(&mut o, s.battery_voltage);
    o.sp().fixed(i64::from(s.temperature), 1, 2).sp();
    o.raw(&s.q1_bits()).cr()
}

fn ratings(s: &UpsState) -> Reply {
    let mut o = Out::new();
    o.byte(b'#').tenths(s.nominal_voltage, 3).sp();
    o.int(s.nominal_current, 3).sp();
    o.tenths(s.nominal_battery_voltage, 3).sp();
    o.tenths(s.nominal_frequency, 2).cr()
}

fn identity(s: &UpsState) -> Reply {
    let mut o = Out::new();
    o.byte(b'#').padded(s.manufacturer, 15).sp();
    o.padded(s.model, 10).sp().padded(s.firmware, 10).cr()
}

/// Per-phase output: phase 1 always, phases 2 and 3 only on a three-phase output.
fn phase(p: Personality, n: u8, v: u32) -> u32 {
    if n == 1 || p.three_phase_out() { v } else { 0 }
}

/// Volt-amperes on one output phase.
fn phase_va(p: Personality, s: &UpsState, n: u8) -> u32 {
    let phases = if p.three_phase_out() { 3 } else { 1 };
    phase(p, n, s.nominal_power / phases * s.measured_load() / 100)
}

fn q6(p: Personality, s: &UpsState) -> Reply {
    let mut o = Out::new();
    o.byte(b'(');
    for _ in 0..3 {
        o.tenths(s.input_voltage, 3).sp();
    }
    o.tenths(s.input_frequency, 2).sp();
    for n in 1..=3 {
        o.tenths(phase(p, n, s.measured_output_voltage()), 3).sp();
    }
    o.tenths(s.output_frequency, 2).sp();
    for n in 1..=3 {
        o.int(phase(p, n, s.measured_load()), 3).sp();
    }
    o.tenths(s.battery_voltage / 10, 3).sp();
    o.raw(b"000.0 ");
    o.fixed(i64::from(s.temperature), 1, 2).sp();
    o.int(s.runtime_s(), 5).sp();
    o.int(s.charge_percent(), 3).sp();
    o.raw(b"32 ");
    o.raw(&s.q1_bits()).sp().raw(b"00000000 11").cr()
}

fn q2(p: Personality, s: &UpsState) -> Reply {
    let mut o = Out::new();
    o.byte(b'(');
    for _ in 0..3 {
        o.tenths(s.input_voltage, 3).sp();
    }
    o.tenths(s.input_fault_voltage, 3).sp();
    for n in 1..=3 {
        o.tenths(phase(p, n, s.measured_output_voltage()), 3).sp();
    }
    for n in 1..=3 {
        o.int(phase(p, n, s.measured_load()), 3).sp();
    }
    o.tenths(s.input_frequency, 2).sp();
    o.tenths(s.battery_voltage / 10, 3).sp();
    o.fixed(i64::from(s.temperature), 1, 2).sp();
    o.raw(&s.q1_bits()).sp();
    // Runtime in minutes with two decimals.
    o.fixed(i64::from(s.runtime_s()) * 100 / 60, 2, 3).sp();
    o.int(s.charge_percent(), 3).sp();
    o.raw(b"02 00 00 00 00 00000000 11").cr()
}

fn wa(p: Personality, s: &UpsState) -> Reply {
    let mut o = Out::new();
    o.byte(b'(');
    let va = [phase_va(p, s, 1), phase_va(p, s, 2), phase_va(p, s, 3)];
    // Real power at a power factor of 0.9; kW and kVA with one decimal (= hundreds of W).
    for v in va {
        o.tenths(v * 9 / 10 / 100, 3).sp();
    }
    for v in va {
        o.tenths(v / 100, 3).sp();
    }
    let total: u32 = va.iter().sum();
    o.tenths(total * 9 / 10 / 100, 3).sp();
    o.tenths(total / 100, 3).sp();
    for (n, v) in (1u8..).zip(va) {
        let volts = phase(p, n, s.measured_output_voltage()).max(1);
        // Amperes in tenths: VA / (V/10) * 10.
        o.tenths(v.saturating_mul(100) / volts, 3).sp();
    }
    o.int(s.measured_load(), 3).sp().raw(b"00000000").cr()
}

fn bps(p: Personality, s: &UpsState) -> Reply {
    let mut o = Out::new();
    o.byte(b'(');
    for n in 1..=3 {
        o.tenths(phase(p, n, s.input_voltage), 3).sp();
    }
    o.tenths(s.input_frequency, 2).cr()
}

fn q4(s: &UpsState) -> Reply {
    let mut o = Out::new();
    o.byte(b'(');
    for _ in 0..3 {
        o.tenths(s.input_voltage, 3).sp();
    }
    o.tenths(s.input_fault_voltage, 3).sp();
    o.tenths(s.measured_output_voltage(), 3).sp();
    o.raw(b"002 ").int(s.measured_load(), 3).sp();
    o.tenths(s.input_frequency, 2).sp();
    o.raw(b"371 372 ");
    o.tenths(s.battery_voltage / 10, 3).sp();
    o.fixed(i64::from(s.temperature), 1, 2).sp();
    // Status letters (§5.10): A/M mode last so it wins.
    let letters = [
        (s.low_battery, b'B'),
        (s.bypass, b'C'),
        (s.failed, b'D'),
        (s.test.is_some(), b'E'),
        (s.shutdown.is_some(), b'F'),
        (s.on_battery, b'A'),
        (!s.on_battery, b'M'),
    ];
    for (on, l) in letters {
        if on {
            o.byte(l);
        }
    }
    o.cr()
}

/// Big-endian 16-bit fields of ablerex's binary `Q5` answer (§5.9).
fn q5(s: &UpsState) -> Reply {
    let nom = s.nominal_battery_voltage.max(1);
    // Vb·nom/1200 = volts, so Vb = V·1200/nom (volts and nominal both in tenths here).
    let vb = s.battery_voltage / 10 * 1200 / nom;
    let vbc = 960u32;
    let current = s.nominal_power * s.measured_load() / 100 * 100 / s.output_voltage.max(1);
    let fields: [u32; 8] = [s.output_frequency, 0, 0, vb, vbc, 0, 0, current];
    let mut o = Out::new();
    o.byte(b'(');
    for f in fields {
        o.raw(&u16::try_from(f).unwrap_or(u16::MAX).to_be_bytes());
    }
    o.raw(&[0; 4]).cr()
}

fn at(s: &UpsState) -> Reply {
    let mut o = Out::new();
    o.byte(b'(').raw(&s.runtime_s().to_be_bytes()).cr()
}

/// The "Megatec IC" identity megatec reads (§5.1): maker 1..7, serial 8..15, model 17..21,
/// runtime text 22..26, firmware 28..EOL; 38 bytes.
fn megatec_identity(s: &UpsState) -> Reply {
    let mut o = Out::new();
    o.byte(b'#')
        .padded(s.manufacturer, 7)
        .padded(s.serial, 8)
        .sp();
    o.padded(s.model, 5).int(s.runtime_s() / 60, 5).sp();
    o.padded(s.firmware, 9).cr()
}

fn innovatae_identity(s: &UpsState) -> Reply {
    let mut o = Out::new();
    o.byte(b'#').padded(s.serial, 27).padded(s.firmware, 8).cr()
}

fn bestups_id(s: &UpsState) -> Reply {
    let mut o = Out::new();
    o.padded(s.model, 3).byte(b',');
    let _ = write!(o, "{}", s.nominal_power);
    o.byte(b',').int(s.nominal_voltage / 10, 3).byte(b',');
    o.int(s.nominal_voltage / 10, 3).byte(b',');
    // Low and full battery voltages: 1.67 V and 2.30 V per cell.
    let cells = s.nominal_battery_voltage / 20;
    o.tenths(cells * 167 / 10, 2).byte(b',');
    o.tenths(cells * 230 / 10, 2).cr()
}

fn omron(s: &UpsState, q: &[u8]) -> Option<Reply> {
    let mut o = Out::new();
    match q {
        b"Bl ?" => o.int(s.charge_percent(), 3),
        b"RTS" => o.int(s.runtime_s() / 60, 4),
        b"TPb" => {
            o.byte(if s.temperature < 0 { b'-' } else { b'+' });
            o.tenths(s.temperature.unsigned_abs(), 2)
        }
        b"Lf ?" => o.tenths(s.output_frequency, 2),
        b"PSNR" => o.padded(s.serial, 16),
        b"FWV" => o.raw(s.firmware.as_bytes()),
        b"BRR" => o.raw(b"20260730"),
        b"UN" => {
            let _ = write!(
                o,
                "{:04}W/{:04}VA/{:03}V/160W/020W",
                s.nominal_power * 9 / 10,
                s.nominal_power,
                s.nominal_battery_voltage / 10
            );
            &mut o
        }
        _ => return None,
    };
    Some(o.cr())
}

/// The slave address of a masterguard command (`GBS,00`), if it is this unit's (00).
fn masterguard(s: &UpsState, q: &[u8]) -> Option<Reply> {
    let mut o = Out::new();
    let (cmd, addr) = match q.iter().position(|&b| b == b',') {
        Some(i) => (q.get(..i)?, q.get(i + 1..)),
        None => (q, None),
    };
    if addr.is_some_and(|a| a != b"00") {
        return Some(Reply::new());
    }
    match (cmd, addr.is_some()) {
        (b"WH", false) => {
            // Series A, power right-aligned (`A  700`, `A 1000`: the model table's prefixes).
            o.raw(b"(00 10.06 03.09 ");
            let _ = write!(o, "A {:>4}", s.nominal_power);
            o.raw(b"  + 0 Bat Pack          ").raw(b" 0 ");
            o.int(s.nominal_voltage / 10, 3).sp();
            o.fixed(i64::from(s.nominal_frequency) * 10, 2, 2).sp();
            o.int(s.nominal_battery_voltage / 20, 3);
            o.raw(b" 02.30 006.00 012.00 018 10 40 160 276 47.00 53.00");
        }
        (b"Q3", false) => {
            o.raw(b"(00 ").tenths(s.input_voltage, 3).sp();
            o.tenths(s.input_fault_voltage, 3).sp();
            o.tenths(s.measured_output_voltage(), 3).sp();
            o.int(s.measured_load(), 3)
                .sp()
                .tenths(s.output_frequency, 2)
                .sp();
            let cells = (s.nominal_battery_voltage / 20).max(1);
            o.fixed(i64::from(s.battery_voltage / cells), 2, 2).sp();
            o.fixed(i64::from(s.temperature), 1, 2).sp();
            // Runtime as `mmm.ss`.
            let rt = s.runtime_s();
            o.int(rt / 60, 3).byte(b'.').int(rt % 60, 2).sp();
            o.int(s.charge_percent(), 3).sp().raw(&s.q1_bits()).sp();
            // T7..T3 clear, then the test state: 001 in progress, 000 none.
            o.raw(b"00000")
                .raw(if s.test.is_some() { b"001" } else { b"000" });
        }
        (b"GS", true) => {
            o.raw(b"(00,00 0 ").byte(if s.beeper { b'1' } else { b'0' });
        }
        (b"GBS", true) => {
            o.raw(b"(00,")
                .int(s.charge_percent(), 3)
                .raw(b" 0017 0000 0708 0712 0994 115 ");
            let cells = (s.nominal_battery_voltage / 20).max(1);
            o.fixed(i64::from(s.battery_voltage / cells), 2, 2);
        }
        (b"GSN", true) => {
            let tail = s.serial.len().saturating_sub(4);
            o.raw(b"(00,SSN=").padded(s.model, 11).sp();
            o.padded(s.serial.get(tail..).unwrap_or(""), 4);
        }
        (b"DRC", true) => {
            o.raw(b"(00,1869:19:06:37");
        }
        (b"MSO", false) => {
            o.raw(b"(220 230 240");
        }
        (b"PNV", false) => {
            o.raw(b"(PNV=").int(s.nominal_voltage / 10, 3);
        }
        (b"FLT", true) => {
            o.raw(b"(00,7 0043 0000:16:48:06");
            for _ in 0..4 {
                o.raw(b" 0 0000 0000:00:00:00");
            }
        }
        _ => return None,
    }
    Some(o.cr())
}

/// The answer of a data query, `None` when this device does not know `q` (CR stripped).
pub(super) fn query(p: Personality, id: Identity, s: &UpsState, q: &[u8]) -> Option<Reply> {
    use Personality as P;
    let f_and_i = matches!(
        p,
        P::Megatec | P::MegatecOld | P::Mustek | P::Mecer | P::Ablerex | P::Gtec
    );
    let fw = matches!(p, P::Zinto | P::Hunnox);
    let innovart = matches!(p, P::Innovart31 | P::Innovart33);
    Some(match q {
        b"Q1" if !matches!(p, P::MegatecOld | P::Mustek | P::Gtec | P::Masterguard) => q1(s),
        b"D" if p == P::MegatecOld => q1(s),
        b"QS" if p == P::Mustek => q1(s),
        b"F" if f_and_i || fw || innovart || p == P::Innovatae => ratings(s),
        b"I" if p == P::Megatec && id == Identity::Native => megatec_identity(s),
        b"I" if p == P::Innovatae && id == Identity::Native => innovatae_identity(s),
        b"I" if f_and_i || p == P::Innovatae => identity(s),
        b"FW?" if fw => identity(s),
        b"FW?" if innovart => {
            let mut o = Out::new();
            o.raw(s.firmware.as_bytes()).cr()
        }
        b"SASV07?" if innovart => {
            let mut o = Out::new();
            o.raw(b"GASV07D").padded(s.serial, 20).cr()
        }
        b"BL" if p == P::Hunnox => {
            let mut o = Out::new();
            o.raw(b"BL").int(s.charge_percent(), 3).cr()
        }
        b"QPI" if p == P::Mecer => bytes(b"(PI98\r"),
        b"ID" if p == P::Bestups => bestups_id(s),
        b"RT" if p == P::Bestups => {
            let mut o = Out::new();
            o.int(s.runtime_s() / 60, 3).cr()
        }
        b"BP?" if p == P::Bestups => bytes(b"01\r"),
        b"SS?" if p == P::Bestups => bytes(b"0\r"),
        b"M" if p == P::Bestups => bytes(b"0\r"),
        b"Q5" if p == P::Ablerex => q5(s),
        b"At" if p == P::Ablerex => at(s),
        b"TR" if p == P::Ablerex => bytes(b"#PASS\r"),
        b"Q4" if p == P::Gtec => q4(s),
        b"Q6" if innovart || p == P::Q6 => q6(p, s),
        b"Q2" if p == P::Q2 => q2(p, s),
        b"WA" if innovart || matches!(p, P::Q2 | P::Q6) => wa(p, s),
        b"BPS" if innovart => bps(p, s),
        _ if p == P::Omron => return omron(s, q),
        _ if p == P::Masterguard => return masterguard(s, q),
        _ => return None,
    })
}

/// `.n` (n × 6 s) or `nn` minutes, as §3.4 encodes delays.
fn delay_ms(text: &[u8]) -> Option<u64> {
    let (tenths, digits) = match text.strip_prefix(b".") {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let n = number(digits)?;
    Some(if tenths { n * 6_000 } else { n * 60_000 })
}

fn number(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 6 {
        return None;
    }
    digits.iter().try_fold(0u64, |acc, &d| {
        d.is_ascii_digit().then(|| acc * 10 + u64::from(d - b'0'))
    })
}

/// Carries out an instant command; `false` when this device does not know it.
pub(super) fn command(p: Personality, s: &mut UpsState, c: &[u8]) -> bool {
    match c {
        b"Q" if !matches!(p, Personality::Bestups) => s.beeper = !s.beeper,
        b"C" => {
            s.shutdown = None;
            s.output_off = false;
        }
        b"CT" => s.test = None,
        b"T" => s.test = Some(Test::For(10_000)),
        b"TL" => s.test = Some(Test::UntilLow),
        b"An" | b"Af" if p == Personality::Omron => {}
        b"TUD,00" | b"FCLR,00" | b"FOFF" | b"FON" if p == Personality::Masterguard => {
            if c == b"TUD,00" {
                s.test = Some(Test::UntilLow);
            }
        }
        b"SS---1,00" | b"SS---0,00" if p == Personality::Masterguard => {
            s.beeper = c == b"SS---1,00";
        }
        [b'B', b'P', rest @ ..] if p == Personality::Bestups && number(rest).is_some() => {}
        [b'S', b'S', rest @ ..] if p == Personality::Bestups && number(rest).is_some() => {}
        [b'T', rest @ ..] => match number(rest) {
            Some(min) if rest.len() == 2 => s.test = Some(Test::For(min * 60_000)),
            _ => return false,
        },
        [b'S', rest @ ..] => {
            // omron: `Sf<d>` stays off, `S<d>` comes back; the blazer family: `S<d>[R<m>]`.
            let (stay_off, rest) = match rest.strip_prefix(b"f") {
                Some(r) if p == Personality::Omron => (true, r),
                _ => (false, rest),
            };
            let (d, r) = match rest.iter().position(|&b| b == b'R') {
                Some(i) => (rest.get(..i).unwrap_or(&[]), rest.get(i + 1..)),
                None => (rest, None),
            };
            let Some(off_in_ms) = delay_ms(d) else {
                return false;
            };
            let restart_ms = match r {
                None if stay_off => None,
                None => Some(0),
                Some(m) => match number(m) {
                    Some(0) => None,
                    Some(min) => Some(min * 60_000),
                    None => return false,
                },
            };
            s.shutdown = Some(Shutdown {
                off_in_ms,
                restart_ms,
            });
            if off_in_ms == 0 {
                s.output_off = true;
            }
        }
        _ => return false,
    }
    true
}

/// The full reply of the device to `cmd` (CR included): a query's answer, a command's
/// acknowledgement, or the device's way of refusing.
pub(super) fn reply(p: Personality, id: Identity, s: &mut UpsState, cmd: &[u8]) -> Reply {
    let Some(body) = cmd.strip_suffix(b"\r") else {
        return p.unknown(cmd);
    };
    if let Some(answer) = query(p, id, s, body) {
        return answer;
    }
    // Bestups setters and omron prologues first: they look like shutdown/test commands.
    if command(p, s, body) {
        return p.ack(body);
    }
    p.unknown(cmd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q1_layout_matches_the_spec() {
        let mut s = UpsState::new();
        s.battery_voltage = 2270;
        s.set_charge(100_000);
        s.battery_voltage = 2270;
        s.line_interactive = false;
        assert_eq!(
            q1(&s).as_slice(),
            b"(215.0 195.0 230.0 014 49.0 22.7 30.0 00000000\r"
        );
        s.temperature = -55;
        s.battery_voltage = 227;
        assert_eq!(&q1(&s)[28..37], b"2.27 -5.5");
    }

    #[test]
    fn f_and_i_lengths() {
        let s = UpsState::new();
        assert_eq!(ratings(&s).as_slice(), b"#230.0 004 024.0 50.0\r");
        assert_eq!(identity(&s).len(), 39);
        assert_eq!(innovatae_identity(&s).len(), 37);
        assert_eq!(megatec_identity(&s).len(), 38);
    }

    #[test]
    fn classic_identity_overrides_the_native_layout() {
        let s = UpsState::new();
        for p in [Personality::Megatec, Personality::Innovatae] {
            let native = query(p, Identity::Native, &s, b"I").unwrap();
            let classic = query(p, Identity::Classic, &s, b"I").unwrap();
            assert_ne!(native.len(), 39);
            assert_eq!(classic, identity(&s));
        }
        // Devices without an I query do not gain one.
        assert_eq!(query(Personality::Q1, Identity::Classic, &s, b"I"), None);
    }

    #[test]
    fn three_phase_lengths() {
        let s = UpsState::new();
        assert_eq!(q6(Personality::Q6, &s).len(), 110);
        assert_eq!(q2(Personality::Q2, &s).len(), 118);
        assert_eq!(wa(Personality::Q6, &s).len(), 80);
        assert_eq!(bps(Personality::Innovart31, &s).len(), 24);
        assert_eq!(q4(&s).len(), 65);
    }

    #[test]
    fn shutdown_and_test_commands() {
        let mut s = UpsState::new();
        let p = Personality::Megatec;
        assert!(command(p, &mut s, b"S02R0005"));
        assert_eq!(
            s.shutdown,
            Some(Shutdown {
                off_in_ms: 120_000,
                restart_ms: Some(300_000)
            })
        );
        assert!(command(p, &mut s, b"S.5R0000"));
        assert_eq!(
            s.shutdown.map(|x| (x.off_in_ms, x.restart_ms)),
            Some((30_000, None))
        );
        assert!(command(p, &mut s, b"C"));
        assert_eq!(s.shutdown, None);
        assert!(command(p, &mut s, b"T04"));
        assert_eq!(s.test, Some(Test::For(240_000)));
        assert!(!command(p, &mut s, b"T4x"));
        assert!(!command(p, &mut s, b"Sx"));
        assert!(command(p, &mut s, b"Q"));
        assert!(s.beeper);
    }
}
