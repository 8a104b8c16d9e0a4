//! One run at a time per output directory: `render -o DIR` holds an exclusive flock(2) on
//! DIR's handle while it looks and writes, `--check` a shared one. A second run waits (at
//! most `IPSECGEN_LOCK_WAIT` seconds, default 30), then fails with `output.locked`. The lock
//! goes with the handle: a killed run holds nothing.

use std::os::fd::BorrowedFd;
use std::path::Path;
use std::time::{Duration, Instant};

use rustix::fs::{self as rfs, FlockOperation};
use rustix::io::Errno;

use super::errno;
use crate::diag::Diagnostic;

/// How long a run waits for another one: `IPSECGEN_LOCK_WAIT` seconds, default 30.
fn wait() -> Duration {
    std::env::var("IPSECGEN_LOCK_WAIT")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map_or(Duration::from_secs(30), |s| {
            Duration::from_secs_f64(s.min(86_400.0))
        })
}

/// Lock DIR (its handle `fd`): exclusively to write, shared to read.
pub fn lock(fd: BorrowedFd<'_>, exclusive: bool, dir: &Path) -> Result<(), Diagnostic> {
    let op = if exclusive {
        FlockOperation::NonBlockingLockExclusive
    } else {
        FlockOperation::NonBlockingLockShared
    };
    let wait = wait();
    let deadline = Instant::now() + wait;
    loop {
        match rfs::flock(fd, op) {
            Ok(()) => return Ok(()),
            Err(Errno::WOULDBLOCK | Errno::INTR) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(Errno::WOULDBLOCK) => {
                return Err(Diagnostic::error(
                    "output.locked",
                    format!(
                        "{} is being written by another ipsecgen run (waited {} s)",
                        dir.display(),
                        wait.as_secs_f64()
                    ),
                )
                .help("let the other run finish, then run again (IPSECGEN_LOCK_WAIT=SECONDS waits longer)"))
            }
            // A file system without flock (some network mounts): the run goes on unlocked.
            Err(Errno::NOLCK | Errno::OPNOTSUPP | Errno::NOSYS) => return Ok(()),
            Err(e) => return Err(errno(dir, e)),
        }
    }
}
