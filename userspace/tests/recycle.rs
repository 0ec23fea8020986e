// SPDX-License-Identifier: GPL-2.0
//! Pid recycling: once a process is reaped and its number goes to another process, a stale
//! pidfd or `/proc/<pid>` directory must give ESRCH, never the new process.
//!
//! Each test re-runs this binary in three stages: stage 0 (the test) starts stage 1, which
//! enters a new pid and mount namespace and starts stage 2, PID 1 of that namespace. Where a
//! new pid namespace cannot be had (not root; probed by a stage of its own before the tests
//! are listed) the tests are reported as ignored, with the reason. There, with procfs mounted
//! on `/proc` and `ns_last_pid` set, a new process can be given a chosen number again.

mod common;

use std::process::Command;

use common::*;
use pidfd_open::{Backend, PidFd};
use rustix::mount::{MountFlags, MountPropagationFlags};
use rustix::thread::UnshareFlags;

const STAGE_ENV: &str = "PIDFD_OPEN_RECYCLE_STAGE";
const BACKEND_ENV: &str = "PIDFD_OPEN_RECYCLE_BACKEND";
/// The number the victim and then the new process get.
const NR: u32 = 100;
const PASSED: &str = "recycle scenario passed";

backend_tests! {
    fn stale_pidfd_and_dir_after_pid_recycle_are_esrch(b: Backend) {
        let out = Command::new(std::env::current_exe().unwrap())
            .env(STAGE_ENV, "1")
            .env(BACKEND_ENV, name(b))
            .output()
            .expect("run stage 1");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "the test in a new pid namespace failed ({}); its output:\n{text}", out.status);
        assert!(text.contains(PASSED), "the test in a new pid namespace did not run to its end; its output:\n{text}");
    }
}

