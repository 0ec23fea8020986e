// SPDX-License-Identifier: GPL-2.0
//! `PidFd::send_signal_to` on process pidfds, on both backends: the thread-group and the
//! process-group scopes deliver, a process that leads no group is `ESRCH`, and the thread
//! scope is native only (`EOPNOTSUPP` from the module: contract, sections 5.1 and 9). The
//! scopes of thread pidfds are in `tests/thread.rs`.

mod common;

use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::Command;

use common::*;
use pidfd_open::{uapi, Backend, PidFd, SignalScope};

const SIGTERM: i32 = 15;

/// A `sleep` that leads a process group of its own.
fn group_leader() -> Sleeper {
    Sleeper::spawn(Command::new("sleep").arg("1000").process_group(0))
}

backend_tests! {
    fn thread_group_scope_delivers(b: Backend) {
        let mut child = Sleeper::start();
        let pidfd = ok("open child", PidFd::open_with(child.pid(), b));
        ok(&format!("thread-group signal 0 ({b})"), pidfd.send_signal_to(0, SignalScope::ThreadGroup));
        ok(&format!("thread-group SIGTERM ({b})"), pidfd.send_signal_to(SIGTERM, SignalScope::ThreadGroup));
        let status = child.child.wait().unwrap();
        assert_eq!(status.signal(), Some(SIGTERM), "child's exit status after a thread-group SIGTERM: {status:?}");
        child.kill_and_reap();
        expect_errno(&format!("thread-group signal 0 to a reaped child ({b})"), pidfd.send_signal_to(0, SignalScope::ThreadGroup), ESRCH);
    }

    fn process_group_scope_of_a_process_that_leads_none_is_esrch(b: Backend) {
        // A child of this process is in this process's group, whose leader it is not.
        let child = Sleeper::start();
        // From /proc: getpgid(2) may give 0 here (a guest's init has process group 0), which
        // rustix's `getpgid` does not accept.
        let stat = ok("read the child's stat", std::fs::read_to_string(format!("/proc/{}/stat", child.pid())));
        let pgid: u32 = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(2)).and_then(|f| f.parse().ok()).expect("the process group in /proc/<pid>/stat");
        assert_ne!(pgid, child.pid(), "the child leads a process group");
        let pidfd = ok("open child", PidFd::open_with(child.pid(), b));
        expect_errno(&format!("process-group signal 0 to non-leader {} ({b})", child.pid()), pidfd.send_signal_to(0, SignalScope::ProcessGroup), ESRCH);
        ok("the child is still there", pidfd.send_signal(0));
    }

    fn process_group_scope_reaches_every_member(b: Backend) {
        let mut leader = group_leader();
        let mut member = Sleeper::spawn(Command::new("sleep").arg("1000").process_group(leader.pid() as i32));
        let pidfd = ok("open the group leader", PidFd::open_with(leader.pid(), b));
        ok(&format!("process-group signal 0 to leader {} ({b})", leader.pid()), pidfd.send_signal_to(0, SignalScope::ProcessGroup));
        ok(&format!("process-group SIGTERM to leader {} ({b})", leader.pid()), pidfd.send_signal_to(SIGTERM, SignalScope::ProcessGroup));
        let status = member.child.wait().unwrap();
        assert_eq!(status.signal(), Some(SIGTERM), "the member's exit status after a process-group SIGTERM: {status:?}");
        let status = leader.child.wait().unwrap();
        assert_eq!(status.signal(), Some(SIGTERM), "the leader's exit status after a process-group SIGTERM: {status:?}");
        member.kill_and_reap();
        leader.kill_and_reap();
    }

    fn thread_scope_of_a_process_pidfd_is_native_only(b: Backend) {
        let child = Sleeper::start();
        let pidfd = ok("open child", PidFd::open_with(child.pid(), b));
        let result = pidfd.send_signal_to(0, SignalScope::Thread);
        let what = format!("thread-scope signal 0 to child {} ({b})", child.pid());
        match b {
            Backend::Native => ok(&what, result),
            Backend::Module => expect_errno(&what, result, EOPNOTSUPP),
        }
        // The default scope of a process pidfd is its thread group, on both backends.
        ok(&format!("default-scope signal 0 ({b})"), pidfd.send_signal_to(0, SignalScope::Default));
    }
}

/// The scopes' flags are the header's `PIDFD_OPEN_SIGNAL_*`, which are native's values.
fn scope_flags_are_the_headers() {
    assert_eq!(SignalScope::default(), SignalScope::Default);
    assert_eq!(SignalScope::Default.flags(), 0);
    assert_eq!(SignalScope::Thread.flags(), uapi::PIDFD_OPEN_SIGNAL_THREAD);
    assert_eq!(
        SignalScope::ThreadGroup.flags(),
        uapi::PIDFD_OPEN_SIGNAL_THREAD_GROUP
    );
    assert_eq!(
        SignalScope::ProcessGroup.flags(),
        uapi::PIDFD_OPEN_SIGNAL_PROCESS_GROUP
    );
    assert_eq!(
        [1, 2, 4],
        [
            uapi::PIDFD_OPEN_SIGNAL_THREAD,
            uapi::PIDFD_OPEN_SIGNAL_THREAD_GROUP,
            uapi::PIDFD_OPEN_SIGNAL_PROCESS_GROUP
        ],
        "PIDFD_SIGNAL_THREAD, _THREAD_GROUP, _PROCESS_GROUP of <linux/pidfd.h>"
    );
}

fn main() {
    let mut tests = backend_tests();
    tests.push(Test::new(
        "scope_flags_are_the_headers",
        scope_flags_are_the_headers,
    ));
    harness::run(tests);
}
