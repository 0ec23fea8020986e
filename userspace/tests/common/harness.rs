// SPDX-License-Identifier: GPL-2.0
//! The test binaries' own `main` (`harness = false` in Cargo.toml): libtest's output and
//! options, with one thing libtest cannot do on stable Rust: a test that cannot run here
//! (no module, no C compiler, not root) is decided at run time and reported as `ignored`,
//! with the reason, never as passed.
//!
//! Output, as libtest's: `test NAME ... ok | FAILED | ignored, REASON`, then for failures
//! `---- NAME stdout ----` and the panic message, then
//! `test result: ok. P passed; F failed; I ignored; 0 measured; X filtered out; finished in Ts`.
//! Exit status 101 when a test failed.
//!
//! Options: `--list` (`NAME: test` lines), `--ignored` (run or list only the ignored tests),
//! `--include-ignored` (run them too: they fail where they cannot run), `--exact`,
//! `--test-threads N`, `-q`/`--quiet`, `--nocapture` (accepted: output is never captured),
//! and name filters. Unknown options fail with status 101.

use std::cell::RefCell;
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// One test: a name, a body, and why it cannot run here, if it cannot.
pub struct Test {
    name: String,
    body: Box<dyn FnOnce() + Send + std::panic::UnwindSafe>,
    skip: Option<String>,
}

impl Test {
    /// A test that runs `body`: it passes when `body` returns, fails when it panics.
    pub fn new(name: impl Into<String>, body: impl FnOnce() + Send + 'static) -> Test {
        Test {
            name: name.into(),
            body: Box::new(AssertUnwindSafe(body)),
            skip: None,
        }
    }

    /// Reported as `ignored, REASON` (not run) when `reason` is `Some`; a reason given
    /// before stays when it is `None`.
    pub fn skip_if(mut self, reason: Option<String>) -> Test {
        if reason.is_some() {
            self.skip = reason;
        }
        self
    }
}

thread_local! {
    /// The panic message of the test running on this thread, if one is running.
    static PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

struct Options {
    list: bool,
    ignored: bool,
    include_ignored: bool,
    exact: bool,
    quiet: bool,
    threads: usize,
    filters: Vec<String>,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut o = Options {
        list: false,
        ignored: false,
        include_ignored: false,
        exact: false,
        quiet: false,
        threads: std::env::var("RUST_TEST_THREADS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        filters: Vec::new(),
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--list" => o.list = true,
            "--ignored" => o.ignored = true,
            "--include-ignored" => o.include_ignored = true,
            "--exact" => o.exact = true,
            "-q" | "--quiet" => o.quiet = true,
            "--nocapture" | "--show-output" => {}
            "--test-threads" => {
                let n = args.next().ok_or("--test-threads needs a number")?;
                o.threads = n.parse().map_err(|_| format!("bad --test-threads {n}"))?;
            }
            _ if arg.starts_with("--test-threads=") => {
                let n = &arg["--test-threads=".len()..];
                o.threads = n.parse().map_err(|_| format!("bad {arg}"))?;
            }
            // cargo test passes --format or --color only when asked; pretty is all there is.
            "--format=pretty" | "--color=auto" | "--color=never" => {}
            _ if arg.starts_with('-') => return Err(format!("unknown option {arg}")),
            _ => o.filters.push(arg),
        }
    }
    o.threads = o.threads.max(1);
    Ok(o)
}

/// The message a panic was raised with (`panic!`'s and `assert!`'s are a `String` or a
/// `&str`).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a panic without a message".into())
}

