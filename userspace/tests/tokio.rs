// SPDX-License-Identifier: GPL-2.0
//! The async waits on tokio's reactor (feature `tokio`): `PidFd::into_exit()`, the owned
//! future of the exit status, and `PidFd::exited()`. Each test runs on the current-thread and
//! on the multi-thread runtime.

mod common;

use std::future::Future;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitStatus, Stdio};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use common::*;
use pidfd_open::{Backend, Exit, PidFd};

/// The environment variable that makes this binary the middle process of
/// `exit_of_another_processes_child_comes_at_its_reap`.
const MIDDLE_ENV: &str = "PIDFD_OPEN_TOKIO_MIDDLE";
/// The environment variable that makes this binary count its fds for
/// `pending_exits_hold_one_fd_each` (`module` or `native`): alone in its process, so no other
/// test opens or closes fds meanwhile.
const FDS_ENV: &str = "PIDFD_OPEN_TOKIO_FDS";

const SIGKILL: i32 = 9;

/// Both runtimes, with what they are called in messages.
fn runtimes() -> [(&'static str, tokio::runtime::Runtime); 2] {
    let current = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .expect("current-thread runtime");
    let multi = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .enable_time()
        .build()
        .expect("multi-thread runtime");
    [("current-thread", current), ("multi-thread", multi)]
}

/// `sh -c SCRIPT`, a child of this process.
fn sh(script: &str) -> std::process::Child {
    Command::new("sh")
        .args(["-c", script])
        .stdin(Stdio::null())
        .spawn()
        .expect("spawn sh")
}

/// Whether the kernel (or module) of backend `b` records the exit status of a reaped
/// process: natively Linux 6.15 and later (`PIDFD_INFO_EXIT`); the module where it takes the
/// 88-byte `PIDFD_IOC_GET_INFO` (a module built against the first header fails that size with
/// `ENOTTY`).
fn records_exit_status(b: Backend) -> bool {
    match b {
        Backend::Native => {
            let uname = rustix::system::uname();
            let release = uname.release().to_string_lossy().into_owned();
            let mut numbers = release
                .split(|c: char| !c.is_ascii_digit())
                .map(|n| n.parse::<u32>().unwrap_or(0));
            let version = (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0));
            version >= (6, 15)
        }
        Backend::Module => supported_mask(b).is_some(),
    }
}

/// Whether the kernel (or module) of backend `b` says that it records exit statuses, in
/// `PIDFD_INFO_SUPPORTED_MASK` (Linux 6.18 does not report the mask; 7.3 does).
fn announces_exit_status(b: Backend) -> bool {
    supported_mask(b).is_some_and(|m| m & pidfd_open::uapi::PIDFD_INFO_EXIT != 0)
}

/// The `PIDFD_INFO_SUPPORTED_MASK` answer of backend `b` for a pidfd of this process at 88
/// bytes: `Some(0)` when it reports no mask, `None` when the size is refused (`ENOTTY`: a
/// module built against the first header).
fn supported_mask(b: Backend) -> Option<u64> {
    use pidfd_open::uapi::{self, PidfdOpenInfo};
    use rustix::ioctl::{ioctl, Updater};

    let me = ok("open self", PidFd::open_with(std::process::id(), b));
    let mut info = PidfdOpenInfo {
        mask: uapi::PIDFD_INFO_SUPPORTED_MASK,
        ..PidfdOpenInfo::default()
    };
    let answered = match b {
        Backend::Native => {
            // SAFETY: `PIDFD_GET_INFO` is `_IOWR(0xFF, 11)` with the size of `PidfdOpenInfo`.
            let u = unsafe { Updater::<{ uapi::PIDFD_GET_INFO }, PidfdOpenInfo>::new(&mut info) };
            // SAFETY: `u` pairs the number with the value it announces.
            unsafe { ioctl(&me, u) }
        }
        Backend::Module => {
            // SAFETY: `PIDFD_IOC_GET_INFO` is `_IOWR(0xB9, 3)` with the size of
            // `PidfdOpenInfo`.
            let u =
                unsafe { Updater::<{ uapi::PIDFD_IOC_GET_INFO }, PidfdOpenInfo>::new(&mut info) };
            // SAFETY: `u` pairs the number with the value it announces.
            unsafe { ioctl(&me, u) }
        }
    };
    match answered {
        Ok(()) if info.mask & uapi::PIDFD_INFO_SUPPORTED_MASK != 0 => Some(info.supported_mask),
        Ok(()) => Some(0),
        Err(rustix::io::Errno::NOTTY) => None,
        Err(e) => panic!("PIDFD_GET_INFO (supported mask) of self ({b}): {e}"),
    }
}

