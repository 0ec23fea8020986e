// SPDX-License-Identifier: GPL-2.0
//! `PidFd::open`: which pids open, the errno of those that do not, and what the fd is.

mod common;

use std::os::fd::{AsFd, OwnedFd};

use common::*;
use pidfd_open::{Backend, PidFd};
use rustix::io::FdFlags;

backend_tests! {
    fn open_self_gives_own_pid(b: Backend) {
        let me = std::process::id();
        let pidfd = ok(&format!("open_with(self {me}, {b})"), PidFd::open_with(me, b));
        assert_eq!(pidfd.backend(), b, "backend of {pidfd:?}");
        let info = ok(&format!("info of self ({b})"), pidfd.info());
        assert_eq!(info.pid, me, "info().pid of self: {info:?}");
        assert_eq!(info.tgid, me, "info().tgid of self: {info:?}");
        assert_eq!(info.ruid, rustix::process::getuid().as_raw(), "ruid: {info:?}");
        assert_eq!(info.egid, rustix::process::getegid().as_raw(), "egid: {info:?}");
    }

    fn open_child_gives_its_pid_and_parent(b: Backend) {
        let child = Sleeper::start();
        let pidfd = ok(&format!("open_with(child {}, {b})", child.pid()), PidFd::open_with(child.pid(), b));
        let info = ok("info of child", pidfd.info());
        assert_eq!(info.pid, child.pid(), "info().pid of child: {info:?}");
        assert_eq!(info.ppid, std::process::id(), "info().ppid of child: {info:?}");
        ok("send_signal(0) to a live child", pidfd.send_signal(0));
    }

    fn open_zombie_succeeds(b: Backend) {
        let mut child = Sleeper::start();
        child.kill();
        let pidfd = ok("open a killed child", PidFd::open_with(child.pid(), b));
        assert!(ok("wait_exit", pidfd.wait_exit(None)), "wait_exit(None) returned false");
        // A zombie is not reaped: it still answers.
        let info = ok("info of a zombie", pidfd.info());
        assert_eq!(info.pid, child.pid(), "info().pid of zombie: {info:?}");
        let pidfd2 = ok("open the zombie again", PidFd::open_with(child.pid(), b));
        assert!(ok("wait_exit(ZERO)", pidfd2.wait_exit(Some(std::time::Duration::ZERO))));
    }

    fn open_of_zero_or_a_pid_above_i32_max_is_einval(b: Backend) {
        for pid in [0, u32::MAX, 1 << 31] {
            expect_errno(&format!("open_with({pid}, {b})"), PidFd::open_with(pid, b), EINVAL);
        }
    }

    fn open_unused_pid_is_esrch(b: Backend) {
        let pid = unused_pid();
        expect_errno(&format!("open_with(unused {pid}, {b})"), PidFd::open_with(pid, b), ESRCH);
    }

    fn open_reaped_child_is_esrch(b: Backend) {
        let mut child = Sleeper::start();
        let pid = child.pid();
        child.kill_and_reap();
        expect_errno(&format!("open_with(reaped {pid}, {b})"), PidFd::open_with(pid, b), ESRCH);
    }

    fn open_non_leader_thread_is_enoent(b: Backend) {
        let (tid, stop, handle) = start_thread();
        assert_ne!(tid, std::process::id(), "the thread's tid is the leader's");
        let result = PidFd::open_with(tid, b);
        drop(stop);
        handle.join().unwrap();
        expect_errno(&format!("open_with(thread {tid}, {b})"), result, ENOENT);
    }

    fn opened_fd_is_cloexec_and_survives_clone(b: Backend) {
        let child = Sleeper::start();
        let pidfd = ok("open child", PidFd::open_with(child.pid(), b));
        let flags = ok("F_GETFD", rustix::io::fcntl_getfd(&pidfd).map_err(Into::into));
        assert!(flags.contains(FdFlags::CLOEXEC), "pidfd {pidfd:?} lacks FD_CLOEXEC: {flags:?}");
        let copy = ok("try_clone", pidfd.try_clone());
        assert_eq!(copy.backend(), b);
        let copy_flags = ok("F_GETFD of copy", rustix::io::fcntl_getfd(&copy).map_err(Into::into));
        assert!(copy_flags.contains(FdFlags::CLOEXEC), "clone {copy:?} lacks FD_CLOEXEC");
        drop(pidfd);
        assert_eq!(ok("info through the copy", copy.info()).pid, child.pid());
    }

    fn owned_fd_round_trip_keeps_backend(b: Backend) {
        let child = Sleeper::start();
        let pidfd = ok("open child", PidFd::open_with(child.pid(), b));
        let fd: OwnedFd = pidfd.into();
        let back = ok("PidFd::try_from(OwnedFd)", PidFd::try_from(fd));
        assert_eq!(back.backend(), b, "try_from classified {back:?}");
        assert_eq!(ok("info after round trip", back.info()).pid, child.pid());
    }
}

