//! Recognising the device (spec §3.9, §4): a dialect's claim, and autodetection over every
//! dialect in order, each claim tried up to three times.

use core::fmt;

use super::{ItemError, Ups, walk::Produced};
use crate::dialect::{AUTODETECT_ORDER, Dialect, Kind};
use crate::fmt::debug;
use crate::options::Options;
use crate::transport::{Transport, TransportError};
use crate::wire::FrameError;

/// Tries per dialect claim.
pub const CLAIM_ATTEMPTS: u8 = 3;

/// Why no dialect claimed the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum DetectError {
    /// No dialect recognised the answers.
    NotSupported,
    /// The link failed.
    Transport(TransportError),
}

impl fmt::Display for DetectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotSupported => f.write_str("no dialect recognises this device"),
            Self::Transport(e) => write!(f, "link: {e}"),
        }
    }
}

impl core::error::Error for DetectError {}

impl Ups {
    /// Runs the dialect's claim. `explicit` is true when the user named the dialect
    /// (`protocol=`), which skips the USB vendor requirement. On failure nothing read stays
    /// published (unlike NUT, spec §4).
    pub async fn claim<T: Transport>(
        &mut self,
        mut io: T,
        explicit: bool,
    ) -> Result<bool, TransportError> {
        let ok = if self.dialect.claim.items.is_empty() {
            Ok(false)
        } else {
            self.try_claim(&mut io, explicit).await
        };
        if !matches!(ok, Ok(true)) {
            self.reset();
        }
        ok
    }

    async fn try_claim<T: Transport>(
        &mut self,
        io: &mut T,
        explicit: bool,
    ) -> Result<bool, TransportError> {
        let claim = self.dialect.claim;
        if let (Some(vendor), false) = (claim.vendor, explicit) {
            if self.options.usb_vendor != Some(vendor) {
                return Ok(false);
            }
        }
        let extra: &[&str] = if explicit { &[] } else { claim.detect_also };
        for name in claim.items.iter().chain(extra) {
            let found = self
                .dialect
                .items()
                .enumerate()
                .find(|(_, it)| it.name == *name && matches!(it.kind, Kind::Query(_)));
            let Some((index, _)) = found else {
                return Ok(false);
            };
            if self.disabled.contains(index) {
                continue;
            }
            match self.run_query(io, index).await {
                Ok(Produced::Published) => {
                    // The initialisation walk skips what the claim published: mark it writable now.
                    if let Some(item) = self.dialect.item(index) {
                        self.apply_rw(item);
                    }
                }
                Ok(Produced::Other)
                    if self
                        .dialect
                        .item(index)
                        .is_some_and(|i| i.name != "ups.status") => {}
                Err(ItemError::Frame(FrameError::Rejected)) if claim.refusal_ok == Some(*name) => {
                    self.disabled.insert(index);
                }
                Err(ItemError::Transport(TransportError::Disconnected)) => {
                    return Err(TransportError::Disconnected);
                }
                Err(e) => {
                    debug!("{} claim: {}: {}", self.dialect.name, *name, e);
                    let _ = e;
                    return Ok(false);
                }
                Ok(Produced::Other) => return Ok(false),
            }
        }
        Ok(claim
            .verify
            .is_none_or(|verify| verify(&self.vars, &self.state, &self.options, !explicit)))
    }
}

/// Finds the dialect of the device behind `io`: `protocol` if given (its claim must succeed),
/// otherwise every dialect in [`AUTODETECT_ORDER`], each claim tried [`CLAIM_ATTEMPTS`] times.
/// The returned [`Ups`] is claimed but not yet initialised.
pub async fn detect<T: Transport>(
    mut io: T,
    protocol: Option<&'static Dialect>,
    options: &Options,
) -> Result<Ups, DetectError> {
    let one: [&'static Dialect; 1];
    let candidates: &[&'static Dialect] = match protocol {
        Some(d) => {
            one = [d];
            &one
        }
        None => AUTODETECT_ORDER,
    };
    for dialect in candidates {
        let mut ups = Ups::new(dialect, options.clone());
        for _ in 0..CLAIM_ATTEMPTS {
            match ups.claim(&mut io, protocol.is_some()).await {
                Ok(true) => return Ok(ups),
                Ok(false) => {}
                Err(e) => return Err(DetectError::Transport(e)),
            }
        }
    }
    Err(DetectError::NotSupported)
}
