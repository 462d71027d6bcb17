//! The virtual UPS behind a Linux pseudo-terminal: any program that opens a serial port — our
//! own serial adapter, NUT's `nutdrv_qx`, a terminal — talks to it through the kernel's tty
//! layer. `qxups simulate` and the serial and differential tests use it.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

use qxups::virtual_ups::VirtualUps;

/// A virtual UPS serving a pty's master side on its own thread.
#[derive(Debug)]
pub struct PtyUps {
    path: PathBuf,
    link: Option<PathBuf>,
    ups: Arc<Mutex<VirtualUps>>,
    /// The master side, for bytes the device sends unasked.
    master: File,
    /// Kept open so the master side does not see EIO when a client closes and reopens the
    /// port (NUT's drivers do).
    _slave: OwnedFd,
    _server: JoinHandle<()>,
}

impl PtyUps {
    /// Opens a pty, serves `ups` on it (its clock following the wall clock) and, with `link`,
    /// makes a symbolic link to the slave side there.
    pub fn serve(ups: VirtualUps, link: Option<&Path>) -> std::io::Result<Self> {
        let pty = nix::pty::openpty(None, None).map_err(std::io::Error::from)?;
        let path = nix::unistd::ttyname(&pty.slave).map_err(std::io::Error::from)?;
        // Raw mode on the slave: no echo, no CR/LF translation, as a real serial line.
        let mut t = nix::sys::termios::tcgetattr(&pty.slave).map_err(std::io::Error::from)?;
        nix::sys::termios::cfmakeraw(&mut t);
        nix::sys::termios::tcsetattr(&pty.slave, nix::sys::termios::SetArg::TCSANOW, &t)
            .map_err(std::io::Error::from)?;
        if let Some(link) = link {
            let _ = std::fs::remove_file(link);
            std::os::unix::fs::symlink(&path, link)?;
        }
        let ups = Arc::new(Mutex::new(ups));
        let shared = ups.clone();
        let mut master = File::from(pty.master);
        let unasked = master.try_clone()?;
        let server = std::thread::spawn(move || {
            let mut last = Instant::now();
            let mut buf = [0u8; 256];
            let mut out = [0u8; 1024];
            while let Ok(n) = master.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let len = {
                    let Ok(mut u) = shared.lock() else { break };
                    let now = Instant::now();
                    let ms = now.duration_since(last).as_millis();
                    u.advance(u64::try_from(ms).unwrap_or(u64::MAX));
                    last = now;
                    u.receive(buf.get(..n).unwrap_or(&[]));
                    u.transmit(&mut out)
                };
                if master.write_all(out.get(..len).unwrap_or(&[])).is_err() {
                    break;
                }
            }
        });
        Ok(Self {
            path,
            link: link.map(Path::to_path_buf),
            ups,
            master: unasked,
            _slave: pty.slave,
            _server: server,
        })
    }

    /// The slave side's path (`/dev/pts/N`): the "serial port" to open.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Sends `bytes` to the port as if the device said them unasked (a late answer).
    pub fn send_unasked(&self, bytes: &[u8]) -> std::io::Result<()> {
        (&self.master).write_all(bytes)
    }

    /// The virtual UPS, to change its state while it serves.
    pub fn ups(&self) -> &Arc<Mutex<VirtualUps>> {
        &self.ups
    }
}

impl Drop for PtyUps {
    fn drop(&mut self) {
        if let Some(link) = &self.link {
            let _ = std::fs::remove_file(link);
        }
    }
}