fn try_from_rejects_files_that_are_not_pidfds() {
    let file: OwnedFd = std::fs::File::open("/proc/self/stat").unwrap().into();
    expect_errno(
        "PidFd::try_from(a procfs file)",
        PidFd::try_from(file),
        EINVAL,
    );
    let (r, _w) = rustix::pipe::pipe().unwrap();
    expect_errno("PidFd::try_from(a pipe)", PidFd::try_from(r), EINVAL);
    let path = open_path("/proc", rustix::fs::OFlags::PATH);
    expect_errno(
        "PidFd::try_from(an O_PATH fd)",
        PidFd::try_from(path),
        EBADF,
    );
}

fn detect_matches_device() {
    let opens = std::fs::File::options()
        .read(true)
        .write(true)
        .open(pidfd_open::DEVICE_PATH)
        .is_ok();
    let expected = if opens {
        Backend::Module
    } else {
        Backend::Native
    };
    assert_eq!(Backend::detect(), expected, "device opens: {opens}");
    let me = std::process::id();
    let pidfd = ok("PidFd::open(self)", PidFd::open(me));
    assert_eq!(pidfd.backend(), expected, "PidFd::open picked {pidfd:?}");
    let _ = pidfd.as_fd();
}

fn from_child_gives_the_childs_pidfd_and_esrch_once_it_is_reaped() {
    let mut sleeper = Sleeper::start();
    let pidfd = ok("PidFd::from_child", PidFd::from_child(&sleeper.child));
    assert_eq!(pidfd.backend(), Backend::detect(), "{pidfd:?}");
    let info = ok("info", pidfd.info());
    assert_eq!(
        (info.pid, info.ppid),
        (sleeper.pid(), std::process::id()),
        "{info:?}"
    );
    sleeper.kill_and_reap();
    expect_errno(
        "PidFd::from_child of a reaped child",
        PidFd::from_child(&sleeper.child),
        ESRCH,
    );
}

fn backend_parses_from_its_name() {
    for b in [Backend::Module, Backend::Native] {
        assert_eq!(b.to_string().parse::<Backend>(), Ok(b));
    }
    assert_eq!("native".parse::<Backend>(), Ok(Backend::Native));
    assert_eq!("module".parse::<Backend>(), Ok(Backend::Module));
    let err = "Module".parse::<Backend>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown backend 'Module' (module or native)"
    );
}

fn main() {
    let mut tests = backend_tests();
    tests.push(Test::new(
        "try_from_rejects_files_that_are_not_pidfds",
        try_from_rejects_files_that_are_not_pidfds,
    ));
    tests.push(Test::new("detect_matches_device", detect_matches_device));
    tests.push(Test::new(
        "from_child_gives_the_childs_pidfd_and_esrch_once_it_is_reaped",
        from_child_gives_the_childs_pidfd_and_esrch_once_it_is_reaped,
    ));
    tests.push(Test::new(
        "backend_parses_from_its_name",
        backend_parses_from_its_name,
    ));
    harness::run(tests);
}
