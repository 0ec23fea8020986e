// SPDX-License-Identifier: GPL-2.0
//! `PidFd::exited()`, the async wait on tokio's reactor (feature `tokio`).
#![cfg(feature = "tokio")]

mod common;

use std::time::Duration;

use common::*;
use pidfd_open::{Backend, PidFd};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .expect("tokio runtime")
}

backend_tests! {
    fn exited_waits_for_the_process(b: Backend) {
        let mut child = Sleeper::start();
        let pidfd = ok("open child", PidFd::open_with(child.pid(), b));
        runtime().block_on(async {
            // Still running: exited() does not complete.
            let early = tokio::time::timeout(Duration::from_millis(100), pidfd.exited()).await;
            assert!(early.is_err(), "exited() completed for a live child: {early:?}");
            // Two concurrent waits, each on its own registration, both see the exit.
            let (a, b2, ()) = tokio::join!(pidfd.exited(), pidfd.exited(), async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                pidfd.send_signal(9).expect("SIGKILL");
            });
            ok("exited() (first)", a);
            ok("exited() (second)", b2);
        });
        // A zombie, then reaped: exited() completes at once either way.
        runtime().block_on(async { ok("exited() of a zombie", pidfd.exited().await) });
        child.kill_and_reap();
        runtime().block_on(async {
            let r = tokio::time::timeout(Duration::from_secs(5), pidfd.exited()).await;
            ok("exited() of a reaped process", r.expect("exited() of a reaped process hung"));
        });
    }
}
