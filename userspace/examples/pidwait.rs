// SPDX-License-Identifier: GPL-2.0
//! `pidwait`: waits for a process to exit, and says how the wait ended.
//!
//! ```text
//! pidwait [--timeout SECONDS] [--signal SIGNAL] [--backend module|native] PID
//! ```
//!
//! With `--signal`, sends SIGNAL (a number, or a name such as `TERM`) through the pidfd first:
//! race-free, since a pidfd cannot reach a process that reused the number. Exit status:
//! 0 exited, 1 timed out, 2 no such process, 3 other error, 64 usage.

use std::process::ExitCode;
use std::time::Duration;

use pidfd_open::{Backend, PidFd};

const USAGE: &str =
    "usage: pidwait [--timeout SECONDS] [--signal SIGNAL] [--backend module|native] PID

Waits for process PID to exit, at most SECONDS (may be fractional) if given, and reports
'exited', 'timed out' or 'no such process'. --signal sends SIGNAL (number or name: HUP INT
KILL TERM USR1 USR2 ...) through the pidfd before waiting. --backend defaults to the module
if /dev/pidfd_open opens, else native pidfds.";

const ESRCH: i32 = 3;

struct Args {
    pid: i32,
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
    let (mut pid, mut timeout, mut signal, mut backend) = (None, None, None, Backend::detect());
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
                backend = match value("module or native")?.as_str() {
                    "module" => Backend::Module,
                    "native" => Backend::Native,
                    other => return Err(format!("unknown backend '{other}'")),
                }
            }
            "-h" | "--help" => return Err(String::new()),
            _ if pid.is_none() && !arg.starts_with('-') => {
                pid = Some(arg.parse().map_err(|_| format!("bad pid '{arg}'"))?);
            }
            _ => return Err(format!("unexpected argument '{arg}'")),
        }
    }
    Ok(Args {
        pid: pid.ok_or("no PID given")?,
        timeout,
        signal,
        backend,
    })
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
    let pid = args.pid;
    let no_such_process = || {
        println!("{pid}: no such process");
        ExitCode::from(2)
    };
    let pidfd = match PidFd::open_with(pid, args.backend) {
        Ok(pidfd) => pidfd,
        Err(e) if e.raw_os_error() == Some(ESRCH) => return no_such_process(),
        Err(e) if args.backend == Backend::Module && e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!(
                "pidwait: {}: {e} (is the pidfd_open module loaded?)",
                pidfd_open::DEVICE_PATH
            );
            return ExitCode::from(3);
        }
        Err(e) => {
            eprintln!("pidwait: open {pid} ({} backend): {e}", args.backend);
            return ExitCode::from(3);
        }
    };
    if let Some(sig) = args.signal {
        match pidfd.send_signal(sig) {
            Ok(()) => println!("{pid}: sent signal {sig}"),
            // Reaped since it was opened: it exited.
            Err(e) if e.raw_os_error() == Some(ESRCH) => {}
            Err(e) => {
                eprintln!("pidwait: signal {sig} to {pid}: {e}");
                return ExitCode::from(3);
            }
        }
    }
    match pidfd.wait_exit(args.timeout) {
        Ok(true) => {
            println!("{pid}: exited");
            ExitCode::SUCCESS
        }
        Ok(false) => {
            let secs = args.timeout.unwrap_or_default().as_secs_f64();
            println!("{pid}: timed out after {secs} s, still running");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("pidwait: wait for {pid}: {e}");
            ExitCode::from(3)
        }
    }
}
