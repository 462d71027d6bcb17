//! The `I` (or `FW?`) identity answer, spec §3.7 and §5.1:
//!
//! ```text
//! #NOT_A_LIVE_UPS  TESTING    TESTING   \r     standard layout, 39 bytes
//! #MegaTecabcedfhi k130v12345 v3.400000\r       "Megatec IC" layout, 38 bytes
//! ```

use super::{Answer, Check, FrameError, trim_field};

/// Validation of the standard layout: 39 bytes, lead `#`.
pub const CHECK: Check = Check::new(39, b'#');

/// Validation of the Megatec IC layout: 38 bytes, lead `#`.
pub const CHECK_MEGATEC_IC: Check = Check::new(38, b'#');

/// Field positions of the standard layout.
pub mod field {
    use crate::wire::Window;
    /// Company name (15 bytes).
    pub const MANUFACTURER: Window = Window::span(1, 15);
    /// Model (10 bytes).
    pub const MODEL: Window = Window::span(17, 26);
    /// Firmware version (10 bytes).
    pub const FIRMWARE: Window = Window::span(28, 37);
}

/// Field positions of the Megatec IC layout.
pub mod megatec_ic {
    use crate::wire::Window;
    /// Maker.
    pub const MANUFACTURER: Window = Window::span(1, 7);
    /// Serial number.
    pub const SERIAL: Window = Window::span(8, 15);
    /// Model.
    pub const MODEL: Window = Window::span(17, 21);
    /// Runtime (free text).
    pub const RUNTIME: Window = Window::span(22, 26);
    /// Firmware, to the end of the line.
    pub const FIRMWARE: Window = Window::to_eol(28);
}

/// A zero-copy view of a validated standard-layout identity answer.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IdentityFrame<'a>(Answer<'a>);

impl<'a> IdentityFrame<'a> {
    /// Validates `bytes` as a standard identity answer.
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, FrameError> {
        CHECK.validate(bytes, None).map(Self)
    }

    /// Manufacturer, trimmed.
    pub fn manufacturer(&self) -> &'a [u8] {
        trim_field(self.0.field(field::MANUFACTURER))
    }

    /// Model, trimmed.
    pub fn model(&self) -> &'a [u8] {
        trim_field(self.0.field(field::MODEL))
    }

    /// Firmware version, trimmed.
    pub fn firmware(&self) -> &'a [u8] {
        trim_field(self.0.field(field::FIRMWARE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_rejects() {
        let f = IdentityFrame::new_checked(b"#NOT_A_LIVE_UPS  TESTING    TESTING   \r").unwrap();
        assert_eq!(f.manufacturer(), b"NOT_A_LIVE_UPS");
        assert_eq!(f.model(), b"TESTING");
        assert_eq!(f.firmware(), b"TESTING");
        assert!(IdentityFrame::new_checked(b"#MegaTec\r").is_err());
    }
}
