// SPDX-License-Identifier: GPL-2.0
//! `to_proc_dir` and `from_proc_dir`: identity of the translations, the fds they take and
//! refuse, and their answers once the process is gone.

mod common;

use std::os::fd::{AsFd, OwnedFd};

use common::*;
use pidfd_open::{Backend, PidFd};
use rustix::fs::{Mode, OFlags};
use rustix::io::FdFlags;

/// `/proc/<pid>` opened as the module opens it.
fn open_pid_dir(pid: u32) -> OwnedFd {
    open_path(&format!("/proc/{pid}"), OFlags::DIRECTORY)
}

/// Asserts that `dir` is `/proc/<pid>` opened `O_RDONLY | O_DIRECTORY | O_CLOEXEC`.
#[track_caller]
fn assert_pid_dir(what: &str, dir: &OwnedFd, pid: u32) {
    assert_eq!(
        stat_pid(dir),
        pid,
        "{what}: the directory's stat names another process"
    );
    let fd_flags = ok("F_GETFD", rustix::io::fcntl_getfd(dir).map_err(Into::into));
    assert!(
        fd_flags.contains(FdFlags::CLOEXEC),
        "{what}: no FD_CLOEXEC ({fd_flags:?})"
    );
    let reference = open_pid_dir(pid);
    let strip = |f: OFlags| f - OFlags::LARGEFILE;
    let got = strip(ok(
        "F_GETFL",
        rustix::fs::fcntl_getfl(dir).map_err(Into::into),
    ));
    let want = strip(ok(
        "F_GETFL",
        rustix::fs::fcntl_getfl(&reference).map_err(Into::into),
    ));
    assert_eq!(
        got, want,
        "{what}: F_GETFL differs from open(/proc/{pid}, O_RDONLY|O_DIRECTORY)"
    );
}