/// Runs `tests` as the command line asks, and exits the process.
pub fn run(tests: Vec<Test>) -> ! {
    let o = match parse(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(msg) => {
            eprintln!("error: {msg}");
            std::process::exit(101);
        }
    };
    let total = tests.len();
    let selected: Vec<Test> = tests
        .into_iter()
        .filter(|t| {
            o.filters.is_empty()
                || o.filters.iter().any(|f| {
                    if o.exact {
                        t.name == *f
                    } else {
                        t.name.contains(f.as_str())
                    }
                })
        })
        .collect();
    let filtered_out = total - selected.len();
    if o.list {
        let mut n = 0;
        for t in &selected {
            if !o.ignored || t.skip.is_some() {
                println!("{}: test", t.name);
                n += 1;
            }
        }
        if !o.quiet {
            println!("\n{n} tests, 0 benchmarks");
        }
        std::process::exit(0);
    }

    let start = Instant::now();
    let mut to_run = Vec::new();
    let mut ignored = 0;
    let out = Arc::new(Mutex::new(()));
    let selected: Vec<Test> = selected
        .into_iter()
        .filter(|t| !o.ignored || t.skip.is_some())
        .collect();
    println!("\nrunning {} tests", selected.len());
    for t in selected {
        match &t.skip {
            Some(reason) if !o.ignored && !o.include_ignored => {
                println!("test {} ... ignored, {reason}", t.name);
                ignored += 1;
            }
            _ => to_run.push(t),
        }
    }

    let default_hook = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        // try_with and try_borrow_mut: a hook that panicked itself would abort the process.
        let in_test = PANIC
            .try_with(|p| match p.try_borrow_mut() {
                Ok(mut p) => match p.as_mut() {
                    Some(msg) => {
                        msg.push_str(&format!("{info}\n"));
                        true
                    }
                    None => false,
                },
                Err(_) => false,
            })
            .unwrap_or(false);
        if !in_test {
            default_hook(info);
        }
    }));

    let queue = Arc::new(Mutex::new(to_run.into_iter()));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let passed = Arc::new(Mutex::new(0usize));
    let workers: Vec<_> = (0..o.threads)
        .map(|_| {
            let (queue, failures, passed, out) =
                (queue.clone(), failures.clone(), passed.clone(), out.clone());
            std::thread::spawn(move || loop {
                let Some(t) = queue.lock().unwrap().next() else {
                    return;
                };
                let name = t.name.clone();
                // Each test on a thread of its own, named after it, as libtest does.
                let result = std::thread::Builder::new()
                    .name(name.clone())
                    .spawn(move || {
                        PANIC.with(|p| *p.borrow_mut() = Some(String::new()));
                        let r = panic::catch_unwind(t.body);
                        let msg = PANIC.with(|p| p.borrow_mut().take()).unwrap_or_default();
                        r.map_err(|payload| {
                            if !msg.is_empty() {
                                return msg;
                            }
                            // Resumed from another thread, whose panic the hook printed.
                            format!(
                                "panicked (resumed from another thread): {}\n",
                                panic_message(payload.as_ref())
                            )
                        })
                    })
                    .expect("spawn a test thread")
                    .join()
                    .unwrap_or_else(|_| Err("the test thread died".into()));
                let _lock = out.lock().unwrap();
                match result {
                    Ok(()) => {
                        println!("test {name} ... ok");
                        *passed.lock().unwrap() += 1;
                    }
                    Err(msg) => {
                        println!("test {name} ... FAILED");
                        failures.lock().unwrap().push((name, msg));
                    }
                }
                let _ = std::io::stdout().flush();
            })
        })
        .collect();
    for w in workers {
        w.join().expect("a test worker");
    }

    let failures = std::mem::take(&mut *failures.lock().unwrap());
    let passed = *passed.lock().unwrap();
    if !failures.is_empty() {
        println!("\nfailures:\n");
        for (name, msg) in &failures {
            println!("---- {name} stdout ----\n{msg}");
        }
        println!("\nfailures:");
        for (name, _) in &failures {
            println!("    {name}");
        }
    }
    println!(
        "\ntest result: {}. {passed} passed; {} failed; {ignored} ignored; 0 measured; \
         {filtered_out} filtered out; finished in {:.2}s\n",
        if failures.is_empty() { "ok" } else { "FAILED" },
        failures.len(),
        start.elapsed().as_secs_f64()
    );
    let _ = std::io::stdout().flush();
    std::process::exit(if failures.is_empty() { 0 } else { 101 });
}
