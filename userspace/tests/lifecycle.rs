// SPDX-License-Identifier: GPL-2.0
//! A pidfd over its process's life: signals, `wait_exit` with and without a timeout, and the
//! answers once the process is reaped.

mod common;

use std::os::unix::process::ExitStatusExt;
use std::time::{Duration, Instant};

use common::*;
use pidfd_open::{Backend, PidFd};

const SIGKILL: i32 = 9;
const SIGTERM: i32 = 15;

backend_tests! {
    fn reaped_process_is_esrch_everywhere(b: Backend) {
        let mut child = Sleeper::start();
        let pid = child.pid();
        let pidfd = ok("open child", PidFd::open_with(pid, b));
        child.kill_and_reap();
        expect_errno(&format!("info of reaped {pid} ({b})"), pidfd.info(), ESRCH);
        expect_errno(&format!("send_signal(0) to reaped {pid} ({b})"), pidfd.send_signal(0), ESRCH);
        expect_errno(&format!("send_signal(SIGTERM) to reaped {pid} ({b})"), pidfd.send_signal(SIGTERM), ESRCH);
        expect_errno(&format!("to_proc_dir of reaped {pid} ({b})"), pidfd.to_proc_dir(proc_root()), ESRCH);
        assert!(ok("wait_exit(ZERO) of reaped", pidfd.wait_exit(Some(Duration::ZERO))), "reaped process not exited");
    }

    fn wait_exit_times_out_on_a_live_process_then_sees_it_exit(b: Backend) {
        let mut child = Sleeper::start();
        let pidfd = ok("open child", PidFd::open_with(child.pid(), b));
        assert!(!ok("wait_exit(ZERO) of a live child", pidfd.wait_exit(Some(Duration::ZERO))), "live child reported exited");
        let start = Instant::now();
        let exited = ok("wait_exit(100 ms)", pidfd.wait_exit(Some(Duration::from_millis(100))));
        let waited = start.elapsed();
        assert!(!exited, "wait_exit(100 ms) on a live child returned true after {waited:?}");
        assert!(waited >= Duration::from_millis(100), "wait_exit(100 ms) returned false after only {waited:?}");
        ok("send_signal(SIGKILL)", pidfd.send_signal(SIGKILL));
        assert!(ok("wait_exit(5 s) after SIGKILL", pidfd.wait_exit(Some(Duration::from_secs(5)))), "killed child not exited within 5 s");
        // A zombie until reaped: still unreaped, so signal 0 works.
        ok("send_signal(0) to a zombie", pidfd.send_signal(0));
        let status = child.child.wait().unwrap();
        assert_eq!(status.signal(), Some(SIGKILL), "exit status {status:?}");
        assert!(ok("wait_exit(None) after reap", pidfd.wait_exit(None)));
    }

    fn wait_exit_without_timeout_blocks_until_exit(b: Backend) {
        let child = Sleeper::start();
        let pidfd = ok("open child", PidFd::open_with(child.pid(), b));
        let killer = ok("try_clone", pidfd.try_clone());
        let start = Instant::now();
        let thread = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            killer.send_signal(SIGKILL)
        });
        let exited = ok("wait_exit(None)", pidfd.wait_exit(None));
        let waited = start.elapsed();
        ok("send_signal from the other thread", thread.join().unwrap());
        assert!(exited, "wait_exit(None) returned false");
        assert!(waited >= Duration::from_millis(200), "wait_exit(None) returned after {waited:?}, before the kill");
    }

    fn send_signal_delivers_it(b: Backend) {
        let mut child = Sleeper::start();
        let pidfd = ok("open child", PidFd::open_with(child.pid(), b));
        ok("send_signal(SIGTERM)", pidfd.send_signal(SIGTERM));
        let status = child.child.wait().unwrap();
        assert_eq!(status.signal(), Some(SIGTERM), "child's exit status after SIGTERM: {status:?}");
        child.kill_and_reap();
    }

    fn send_signal_of_invalid_number_is_einval(b: Backend) {
        let child = Sleeper::start();
        let pidfd = ok("open child", PidFd::open_with(child.pid(), b));
        for sig in [-1, 65, 1000, i32::MAX] {
            expect_errno(&format!("send_signal({sig}) ({b})"), pidfd.send_signal(sig), EINVAL);
        }
        ok("child still alive after refused signals", pidfd.send_signal(0));
    }
}

fn main() {
    harness::run(backend_tests());
}
