// SPDX-License-Identifier: GPL-2.0
//! `pidwait`: waits for processes to exit, all at once, and prints each one's exit status.
//!
//! ```text
//! pidwait [--timeout SECONDS] [--signal SIGNAL] [--backend module|native] PID...
//! ```
//!
//! Each PID gets one pidfd and one owned exit future ([`PidFd::into_exit`]), spawned as a
//! task of its own on tokio's reactor: waiting for many processes costs one fd each. With
//! `--signal`, SIGNAL (a number, or a name such as `TERM`) goes through each pidfd first:
//! race-free, since a pidfd cannot reach a process that reused the number. One line a PID, as
//! each ends: `PID: exited with status N`, `PID: killed by signal N`, `PID: exited (status
//! unknown)`, `PID: no such process` or `PID: timed out`. Exit status: 0 all exited, 1 some
//! timed out, 2 some had no such process, 3 other error, 64 usage.

use std::process::ExitCode;
use std::time::Duration;

use pidfd_open::{Backend, PidFd};
use std::os::unix::process::ExitStatusExt;

const USAGE: &str =
    "usage: pidwait [--timeout SECONDS] [--signal SIGNAL] [--backend module|native] PID...

Waits for every PID to exit, all at once, at most SECONDS (may be fractional) if given, and
prints each one's exit status as it comes. --signal sends SIGNAL (number or name: HUP INT
KILL TERM USR1 USR2 ...) through each pidfd before waiting. --backend defaults to the
module if /dev/pidfd_open opens, else native pidfds.

The exit status of a process that is not pidwait's child is known once it has been reaped,
on kernels that record it (Linux 6.15 and later); elsewhere 'status unknown'.";

const ESRCH: i32 = 3;

struct Args {
    pids: Vec<u32>,
    timeout: Option<Duration>,
    signal: Option<i32>,
    backend: Backend,
}

fn signal_number(s: &str) -> Option<i32> {
    if let Ok(n) = s.parse() {
        return Some(n);
    }
    let name = s.trim_start_matches("SIG");
    let names = [
        ("HUP", 1),
        ("INT", 2),
        ("QUIT", 3),
        ("KILL", 9),
        ("USR1", 10),
        ("USR2", 12),
        ("ALRM", 14),
        ("TERM", 15),
        ("CONT", 18),
        ("STOP", 19),
    ];
    names.iter().find(|(n, _)| *n == name).map(|&(_, sig)| sig)
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut pids, mut timeout, mut signal, mut backend) = (Vec::new(), None, None, None);
    while let Some(arg) = args.next() {
        let mut value = |what: &str| args.next().ok_or(format!("{arg} needs {what}"));
        match arg.as_str() {
            "-t" | "--timeout" => {
                let v = value("SECONDS")?;
                let secs: f64 = v.parse().map_err(|_| format!("bad timeout '{v}'"))?;
                timeout = Some(
                    Duration::try_from_secs_f64(secs).map_err(|_| format!("bad timeout '{v}'"))?,
                );
            }
            "-s" | "--signal" => {
                let v = value("SIGNAL")?;
                signal = Some(signal_number(&v).ok_or(format!("unknown signal '{v}'"))?);
            }
            "-b" | "--backend" => {
                backend = Some(
                    value("module or native")?
                        .parse::<Backend>()
                        .map_err(|e| e.to_string())?,
                );
            }
            "-h" | "--help" => return Err(String::new()),
            _ if !arg.starts_with('-') => {
                pids.push(arg.parse().map_err(|_| format!("bad pid '{arg}'"))?);
            }
            _ => return Err(format!("unexpected argument '{arg}'")),
        }
    }
    if pids.is_empty() {
        return Err("no PID given".into());
    }
    let backend = match backend {
        Some(b) => b,
        None => Backend::try_detect().map_err(|e| format!("{}: {e}", pidfd_open::DEVICE_PATH))?,
    };
    Ok(Args {
        pids,
        timeout,
        signal,
        backend,
    })
}

/// How the wait for one process ended: the line to print and the exit status it counts as.
async fn wait_one(pid: u32, args: &Args) -> (String, u8) {
    let pidfd = match PidFd::open_with(pid, args.backend) {
        Ok(pidfd) => pidfd,
        Err(e) if e.raw_os_error() == Some(ESRCH) => return (format!("{pid}: no such process"), 2),
        Err(e) => return (format!("{pid}: open ({} backend): {e}", args.backend), 3),
    };
    if let Some(sig) = args.signal {
        match pidfd.send_signal(sig) {
            Ok(()) => println!("{pid}: sent signal {sig}"),
            // Reaped since it was opened: it exited, which the wait reports.
            Err(e) if e.raw_os_error() == Some(ESRCH) => {}
            Err(e) => return (format!("{pid}: signal {sig}: {e}"), 3),
        }
    }
    // One task a process: the future is 'static and Send.
    let exit = tokio::spawn(pidfd.into_exit());
    let status = match args.timeout {
        Some(t) => match tokio::time::timeout(t, exit).await {
            Ok(joined) => joined,
            Err(_) => {
                return (
                    format!(
                        "{pid}: timed out after {} s, still running",
                        t.as_secs_f64()
                    ),
                    1,
                )
            }
        },
        None => exit.await,
    };
    match status.expect("the wait task") {
        Ok(Some(s)) => match (s.code(), s.signal()) {
            (Some(code), _) => (format!("{pid}: exited with status {code}"), 0),
            (_, Some(sig)) => {
                let core = if s.core_dumped() {
                    " (core dumped)"
                } else {
                    ""
                };
                (format!("{pid}: killed by signal {sig}{core}"), 0)
            }
            _ => (format!("{pid}: exited ({s})"), 0),
        },
        Ok(None) => (format!("{pid}: exited (status unknown)"), 0),
        Err(e) => (format!("{pid}: wait: {e}"), 3),
    }
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("pidwait: {msg}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(64);
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .expect("tokio runtime");
    let worst = runtime.block_on(async {
        let args = std::sync::Arc::new(args);
        let mut waits = tokio::task::JoinSet::new();
        for &pid in &args.pids {
            let args = args.clone();
            waits.spawn(async move { wait_one(pid, &args).await });
        }
        let mut worst = 0;
        while let Some(done) = waits.join_next().await {
            let (line, status) = done.expect("a wait");
            println!("{line}");
            worst = worst.max(status);
        }
        worst
    });
    ExitCode::from(worst)
}