/// Why the tests cannot run here, if they cannot: stage `probe` tries to enter a new pid and
/// mount namespace, in a process of its own.
fn namespace_skip() -> Option<String> {
    if let Some(reason) = root_skip() {
        return Some(format!("{reason} (a new pid namespace)"));
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .env(STAGE_ENV, "probe")
        .output()
        .expect("run the probe stage");
    (!out.status.success()).then(|| {
        format!(
            "cannot enter a new pid and mount namespace: {}",
            String::from_utf8_lossy(&out.stdout).trim()
        )
    })
}

fn main() {
    match std::env::var(STAGE_ENV).as_deref() {
        Ok("probe") => probe(),
        Ok("1") => stage1(),
        Ok("2") => {
            stage2();
            std::process::exit(0)
        }
        _ => {}
    }
    let skip = namespace_skip();
    let tests = backend_tests()
        .into_iter()
        .map(|t| t.skip_if(skip.clone()))
        .collect();
    harness::run(tests);
}

/// Enters a new pid and mount namespace, and says whether it could (exit status 0).
fn probe() -> ! {
    let flags = UnshareFlags::NEWPID | UnshareFlags::NEWNS;
    // SAFETY: CLONE_NEWPID and CLONE_NEWNS change what this thread's children and path
    // lookups see, not which fds any thread can use (no CLONE_FILES).
    match unsafe { rustix::thread::unshare_unsafe(flags) } {
        Ok(()) => std::process::exit(0),
        Err(e) => {
            println!("unshare(CLONE_NEWPID | CLONE_NEWNS): {e}");
            std::process::exit(1)
        }
    }
}

/// Enters a new pid and mount namespace and runs stage 2 as its PID 1.
fn stage1() {
    let flags = UnshareFlags::NEWPID | UnshareFlags::NEWNS;
    // SAFETY: CLONE_NEWPID and CLONE_NEWNS change what this thread's children and path
    // lookups see, not which fds any thread can use (no CLONE_FILES).
    if let Err(e) = unsafe { rustix::thread::unshare_unsafe(flags) } {
        panic!("unshare(CLONE_NEWPID | CLONE_NEWNS): {e}");
    }
    rustix::mount::mount_change(
        "/",
        MountPropagationFlags::PRIVATE | MountPropagationFlags::REC,
    )
    .expect("make / private in the new mount namespace");
    let status = Command::new(std::env::current_exe().unwrap())
        .env(STAGE_ENV, "2")
        .status()
        .expect("run stage 2");
    std::process::exit(status.code().unwrap_or(1));
}

/// `sleep SECONDS` numbered `nr` in this namespace, through `ns_last_pid`, once it has
/// exec'd (`Command::spawn` returns when the exec has begun, before the new command line
/// is in place).
fn start_numbered(nr: u32, seconds: u32) -> Sleeper {
    if let Err(e) = std::fs::write("/proc/sys/kernel/ns_last_pid", (nr - 1).to_string()) {
        panic!("write /proc/sys/kernel/ns_last_pid: {e}");
    }
    let child = Sleeper::start_for(seconds);
    assert_eq!(
        child.pid(),
        nr,
        "ns_last_pid = {} gave another number",
        nr - 1
    );
    let dir = open_path(&format!("/proc/{nr}"), rustix::fs::OFlags::DIRECTORY);
    let want = format!("sleep {seconds} ");
    for _ in 0..500 {
        if cmdline(&dir) == want {
            return child;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!(
        "process {nr}: command line {:?}, not {want:?}, after 5 s",
        cmdline(&dir)
    );
}

/// The command line of the process whose `/proc` directory `dir` is.
fn cmdline(dir: impl std::os::fd::AsFd) -> String {
    ok("read cmdline", read_at(dir, "cmdline")).replace('\0', " ")
}

/// PID 1 of the new namespace: the scenario itself.
fn stage2() {
    assert_eq!(
        std::process::id(),
        1,
        "stage 2 is not PID 1 of a new pid namespace"
    );
    let b = match std::env::var(BACKEND_ENV).as_deref() {
        Ok("module") => Backend::Module,
        _ => Backend::Native,
    };
    rustix::mount::mount(
        "proc",
        "/proc",
        "proc",
        MountFlags::NOSUID | MountFlags::NODEV,
        None,
    )
    .expect("mount procfs of the new pid namespace on /proc");
    let root = proc_root();

    let mut victim = start_numbered(NR, 1000);
    let dir = open_path(&format!("/proc/{NR}"), rustix::fs::OFlags::DIRECTORY);
    let pidfd = ok("open the victim", PidFd::open_with(NR, b));
    let native = ok(
        "open the victim natively",
        PidFd::open_with(NR, Backend::Native),
    );
    let before = ok("to_proc_dir before", pidfd.to_proc_dir(&root));
    assert_eq!(
        cmdline(&before),
        "sleep 1000 ",
        "the victim's directory before the recycle"
    );
    ok("from_proc_dir before", PidFd::from_proc_dir_with(&dir, b));

    victim.kill_and_reap();
    let _recycled = start_numbered(NR, 1001);

    expect_errno(
        &format!("from_proc_dir(stale /proc/{NR}) ({b})"),
        PidFd::from_proc_dir_with(&dir, b),
        ESRCH,
    );
    expect_errno(
        &format!("to_proc_dir of the stale pidfd ({b})"),
        pidfd.to_proc_dir(&root),
        ESRCH,
    );
    expect_errno(
        &format!("stale native pidfd .to_proc_dir_with({b})"),
        native.to_proc_dir_with(&root, b),
        ESRCH,
    );
    expect_errno(
        &format!("info of the stale pidfd ({b})"),
        pidfd.info(),
        ESRCH,
    );
    expect_errno(
        &format!("send_signal(0) through the stale pidfd ({b})"),
        pidfd.send_signal(0),
        ESRCH,
    );

    // The number now leads to the new process.
    let fresh_dir = open_path(&format!("/proc/{NR}"), rustix::fs::OFlags::DIRECTORY);
    let fresh = ok(
        "from_proc_dir of the new /proc/100",
        PidFd::from_proc_dir_with(&fresh_dir, b),
    );
    let again = ok("to_proc_dir of the new process", fresh.to_proc_dir(&root));
    assert_eq!(
        cmdline(&again),
        "sleep 1001 ",
        "the new process's directory"
    );
    println!("{PASSED}");
}
