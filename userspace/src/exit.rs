// SPDX-License-Identifier: GPL-2.0
//! [`Exit`]: the owned future of a process's exit status, on tokio's reactor.

use std::future::Future;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::pin::Pin;
use std::process::ExitStatus;
use std::task::{ready, Context, Poll};

use tokio::io::unix::AsyncFd;

use crate::{exit_state, sys, Backend, ExitState, PidFd};

/// The exit status of a process, as a future: what [`PidFd::into_exit`] returns.
///
/// It owns the pidfd (one fd, no duplicate), is `'static` and `Send`, and resolves once the
/// process has exited to:
///
/// - `Ok(Some(status))` when its exit status is to be had: at once for a child of the
///   caller (`waitid(WNOWAIT)`, which leaves it a zombie for the caller to reap); for any
///   other process once it has been reaped, on kernels that record the status then
///   (`PIDFD_GET_INFO` with `PIDFD_INFO_EXIT`, Linux 6.15; the module's `PIDFD_IOC_GET_INFO`).
///   Where the kernel (or module) says it supports `PIDFD_INFO_EXIT`
///   (`PIDFD_INFO_SUPPORTED_MASK`: Linux 7.3 and the module report it, 6.18 does not), the
///   future waits past the exit of another process's zombie for its reap: pidfds wake their
///   waiters then. A zombie that is never reaped keeps it pending.
/// - `Ok(None)` when the process has exited and no status is to be had: a kernel before 6.15
///   or a module built against the first header (64-byte `PIDFD_IOC_GET_INFO`) once the
///   process is reaped, or a zombie of another process where no supported mask says the
///   status will come.
///
/// It reaps nothing.
///
/// A process that has already exited resolves on the first poll, without the reactor: the
/// fd is registered with tokio only when the process is still running (or awaiting its reap).
///
/// # Cancel safety
///
/// Dropping it before it resolves loses nothing: the exit status is kept by the kernel, not
/// by the future, and the process is not reaped. Dropping it closes the pidfd (after taking
/// it off the reactor). Used in `tokio::select!` by `&mut`, it may be polled again after
/// another branch won.
///
/// # Errors
///
/// The error of registering the fd with the reactor, or of the calls that read the status
/// (see [`PidFd::exit_status`]).
///
/// # Panics
///
/// When polled after it has resolved; when polled, with the process still running, outside
/// a tokio runtime with I/O enabled.
///
/// # Examples
///
/// ```no_run
/// # async fn f() -> std::io::Result<()> {
/// use pidfd_open::PidFd;
///
/// let child = std::process::Command::new("sh").args(["-c", "exit 3"]).spawn()?;
/// let exit = PidFd::from_child(&child)?.into_exit();
/// let status = tokio::spawn(exit).await.expect("the task")?;
/// assert_eq!(status.and_then(|s| s.code()), Some(3));
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Exit {
    /// Before the first wait on the reactor.
    pidfd: Option<PidFd>,
    /// After it: the same fd, registered.
    registered: Option<AsyncFd<OwnedFd>>,
    backend: Backend,
}

impl Exit {
    pub(crate) fn new(pidfd: PidFd) -> Exit {
        Exit {
            backend: pidfd.backend,
            pidfd: Some(pidfd),
            registered: None,
        }
    }
}

/// What the future resolves to in `state`, or `None` to wait on.
fn settled(state: ExitState) -> Option<Option<ExitStatus>> {
    match state {
        ExitState::Running | ExitState::AwaitingReap => None,
        ExitState::Status(status) => Some(Some(status)),
        ExitState::Unknown => Some(None),
    }
}

impl Future for Exit {
    type Output = io::Result<Option<ExitStatus>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if this.registered.is_none() {
            let pidfd = this.pidfd.take().expect("Exit polled after it resolved");
            // The fast path: an exited process needs no reactor.
            if let Some(status) = settled(exit_state(pidfd.fd.as_fd(), this.backend)?) {
                return Poll::Ready(Ok(status));
            }
            this.registered = Some(sys::async_fd(pidfd.fd)?);
        }
        let fd = this.registered.as_ref().expect("registered above");
        loop {
            let mut guard = ready!(fd.poll_read_ready(cx))?;
            // Readiness that comes after this check is not cleared (tokio's readiness ticks),
            // so no wake-up between the check and `clear_ready` is lost.
            if let Some(status) = settled(exit_state(fd.get_ref().as_fd(), this.backend)?) {
                this.registered = None;
                return Poll::Ready(Ok(status));
            }
            guard.clear_ready();
        }
    }
}
