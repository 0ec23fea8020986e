// SPDX-License-Identifier: GPL-2.0
//! Thread pidfds (`OpenOptions::thread`, `PidFd::open_thread`) and nonblocking pidfds
//! (`OpenOptions::nonblocking`) on both backends: which threads open, what the fd shows in
//! `F_GETFL`, what `info` names, the thread's exit status, and its signal scopes (contract,
//! sections 4.1, 5.1, 5.2 and 9).

mod common;

use std::os::unix::process::ExitStatusExt;
use std::time::{Duration, Instant};

use common::*;
use pidfd_open::{Backend, PidFd, SignalScope};
use rustix::fs::OFlags;

const SIGKILL: i32 = 9;

/// `F_GETFL` of `pidfd`, read directly (not through the crate).
fn getfl(pidfd: &PidFd) -> OFlags {
    ok(
        "F_GETFL",
        rustix::fs::fcntl_getfl(pidfd).map_err(Into::into),
    )
}

/// A thread pidfd of `tid` with backend `b`.
#[track_caller]
fn open_thread(tid: u32, b: Backend) -> PidFd {
    ok(
        &format!("options().thread(true).backend({b}).open({tid})"),
        PidFd::options().thread(true).backend(b).open(tid),
    )
}

backend_tests! {
    fn non_leader_thread_opens_only_with_the_thread_flag(b: Backend) {
        let (tid, stop, handle) = start_thread();
        assert_ne!(tid, std::process::id(), "the thread's tid is the leader's");
        expect_errno(&format!("open_with(non-leader {tid}, {b}) without the thread flag"), PidFd::open_with(tid, b), ENOENT);
        let pidfd = open_thread(tid, b);
        assert_eq!(pidfd.backend(), b, "backend of {pidfd:?}");
        assert!(ok("is_thread", pidfd.is_thread()), "a thread pidfd without O_EXCL: {:?}", getfl(&pidfd));
        assert!(getfl(&pidfd).contains(OFlags::EXCL), "F_GETFL of a thread pidfd: {:?}", getfl(&pidfd));
        assert!(!ok("is_nonblocking", pidfd.is_nonblocking()), "a thread pidfd opened blocking is O_NONBLOCK");
        let info = ok(&format!("info of thread {tid} ({b})"), pidfd.info());
        assert_eq!(info.pid, tid, "info().pid of a thread pidfd: {info:?}");
        assert_eq!(info.tgid, std::process::id(), "info().tgid of a thread pidfd: {info:?}");
        end_thread(tid, stop, handle);
    }

    fn thread_pidfd_exits_with_its_thread_and_status_0(b: Backend) {
        let (tid, stop, handle) = start_thread();
        let pidfd = open_thread(tid, b);
        assert!(!ok("wait_exit(ZERO) of a running thread", pidfd.wait_exit(Some(Duration::ZERO))), "running thread reported exited");
        let status = ok("exit_status of a running thread", pidfd.exit_status());
        assert!(status.is_none(), "a running thread has exit status {status:?}");
        end_thread(tid, stop, handle);
        // The process runs on: only the thread has exited.
        assert!(ok("wait_exit(5 s) after the thread ended", pidfd.wait_exit(Some(Duration::from_secs(5)))), "thread pidfd not readable 5 s after its thread was released");
        let deadline = Instant::now() + Duration::from_secs(5);
        let status = loop {
            if let Some(status) = ok(&format!("exit_status of released thread {tid} ({b})"), pidfd.exit_status()) {
                break status;
            }
            assert!(Instant::now() < deadline, "no exit status of released thread {tid} ({b}) after 5 s");
            std::thread::sleep(Duration::from_millis(1));
        };
        assert_eq!(status.into_raw(), 0, "exit status of a thread that returned ({b}): {status:?}");
        // The thread is gone: nothing to signal, in any scope.
        expect_errno(&format!("thread-group signal 0 to released thread {tid} ({b})"), pidfd.send_signal_to(0, SignalScope::ThreadGroup), ESRCH);
    }

    fn thread_pidfd_signal_scopes(b: Backend) {
        let (tid, stop, handle) = start_thread();
        let pidfd = open_thread(tid, b);
        ok(&format!("thread-group signal 0 through thread {tid} ({b})"), pidfd.send_signal_to(0, SignalScope::ThreadGroup));
        // The scope is the process group that the pidfd's pid leads: a thread's leads none.
        expect_errno(&format!("process-group signal 0 through non-leader thread {tid} ({b})"), pidfd.send_signal_to(0, SignalScope::ProcessGroup), ESRCH);
        for (scope, result) in [
            (SignalScope::Thread, pidfd.send_signal_to(0, SignalScope::Thread)),
            (SignalScope::Default, pidfd.send_signal(0)),
        ] {
            let what = format!("{scope:?} scope signal 0 through thread {tid} ({b})");
            match b {
                Backend::Native => ok(&what, result),
                // No exported kernel function checks permission for one thread (contract, 9).
                Backend::Module => expect_errno(&what, result, EOPNOTSUPP),
            }
        }
        // What the module refuses, a native thread pidfd of the same thread does.
        let native = open_thread(tid, Backend::Native);
        ok("thread scope signal 0 through a native thread pidfd", native.send_signal_to(0, SignalScope::Thread));
        end_thread(tid, stop, handle);
    }

    fn leader_thread_pidfd_is_a_thread_pidfd_and_a_process_pidfd_is_not(b: Backend) {
        let me = std::process::id();
        let thread = ok("thread pidfd of the leader", PidFd::options().thread(true).nonblocking(true).backend(b).open(me));
        assert!(ok("is_thread", thread.is_thread()), "leader's thread pidfd: {:?}", getfl(&thread));
        assert!(ok("is_nonblocking", thread.is_nonblocking()), "leader's nonblocking thread pidfd: {:?}", getfl(&thread));
        assert_eq!(ok("info", thread.info()).pid, me);
        let process = ok("process pidfd of self", PidFd::open_with(me, b));
        assert!(!ok("is_thread", process.is_thread()), "a process pidfd with O_EXCL: {:?}", getfl(&process));
        ok("default scope signal 0 through a process pidfd", process.send_signal(0));
    }

    fn nonblocking_shows_in_f_getfl_and_changes_nothing_else(b: Backend) {
        let mut child = Sleeper::start();
        let pidfd = ok("nonblocking pidfd of a child", PidFd::options().nonblocking(true).backend(b).open(child.pid()));
        assert_eq!(pidfd.backend(), b);
        let flags = getfl(&pidfd);
        assert!(flags.contains(OFlags::NONBLOCK), "F_GETFL of a nonblocking pidfd: {flags:?}");
        assert!(!flags.contains(OFlags::EXCL), "a process pidfd with O_EXCL: {flags:?}");
        assert!(ok("is_nonblocking", pidfd.is_nonblocking()));
        assert!(!ok("is_thread", pidfd.is_thread()));
        let blocking = ok("blocking pidfd of the child", PidFd::open_with(child.pid(), b));
        assert!(!getfl(&blocking).contains(OFlags::NONBLOCK), "F_GETFL of a blocking pidfd: {:?}", getfl(&blocking));
        ok("signal 0", pidfd.send_signal(0));
        assert_eq!(ok("info", pidfd.info()).pid, child.pid());
        ok("SIGKILL", pidfd.send_signal(SIGKILL));
        assert!(ok("wait_exit(5 s)", pidfd.wait_exit(Some(Duration::from_secs(5)))), "killed child not exited within 5 s");
        let status = ok("exit_status of a zombie child", pidfd.exit_status());
        assert_eq!(status.and_then(|s| s.signal()), Some(SIGKILL), "exit status through a nonblocking pidfd: {status:?}");
        child.kill_and_reap();
    }

    fn released_thread_is_esrch_with_the_thread_flag(b: Backend) {
        let (tid, stop, handle) = start_thread();
        end_thread(tid, stop, handle);
        expect_errno(&format!("thread pidfd of released thread {tid} ({b})"), PidFd::options().thread(true).backend(b).open(tid), ESRCH);
    }
}

/// `PidFd::open_thread` is `options().thread(true).open`, on the detected backend.
fn open_thread_opens_a_thread_pidfd_on_the_detected_backend() {
    let (tid, stop, handle) = start_thread();
    let pidfd = ok(&format!("open_thread({tid})"), PidFd::open_thread(tid));
    assert!(ok("is_thread", pidfd.is_thread()));
    assert_eq!(pidfd.backend(), Backend::detect(), "backend of {pidfd:?}");
    assert_eq!(ok("info", pidfd.info()).pid, tid);
    end_thread(tid, stop, handle);
}

fn main() {
    let mut tests = backend_tests();
    tests.push(Test::new(
        "open_thread_opens_a_thread_pidfd_on_the_detected_backend",
        open_thread_opens_a_thread_pidfd_on_the_detected_backend,
    ));
    harness::run(tests);
}