/// Polls `fut` once with a waker that does nothing, outside any runtime.
fn poll_once<F: Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
    std::pin::Pin::new(fut).poll(&mut Context::from_waker(Waker::noop()))
}

/// A compile-time check: `T` is `Send` and `'static`, as `tokio::spawn` needs.
fn assert_send_static<T: Send + 'static>(_: &T) {}

#[track_caller]
fn assert_code(what: &str, got: std::io::Result<Option<ExitStatus>>, code: i32) {
    let status = ok(what, got);
    assert_eq!(
        status.map(|s| s.code()),
        Some(Some(code)),
        "{what}: expected exit code {code}, got {status:?}"
    );
}

backend_tests! {
    fn into_exit_of_a_child_gives_its_exit_code_and_reaps_nothing(b: Backend) {
        for (flavor, rt) in runtimes() {
            let mut child = sh("sleep 0.2; exit 7");
            let exit = ok("open child", PidFd::open_with(child.id(), b)).into_exit();
            assert_send_static(&exit);
            let start = Instant::now();
            let got = rt.block_on(async { tokio::spawn(exit).await.expect("the task") });
            assert_code(&format!("into_exit() of `exit 7` ({b}, {flavor})"), got, 7);
            assert!(start.elapsed() >= Duration::from_millis(150), "resolved after {:?}, before the exit", start.elapsed());
            // A zombie still: the future reaped nothing, the parent reaps.
            let status = child.wait().expect("wait for the child");
            assert_eq!(status.code(), Some(7), "the parent's wait ({flavor}): {status:?}");
        }
    }

    fn into_exit_of_a_killed_child_gives_the_signal(b: Backend) {
        for (flavor, rt) in runtimes() {
            let mut child = Sleeper::start();
            let pidfd = ok("open child", PidFd::open_with(child.pid(), b));
            let killer = ok("try_clone", pidfd.try_clone());
            let got = rt.block_on(async {
                let exit = tokio::spawn(pidfd.into_exit());
                tokio::time::sleep(Duration::from_millis(50)).await;
                assert!(!exit.is_finished(), "into_exit() resolved for a live child ({flavor})");
                ok("SIGKILL", killer.send_signal(SIGKILL));
                tokio::time::timeout(Duration::from_secs(5), exit).await.expect("into_exit() hung").expect("the task")
            });
            let status = ok(&format!("into_exit() of a killed child ({b}, {flavor})"), got);
            let status = status.unwrap_or_else(|| panic!("no exit status for a killed child ({b}, {flavor})"));
            assert_eq!((status.signal(), status.code(), status.core_dumped()), (Some(SIGKILL), None, false), "{status:?}");
            child.kill_and_reap();
        }
    }

    fn into_exit_of_an_exited_process_resolves_on_the_first_poll_without_a_runtime(b: Backend) {
        // A zombie child: its status through waitid(WNOWAIT).
        let mut child = sh("exit 3");
        let pidfd = ok("open child", PidFd::open_with(child.id(), b));
        assert!(ok("wait_exit", pidfd.wait_exit(Some(Duration::from_secs(5)))), "`exit 3` did not exit");
        let mut exit = pidfd.into_exit();
        // Outside a runtime, registering with the reactor would panic: the fast path does not.
        match poll_once(&mut exit) {
            Poll::Ready(got) => assert_code(&format!("first poll, zombie ({b})"), got, 3),
            Poll::Pending => panic!("the first poll of an exited child's into_exit() is pending ({b})"),
        }
        // Reaped: the kernel's recorded status, where it records one.
        let mut child2 = sh("exit 4");
        let pidfd = ok("open child", PidFd::open_with(child2.id(), b));
        assert_eq!(child2.wait().expect("wait").code(), Some(4));
        let mut exit = pidfd.into_exit();
        let got = match poll_once(&mut exit) {
            Poll::Ready(got) => ok(&format!("first poll, reaped ({b})"), got),
            Poll::Pending => panic!("the first poll of a reaped child's into_exit() is pending ({b})"),
        };
        let want = records_exit_status(b).then_some(Some(4));
        assert_eq!(got.map(|s| s.code()), want, "into_exit() of a reaped `exit 4` ({b}); records exit statuses: {}", want.is_some());
        assert_eq!(child.wait().expect("wait").code(), Some(3));
    }

    fn exit_status_is_none_while_running_then_the_childs(b: Backend) {
        let mut child = Sleeper::start();
        let pidfd = ok("open child", PidFd::open_with(child.pid(), b));
        assert_eq!(ok("exit_status() of a live child", pidfd.exit_status()), None);
        child.kill();
        assert!(ok("wait_exit", pidfd.wait_exit(Some(Duration::from_secs(5)))));
        let status = ok("exit_status() of a zombie child", pidfd.exit_status());
        assert_eq!(status.and_then(|s| s.signal()), Some(SIGKILL), "{status:?}");
    }

    fn exit_of_another_processes_child_comes_at_its_reap(b: Backend) {
        // This binary as the middle process: it starts `sh -c 'exit 9'`, prints its pid,
        // and reaps it only when told to, on stdin.
        let mut middle = Command::new(std::env::current_exe().unwrap())
            .env(MIDDLE_ENV, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the middle process");
        let mut line = String::new();
        BufReader::new(middle.stdout.take().unwrap()).read_line(&mut line).expect("read the grandchild's pid");
        let pid: u32 = line.trim().parse().unwrap_or_else(|_| panic!("middle said {line:?}"));
        let pidfd = ok("open the grandchild", PidFd::open_with(pid, b));
        assert!(ok("wait_exit", pidfd.wait_exit(Some(Duration::from_secs(5)))), "the grandchild did not exit");
        // A zombie of another process: no status yet, waitid is not the caller's to use.
        assert_eq!(ok("exit_status() of another's zombie", pidfd.exit_status()), None);
        // Where the kernel says it will record the status, the future waits for the reap;
        // elsewhere it resolves at the exit, with no status.
        let records = announces_exit_status(b);
        let (flavor, rt) = runtimes().into_iter().nth(1).unwrap();
        let got = rt.block_on(async {
            let exit = tokio::spawn(pidfd.into_exit());
            tokio::time::sleep(Duration::from_millis(200)).await;
            assert_eq!(exit.is_finished(), !records, "into_exit() of an unreaped zombie of another process resolved before its reap ({b}, {flavor}): announces exit statuses: {records}");
            let mut stdin = middle.stdin.take().unwrap();
            stdin.write_all(b"reap\n").expect("tell the middle process to reap");
            tokio::time::timeout(Duration::from_secs(5), exit).await.expect("into_exit() hung after the reap").expect("the task")
        });
        let got = ok(&format!("into_exit() of another's child ({b})"), got);
        let want = records.then_some(Some(9));
        assert_eq!(got.map(|s| s.code()), want, "({b}); announces exit statuses: {records}");
        assert_eq!(middle.wait().expect("wait for the middle process").code(), Some(0));
    }

    fn many_exits_wait_at_once_each_with_its_own_status(b: Backend) {
        const N: usize = 50;
        for (flavor, rt) in runtimes() {
            let mut children: Vec<Sleeper> = (0..N).map(|_| Sleeper::start()).collect();
            let pidfds: Vec<PidFd> = children.iter().map(|c| ok("open", PidFd::open_with(c.pid(), b))).collect();
            let got = rt.block_on(async {
                let exits: Vec<tokio::task::JoinHandle<_>> = pidfds.into_iter().map(|p| tokio::spawn(p.into_exit())).collect();
                tokio::time::sleep(Duration::from_millis(100)).await;
                assert!(exits.iter().all(|e| !e.is_finished()), "an exit resolved for a live child ({flavor})");
                for (i, c) in children.iter_mut().enumerate() {
                    // Each its own signal: each status must be its own process's.
                    let sig = if i % 2 == 0 { SIGKILL } else { 15 };
                    ok("signal", PidFd::open_with(c.pid(), Backend::Native).and_then(|p| p.send_signal(sig)));
                }
                let mut statuses = Vec::new();
                for e in exits {
                    statuses.push(tokio::time::timeout(Duration::from_secs(10), e).await.expect("an exit hung").expect("the task"));
                }
                statuses
            });
            for (i, status) in got.into_iter().enumerate() {
                let status = ok(&format!("exit {i} ({b}, {flavor})"), status);
                let want = if i % 2 == 0 { SIGKILL } else { 15 };
                assert_eq!(status.and_then(|s| s.signal()), Some(want), "exit {i} ({b}, {flavor}): {status:?}");
            }
        }
    }

    fn pending_exits_hold_one_fd_each(b: Backend) {
        let out = Command::new(std::env::current_exe().unwrap())
            .env(FDS_ENV, b.to_string())
            .output()
            .expect("run the fd-counting process");
        assert!(
            out.status.success(),
            "the fd-counting process ({b}) failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn exited_waits_for_the_process(b: Backend) {
        for (flavor, rt) in runtimes() {
            let mut child = Sleeper::start();
            let pidfd = ok("open child", PidFd::open_with(child.pid(), b));
            rt.block_on(async {
                // Still running: exited() does not complete.
                let early = tokio::time::timeout(Duration::from_millis(100), pidfd.exited()).await;
                assert!(early.is_err(), "exited() completed for a live child ({flavor}): {early:?}");
                // Two concurrent waits, each on its own registration, both see the exit.
                let (a, b2, ()) = tokio::join!(pidfd.exited(), pidfd.exited(), async {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    pidfd.send_signal(SIGKILL).expect("SIGKILL");
                });
                ok("exited() (first)", a);
                ok("exited() (second)", b2);
                // A zombie: exited() completes at once.
                ok("exited() of a zombie", pidfd.exited().await);
            });
            child.kill_and_reap();
            rt.block_on(async {
                let r = tokio::time::timeout(Duration::from_secs(5), pidfd.exited()).await;
                ok("exited() of a reaped process", r.expect("exited() of a reaped process hung"));
            });
        }
    }
}

/// The middle process: starts `sh -c 'exit 9'`, prints its pid, waits for a line on stdin,
/// then reaps it and exits 0 if its status was 9.
fn middle() -> ! {
    let mut child = sh_with_stdin_null("exit 9");
    println!("{}", child.id());
    std::io::stdout().flush().unwrap();
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).unwrap();
    let status = child.wait().unwrap();
    std::process::exit(if status.code() == Some(9) { 0 } else { 1 });
}

fn sh_with_stdin_null(script: &str) -> std::process::Child {
    sh(script)
}

/// The process of `pending_exits_hold_one_fd_each`: N pending exits on the reactor hold the
/// N pidfds they were made from, and no fd more; once resolved, none.
fn count_fds(b: Backend) -> ! {
    const N: usize = 20;
    let count = || std::fs::read_dir("/proc/self/fd").unwrap().count();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .expect("runtime");
    let mut children: Vec<Sleeper> = (0..N).map(|_| Sleeper::start()).collect();
    let start = count();
    let pidfds: Vec<PidFd> = children
        .iter()
        .map(|c| ok("open", PidFd::open_with(c.pid(), b)))
        .collect();
    // The module backend's device is opened once, by the first open.
    let device = usize::from(b == Backend::Module);
    assert_eq!(count(), start + N + device, "fds after {N} opens ({b})");
    let with_pidfds = count();
    let statuses = rt.block_on(async {
        let exits: Vec<_> = pidfds
            .into_iter()
            .map(|p| tokio::spawn(p.into_exit()))
            .collect();
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(
            exits.iter().all(|e| !e.is_finished()),
            "an exit resolved for a live child"
        );
        assert_eq!(
            count(),
            with_pidfds,
            "fds with {N} exits pending on the reactor ({b})"
        );
        for c in &mut children {
            c.kill();
        }
        let mut statuses = Vec::new();
        for e in exits {
            statuses.push(e.await.expect("the task"));
        }
        statuses
    });
    assert_eq!(
        count(),
        start + device,
        "fds after the {N} exits resolved ({b})"
    );
    for s in statuses {
        let s = ok("exit", s);
        assert_eq!(s.and_then(|s| s.signal()), Some(SIGKILL), "{s:?}");
    }
    std::process::exit(0);
}

fn main() {
    if std::env::var_os(MIDDLE_ENV).is_some() {
        middle();
    }
    if let Ok(b) = std::env::var(FDS_ENV) {
        count_fds(b.parse().expect("a backend"));
    }
    // `Exit` is a named type that can be stored: a check that it stays exported.
    let _: Option<Exit> = None;
    harness::run(backend_tests());
}
