//! [`Bridge`]: the driver engine over whatever UPS is on the USB port, as a firmware runs it.
//!
//! The USB task owns the bridge. When the host stack reports a configured device it calls
//! [`Bridge::attach`] with a [`UsbHost`] for it; the bridge identifies the device, picks the
//! transport (or refuses it, [`Refusal`]) and hands back the [`UsbTransport`] to poll with
//! [`Bridge::step`]. Each step runs the core [`Driver`] (detection, quick and full updates,
//! staleness), then the `INSTCMD` / `SET VAR` requests NUT clients queued, then copies the
//! variables into the [`SharedUps`] the sessions read. A device that goes away — the host
//! stack's unplug event ([`Bridge::detach`]) or transfers that say so (the step's
//! `reconnect`) — leaves the data stale until the next [`Bridge::attach`]; the same UPS then
//! resumes its dialect without a new detection, a different one starts afresh.

use qxups::driver::{Config, Driver, Phase, Step};
use qxups::netserver::{Request, TrackingStatus, UpsState};
use qxups::usb::table::Selection;
use qxups::usb::{DelayNs, Subdriver, UsbError, UsbHost, UsbOptions, UsbTransport};

use crate::identify::{self, Capabilities, Identity, Refusal};
use crate::led::LedState;
use crate::server::SharedUps;

/// How the bridge runs.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The driver engine's configuration (poll intervals, `protocol=`, options).
    pub driver: Config,
    /// `subdriver=`: use this transport whatever the device table says.
    pub subdriver: Option<Subdriver>,
    /// The transport options (`langid_fix`, …) on top of what the subdriver brings.
    pub usb: UsbOptions,
    /// What the board's USB host can do.
    pub capabilities: Capabilities,
}

impl Settings {
    /// The defaults (NUT's intervals, autodetection, the device table) on a board with these
    /// capabilities.
    pub fn new(capabilities: Capabilities) -> Self {
        let mut driver = Config::default();
        // `driver.parameter.port`, as ups.conf would say for a USB UPS.
        let _ = driver.port.push_str("auto");
        Self {
            driver,
            subdriver: None,
            usb: UsbOptions::default(),
            capabilities,
        }
    }
}

#[derive(Clone, Debug)]
enum Attachment {
    /// Nothing on the port (or it went away).
    Absent,
    /// Something we do not serve.
    Refused(Refusal),
    /// A UPS with this transport.
    Attached(Subdriver),
}

/// The bridge's engine. See the [module documentation](self).
#[derive(Debug)]
pub struct Bridge {
    settings: Settings,
    driver: Driver,
    attachment: Attachment,
    /// The last device attached, to tell a replug of the same UPS from another one.
    last: Option<(Identity, Selection)>,
}

impl Bridge {
    /// A bridge with nothing attached.
    pub fn new(settings: Settings) -> Self {
        Self {
            driver: Driver::new(settings.driver.clone()),
            settings,
            attachment: Attachment::Absent,
            last: None,
        }
    }

    /// The engine.
    pub fn driver(&self) -> &Driver {
        &self.driver
    }

    /// Why the device on the port is not served, if it is not.
    pub fn refusal(&self) -> Option<Refusal> {
        match self.attachment {
            Attachment::Refused(r) => Some(r),
            Attachment::Absent | Attachment::Attached(_) => None,
        }
    }

    /// The transport in use, while a UPS is attached.
    pub fn subdriver(&self) -> Option<Subdriver> {
        match self.attachment {
            Attachment::Attached(s) => Some(s),
            Attachment::Absent | Attachment::Refused(_) => None,
        }
    }

    /// The identity of the last device attached.
    pub fn identity(&self) -> Option<&Identity> {
        self.last.as_ref().map(|(i, _)| i)
    }

    /// When the engine wants its next [`Bridge::step`].
    pub fn wake_at_ms(&self) -> u64 {
        self.driver.wake_at_ms()
    }

    /// What the status LED shows.
    pub fn led(&self) -> LedState {
        match self.attachment {
            Attachment::Absent | Attachment::Refused(Refusal::NotAUps { .. } | Refusal::Usb(_)) => {
                LedState::NoUps
            }
            Attachment::Refused(Refusal::Unsupported { .. }) => LedState::Unsupported,
            Attachment::Attached(_) => match self.driver.phase() {
                Phase::Detecting => LedState::Detecting,
                Phase::Lost => LedState::NoUps,
                Phase::Polling if self.driver.is_stale() => LedState::Stale,
                Phase::Polling => LedState::Polling,
            },
        }
    }

