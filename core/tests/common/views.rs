//! Every typed view of the wire layer on arbitrary bytes, for the property tests and the
//! `wire_frames` fuzz target (which includes this file by path). Nothing here may panic.

use qxups::wire::{
    ablerex, bestups, bps, identity, masterguard, omron, q1, q2, q3, q4, q6, ratings, wa, wh,
};

/// Validates `data` as every layout and reads every field of the ones it fits.
pub fn exercise(data: &[u8]) {
    if let Ok(frame) = q1::Q1Frame::new_checked(data) {
        let _ = frame.input_voltage();
        let _ = frame.output_voltage();
        let _ = frame.battery_voltage();
        if let Ok(bits) = frame.bits() {
            let _ = (bits.utility_fail(), bits.battery_low(), bits.beeper_on());
        }
        let _ = frame.parse();
    }
    if let Ok(frame) = ratings::RatingsFrame::new_checked(data) {
        let _ = frame.parse();
    }
    if let Ok(frame) = identity::IdentityFrame::new_checked(data) {
        let _ = (frame.manufacturer(), frame.model(), frame.firmware());
    }
    if let Ok(frame) = q2::Q2Frame::new_checked(data) {
        let _ = frame.parse();
    }
    if let Ok(frame) = q3::Q3Frame::new_checked(data) {
        let _ = frame.parse();
    }
    if let Ok(frame) = q4::Q4Frame::new_checked(data) {
        let _ = frame.parse();
    }
    if let Ok(frame) = q6::Q6Frame::new_checked(data) {
        let _ = frame.parse();
    }
    if let Ok(frame) = wa::WaFrame::new_checked(data) {
        let _ = frame.parse();
    }
    if let Ok(frame) = bps::BpsFrame::new_checked(data) {
        let _ = frame.parse();
    }
    if let Ok(frame) = wh::WhFrame::new_checked(data) {
        let _ = frame.parse();
    }
    if let Ok(frame) = ablerex::Q5Frame::new_checked(data) {
        let _ = frame.parse();
        let _ = frame.word(usize::from(data.first().copied().unwrap_or(0)));
        let _ = frame.word(usize::MAX);
    }
    let _ = ablerex::at_runtime(data);
    let _ = ablerex::tr_result(data);
    if let Ok(frame) = bestups::IdFrame::new_checked(data) {
        let _ = (frame.model(), frame.parse());
    }
    let mut buf = [0u8; 128];
    let n = data.len().min(buf.len());
    buf[..n].copy_from_slice(&data[..n]);
    let _ = bestups::normalise_id(&mut buf, n);
    let _ = bestups::normalise_id(&mut buf, usize::MAX);
    let _ = bestups::m_index(data);
    if let Ok(frame) = omron::un::UnFrame::new_checked(data) {
        let _ = frame.parse();
    }
    if let Ok(frame) = masterguard::FltFrame::new_checked(data) {
        for n in 0..8 {
            let _ = frame.fault(n);
        }
    }
    let _ = masterguard::parse_fault(data);
    let _ = masterguard::minutes_seconds(data);
    let _ = masterguard::uptime_seconds(data);
    let _ = masterguard::mso::voltages(data).count();
}