backend_tests! {
    fn to_proc_dir_of_an_overmounted_entry_is_exdev(b: Backend) {
        use rustix::mount::{mount_bind, unmount, UnmountFlags};

        let victim = Sleeper::start();
        let other = Sleeper::start();
        let pidfd = ok("open victim", PidFd::open_with(victim.pid(), b));
        in_private_mounts(|| {
            let target = format!("/proc/{}", victim.pid());
            let source = format!("/proc/{}", other.pid());
            ok(&format!("bind {source} onto {target}"), mount_bind(&source, &target).map_err(Into::into));
            let seen = stat_pid(open_path(&target, OFlags::DIRECTORY));
            assert_eq!(seen, other.pid(), "{target} shows process {seen}: the bind mount is not in effect");
            expect_errno(
                &format!("to_proc_dir of victim {} under a bind of {source} ({b})", victim.pid()),
                pidfd.to_proc_dir(proc_root()),
                EXDEV,
            );
            ok(&format!("umount {target}"), unmount(&target, UnmountFlags::empty()).map_err(Into::into));
            let what = format!("to_proc_dir of victim {} after the umount ({b})", victim.pid());
            let dir = ok(&what, pidfd.to_proc_dir(proc_root()));
            assert_pid_dir(&what, &dir, victim.pid());
        });
    }

    fn to_proc_dir_gives_the_processes_dir(b: Backend) {
        let child = Sleeper::start();
        let pidfd = ok("open child", PidFd::open_with(child.pid(), b));
        let dir = ok(&format!("to_proc_dir of child {} ({b})", child.pid()), pidfd.to_proc_dir(proc_root()));
        assert_pid_dir(&format!("to_proc_dir of child {} ({b})", child.pid()), &dir, child.pid());
    }

    fn from_proc_dir_gives_the_dirs_process(b: Backend) {
        let child = Sleeper::start();
        let dir = open_pid_dir(child.pid());
        let pidfd = ok(&format!("from_proc_dir(/proc/{}) ({b})", child.pid()), PidFd::from_proc_dir_with(&dir, b));
        assert_eq!(pidfd.backend(), b);
        let info = ok("info", pidfd.info());
        assert_eq!(info.pid, child.pid(), "from_proc_dir(/proc/{}) gave {info:?}", child.pid());
        let flags = ok("F_GETFD", rustix::io::fcntl_getfd(&pidfd).map_err(Into::into));
        assert!(flags.contains(FdFlags::CLOEXEC), "pidfd {pidfd:?} lacks FD_CLOEXEC");
    }

    fn translations_round_trip(b: Backend) {
        let child = Sleeper::start();
        let pidfd = ok("open child", PidFd::open_with(child.pid(), b));
        let dir = ok("to_proc_dir", pidfd.to_proc_dir(proc_root()));
        let back = ok("from_proc_dir(to_proc_dir(pidfd))", PidFd::from_proc_dir_with(&dir, b));
        assert_eq!(ok("info", back.info()), ok("info", pidfd.info()), "round trip changed the process");
        let dir2 = ok("to_proc_dir of the round-tripped pidfd", back.to_proc_dir(proc_root()));
        assert_pid_dir("second to_proc_dir", &dir2, child.pid());
    }

    fn from_proc_dir_of_proc_self_is_the_caller(b: Backend) {
        let dir = open_path("/proc/self", OFlags::DIRECTORY);
        let pidfd = ok("from_proc_dir(/proc/self)", PidFd::from_proc_dir_with(&dir, b));
        assert_eq!(ok("info", pidfd.info()).pid, std::process::id());
    }

    fn zombie_translates_both_ways(b: Backend) {
        let mut child = Sleeper::start();
        let dir = open_pid_dir(child.pid());
        let pidfd = ok("open child", PidFd::open_with(child.pid(), b));
        child.kill();
        assert!(ok("wait_exit", pidfd.wait_exit(None)), "killed child did not exit");
        let dir2 = ok("to_proc_dir of a zombie", pidfd.to_proc_dir(proc_root()));
        assert_eq!(stat_pid(&dir2), child.pid(), "zombie's directory");
        let pidfd2 = ok("from_proc_dir of a zombie's dir", PidFd::from_proc_dir_with(&dir, b));
        assert_eq!(ok("info of zombie", pidfd2.info()).pid, child.pid());
    }

    fn translations_take_the_other_kind_of_pidfd(b: Backend) {
        let child = Sleeper::start();
        // A native pidfd through this backend, and this backend's pidfd through the idiom.
        let native = ok("open native", PidFd::open_with(child.pid(), Backend::Native));
        let dir = ok(&format!("native pidfd .to_proc_dir_with({b})"), native.to_proc_dir_with(proc_root(), b));
        assert_pid_dir("native pidfd translated", &dir, child.pid());
        let own = ok("open", PidFd::open_with(child.pid(), b));
        let dir = ok(&format!("{b} pidfd .to_proc_dir_with(native)"), own.to_proc_dir_with(proc_root(), Backend::Native));
        assert_pid_dir(&format!("{b} pidfd translated natively"), &dir, child.pid());
    }

    fn to_proc_dir_of_reaped_process_is_esrch(b: Backend) {
        let mut child = Sleeper::start();
        let pidfd = ok("open child", PidFd::open_with(child.pid(), b));
        child.kill_and_reap();
        expect_errno(&format!("to_proc_dir of reaped {} ({b})", child.pid()), pidfd.to_proc_dir(proc_root()), ESRCH);
        expect_errno("to_proc_dir_with(native) of reaped", pidfd.to_proc_dir_with(proc_root(), Backend::Native), ESRCH);
    }

    fn from_proc_dir_of_reaped_process_is_esrch(b: Backend) {
        let mut child = Sleeper::start();
        let dir = open_pid_dir(child.pid());
        child.kill_and_reap();
        expect_errno(&format!("from_proc_dir(stale /proc/{}) ({b})", child.pid()), PidFd::from_proc_dir_with(&dir, b), ESRCH);
    }

    fn from_proc_dir_refuses_non_pid_dirs_of_a_reaped_process(b: Backend) {
        let mut child = Sleeper::start();
        let pid = child.pid();
        let task = open_path(&format!("/proc/{pid}/task/{pid}"), OFlags::DIRECTORY);
        let fdinfo = open_path(&format!("/proc/{pid}/fdinfo"), OFlags::DIRECTORY);
        child.kill_and_reap();
        // The kind of directory is checked before whether its process was reaped.
        expect_errno(&format!("from_proc_dir(reaped /proc/{pid}/task/{pid}) ({b})"), PidFd::from_proc_dir_with(&task, b), EBADF);
        expect_errno(&format!("from_proc_dir(reaped /proc/{pid}/fdinfo) ({b})"), PidFd::from_proc_dir_with(&fdinfo, b), EBADF);
    }

    fn from_proc_dir_of_non_leader_thread_is_enoent(b: Backend) {
        let (tid, stop, handle) = start_thread();
        let dir = open_pid_dir(tid);
        let result = PidFd::from_proc_dir_with(&dir, b);
        drop(stop);
        handle.join().unwrap();
        expect_errno(&format!("from_proc_dir(/proc/{tid}), a non-leader thread ({b})"), result, ENOENT);
    }

    fn to_proc_dir_refuses_what_is_not_a_proc_root(b: Backend) {
        let pidfd = ok("open self", PidFd::open_with(std::process::id(), b));
        let cases = [
            ("/proc/self", OFlags::DIRECTORY),
            ("/proc/self/task", OFlags::DIRECTORY),
            ("/proc/sys", OFlags::DIRECTORY),
            ("/proc/self/stat", OFlags::empty()),
            ("/", OFlags::DIRECTORY),
            ("/dev/null", OFlags::empty()),
        ];
        for (path, flags) in cases {
            let fd = open_path(path, flags);
            expect_errno(&format!("to_proc_dir({path}) ({b})"), pidfd.to_proc_dir(&fd), EINVAL);
        }
        let (r, _w) = rustix::pipe::pipe().unwrap();
        expect_errno(&format!("to_proc_dir(a pipe) ({b})"), pidfd.to_proc_dir(&r), EINVAL);
        let o_path = open_path("/proc", OFlags::PATH | OFlags::DIRECTORY);
        expect_errno(&format!("to_proc_dir(O_PATH /proc) ({b})"), pidfd.to_proc_dir(&o_path), EBADF);
    }

    fn from_proc_dir_refuses_what_is_not_a_pid_dir(b: Backend) {
        let me = std::process::id();
        let tmp = std::env::temp_dir().join(format!("pidfd-open-test-{me}-{}", name(b)));
        std::fs::write(&tmp, b"x").unwrap();
        let cases = [
            ("/proc".to_string(), OFlags::DIRECTORY),
            (format!("/proc/{me}/task/{me}"), OFlags::DIRECTORY),
            (format!("/proc/{me}/stat"), OFlags::empty()),
            (format!("/proc/{me}/fdinfo"), OFlags::DIRECTORY),
            ("/proc/sys".to_string(), OFlags::DIRECTORY),
            ("/proc/thread-self".to_string(), OFlags::DIRECTORY),
            ("/".to_string(), OFlags::DIRECTORY),
            (tmp.to_str().unwrap().to_string(), OFlags::empty()),
            ("/dev/null".to_string(), OFlags::empty()),
        ];
        for (path, flags) in &cases {
            let fd = open_path(path, *flags);
            expect_errno(&format!("from_proc_dir({path}) ({b})"), PidFd::from_proc_dir_with(&fd, b), EBADF);
        }
        std::fs::remove_file(&tmp).unwrap();
        let o_path = open_path(&format!("/proc/{me}"), OFlags::PATH | OFlags::DIRECTORY);
        expect_errno(&format!("from_proc_dir(O_PATH /proc/{me}) ({b})"), PidFd::from_proc_dir_with(&o_path, b), EBADF);
        let pidfd = ok("open self", PidFd::open_with(me, b));
        expect_errno(&format!("from_proc_dir(a pidfd) ({b})"), PidFd::from_proc_dir_with(pidfd.as_fd(), b), EBADF);
    }
}

fn from_proc_dir_picks_the_detected_backend() {
    let dir = rustix::fs::open(
        "/proc/self",
        OFlags::RDONLY | OFlags::DIRECTORY,
        Mode::empty(),
    )
    .unwrap();
    let pidfd = ok(
        "PidFd::from_proc_dir(/proc/self)",
        PidFd::from_proc_dir(&dir),
    );
    assert_eq!(pidfd.backend(), Backend::detect(), "{pidfd:?}");
}

fn main() {
    let mut tests = backend_tests();
    tests.push(Test::new(
        "from_proc_dir_picks_the_detected_backend",
        from_proc_dir_picks_the_detected_backend,
    ));
    harness::run(tests);
}