    /// A device was configured on the port: identifies it, chooses its transport and starts
    /// it (the langid scan when its options ask for one). The returned transport goes to
    /// [`Bridge::step`] until the device goes away.
    pub async fn attach<H: UsbHost, D: DelayNs>(
        &mut self,
        mut host: H,
        mut delay: D,
        shared: &SharedUps,
    ) -> Result<UsbTransport<H, D>, Refusal> {
        match self.start(&mut host, &mut delay).await {
            Ok((identity, selection)) => {
                let mut link =
                    UsbTransport::new(selection.subdriver, host, delay, selection.options);
                if link.start().await.is_err() {
                    // The start fails only when the device is gone.
                    return Err(self.refuse(Refusal::Usb(UsbError::Disconnected), shared));
                }
                self.adopt(identity, selection);
                self.publish(shared);
                Ok(link)
            }
            Err(r) => Err(self.refuse(r, shared)),
        }
    }

    async fn start<H: UsbHost, D: DelayNs>(
        &mut self,
        host: &mut H,
        delay: &mut D,
    ) -> Result<(Identity, Selection), Refusal> {
        let identity = identify::read_identity(host, delay)
            .await
            .map_err(Refusal::Usb)?;
        let selection = identify::select(
            host,
            &identity,
            self.settings.subdriver,
            self.settings.usb,
            self.settings.capabilities,
        )
        .await?;
        Ok((identity, selection))
    }

    fn refuse(&mut self, refusal: Refusal, shared: &SharedUps) -> Refusal {
        self.attachment = Attachment::Refused(refusal);
        self.publish(shared);
        refusal
    }

    /// Takes the identified device: the same UPS as before resumes (its dialect is claimed
    /// again without autodetection), another one gets a fresh engine.
    fn adopt(&mut self, identity: Identity, selection: Selection) {
        let same = self
            .last
            .as_ref()
            .is_some_and(|(i, s)| *i == identity && *s == selection);
        if same {
            self.driver.set_device(identity.device_info());
            self.driver.reconnected();
        } else {
            let mut config = self.settings.driver.clone();
            selection.apply(identity.ids(), &mut config.options);
            self.driver = Driver::new(config);
            self.driver.set_device(identity.device_info());
        }
        self.attachment = Attachment::Attached(selection.subdriver);
        self.last = Some((identity, selection));
    }

    /// Runs what is due at `now_ms` over `link`: a detection or an update, then the queued
    /// client requests; publishes the result. When the step says `reconnect` the device is
    /// gone: drop `link` and wait for the next [`Bridge::attach`].
    pub async fn step<H: UsbHost, D: DelayNs>(
        &mut self,
        link: &mut UsbTransport<H, D>,
        now_ms: u64,
        shared: &SharedUps,
    ) -> Step {
        let step = self.driver.step(&mut *link, now_ms).await;
        if step.reconnect {
            self.attachment = Attachment::Absent;
        } else {
            self.run_requests(link, shared).await;
        }
        self.publish(shared);
        step
    }

    /// The host stack reported the device unplugged.
    pub fn detach(&mut self, shared: &SharedUps) {
        if matches!(self.attachment, Attachment::Attached(_)) {
            self.driver.link_lost();
        }
        self.attachment = Attachment::Absent;
        self.publish(shared);
    }

    /// Runs the `INSTCMD` / `SET VAR` requests the sessions queued and records each outcome
    /// for `GET TRACKING`.
    async fn run_requests<H: UsbHost, D: DelayNs>(
        &mut self,
        link: &mut UsbTransport<H, D>,
        shared: &SharedUps,
    ) {
        while let Some((request, id)) = shared.lock(|ups| ups.slot.take_tracked_request()) {
            let status = match &request {
                Request::Instcmd(cmd, arg) => {
                    match self.driver.instcmd(&mut *link, cmd, arg.as_deref()).await {
                        Ok(result) => TrackingStatus::from_instcmd(result),
                        Err(_) => TrackingStatus::Failed,
                    }
                }
                Request::Set(var, value) => {
                    match self.driver.setvar(&mut *link, var, value).await {
                        Ok(result) => TrackingStatus::from_setvar(result),
                        Err(_) => TrackingStatus::Failed,
                    }
                }
            };
            if let Some(id) = id {
                shared.lock(|ups| ups.slot.finish(&id, status));
            }
        }
    }

    /// Copies the engine's variables and freshness into the shared UPS: a refused device is
    /// "driver not connected", anything else is what the engine says (not connected while
    /// detecting, stale while stale or after an unplug).
    fn publish(&self, shared: &SharedUps) {
        shared.lock(|ups| match self.attachment {
            Attachment::Refused(_) => {
                ups.state = UpsState::NotConnected;
                ups.vars.clear();
                ups.commands.clear();
            }
            Attachment::Absent | Attachment::Attached(_) => ups.sync_from_driver(&self.driver),
        });
    }
}
