// SPDX-License-Identifier: GPL-2.0
//! The Rust ABI (`pidfd_open::uapi`) against the C header: a C compiler builds a program that
//! prints every size, offset, signedness, flag and ioctl number of
//! `include/uapi/linux/pidfd_open.h` (and, where the system has `<linux/pidfd.h>`, the
//! offsets, sizes and bits of its `struct pidfd_info`), and each must equal the Rust value.
//!
//! `struct pidfd_open_info` is compared field by field at its 88 bytes; the 64-byte command
//! that the crate falls back to for a module built against the first header
//! (`PIDFD_IOC_GET_INFO_VER0`) is compared with the header's `PIDFD_IOC_GET_INFO` at
//! `PIDFD_OPEN_INFO_SIZE_VER0`.
//!
//! Without a C compiler (the test guest) or the header (the crate outside its repository) the
//! test is reported as ignored, with the reason.

use std::collections::BTreeMap;
use std::io::Write;
use std::mem::{align_of, offset_of, size_of};
use std::path::Path;
use std::process::Command;

mod common;

use common::{harness, Test};
use pidfd_open::uapi::*;

const PROGRAM: &str = r#"
#include <stddef.h>
#include <stdio.h>
#include <linux/pidfd_open.h>
#if __has_include(<linux/pidfd.h>)
#include <linux/pidfd.h>
#endif

#define P(name, v) printf("%s %llu\n", name, (unsigned long long)(v))
#define C(name) P(#name, name)
#define F(s, f)                                                                  \
	do {                                                                     \
		P(#s "." #f " offset", offsetof(struct s, f));                   \
		P(#s "." #f " size", sizeof(((struct s *)0)->f));                \
		P(#s "." #f " signed", (__typeof__(((struct s *)0)->f))-1 < 0); \
	} while (0)

int main(void)
{
	C(PIDFD_TO_PROCFD);
	C(PROCFD_TO_PIDFD);
	C(PIDFD_OPEN_THREAD);
	C(PIDFD_OPEN_NONBLOCK);
	C(PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER0);
	C(PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER1);
	C(PIDFD_OPEN_SIGNAL_THREAD);
	C(PIDFD_OPEN_SIGNAL_THREAD_GROUP);
	C(PIDFD_OPEN_SIGNAL_PROCESS_GROUP);
	C(PIDFD_OPEN_INFO_PID);
	C(PIDFD_OPEN_INFO_CREDS);
	C(PIDFD_OPEN_INFO_CGROUPID);
	C(PIDFD_OPEN_INFO_EXIT);
	C(PIDFD_OPEN_INFO_COREDUMP);
	C(PIDFD_OPEN_INFO_SUPPORTED_MASK);
	C(PIDFD_OPEN_INFO_COREDUMP_SIGNAL);
	C(PIDFD_OPEN_INFO_COREDUMP_CODE);
	C(PIDFD_OPEN_INFO_SIZE_VER0);
	C(PIDFD_OPEN_INFO_SIZE_VER1);
	C(PIDFD_OPEN_INFO_SIZE_VER2);
	C(PIDFD_OPEN_INFO_SIZE_VER3);
	C(PIDFD_OPEN_FS_MAGIC);
	C(PIDFD_IOC_MAGIC);
	C(PIDFD_IOC_OPEN);
	C(PIDFD_IOC_SEND_SIGNAL);
	C(PIDFD_IOC_GET_INFO);
	/* The 64-byte command of the first header, which the crate falls back to. */
	P("PIDFD_IOC_GET_INFO_VER0",
	  _IOC(_IOC_DIR(PIDFD_IOC_GET_INFO), _IOC_TYPE(PIDFD_IOC_GET_INFO),
	       _IOC_NR(PIDFD_IOC_GET_INFO), PIDFD_OPEN_INFO_SIZE_VER0));

	P("pidfd_open_args size", sizeof(struct pidfd_open_args));
	F(pidfd_open_args, pid);
	F(pidfd_open_args, procfd);
	F(pidfd_open_args, pidfd);
	F(pidfd_open_args, flags);

	P("pidfd_signal_args size", sizeof(struct pidfd_signal_args));
	P("pidfd_signal_args align", _Alignof(struct pidfd_signal_args));
	F(pidfd_signal_args, sig);
	F(pidfd_signal_args, flags);
	F(pidfd_signal_args, info);

	P("pidfd_open_info size", sizeof(struct pidfd_open_info));
	P("pidfd_open_info align", _Alignof(struct pidfd_open_info));
	F(pidfd_open_info, mask);
	F(pidfd_open_info, cgroupid);
	F(pidfd_open_info, pid);
	F(pidfd_open_info, tgid);
	F(pidfd_open_info, ppid);
	F(pidfd_open_info, ruid);
	F(pidfd_open_info, rgid);
	F(pidfd_open_info, euid);
	F(pidfd_open_info, egid);
	F(pidfd_open_info, suid);
	F(pidfd_open_info, sgid);
	F(pidfd_open_info, fsuid);
	F(pidfd_open_info, fsgid);
	F(pidfd_open_info, exit_code);
	F(pidfd_open_info, coredump_mask);
	F(pidfd_open_info, coredump_signal);
	F(pidfd_open_info, coredump_code);
	F(pidfd_open_info, coredump_pad);
	F(pidfd_open_info, supported_mask);

#ifdef PIDFD_GET_INFO
	/* The native struct: its first 64 bytes are those of struct pidfd_open_info. */
	P("native PIDFS_IOCTL_MAGIC", PIDFS_IOCTL_MAGIC);
	P("native PIDFD_INFO_SIZE_VER0", PIDFD_INFO_SIZE_VER0);
	P("native PIDFD_GET_INFO_VER0",
	  _IOC(_IOC_READ | _IOC_WRITE, _IOC_TYPE(PIDFD_GET_INFO), _IOC_NR(PIDFD_GET_INFO),
	       PIDFD_INFO_SIZE_VER0));
	P("native PIDFD_INFO_PID", PIDFD_INFO_PID);
	P("native PIDFD_INFO_CREDS", PIDFD_INFO_CREDS);
	P("native PIDFD_INFO_CGROUPID", PIDFD_INFO_CGROUPID);
#define N(f) P("native pidfd_info." #f " offset", offsetof(struct pidfd_info, f))
	N(mask); N(cgroupid); N(pid); N(tgid); N(ppid); N(ruid); N(rgid); N(euid); N(egid);
	N(suid); N(sgid); N(fsuid); N(fsgid); N(exit_code);
#endif
#ifdef PIDFD_INFO_SIZE_VER3
	/* Linux 7.3's 88-byte struct pidfd_info: the rest of struct pidfd_open_info. */
	P("native88 sizeof pidfd_info", sizeof(struct pidfd_info));
	P("native88 PIDFD_INFO_SIZE_VER3", PIDFD_INFO_SIZE_VER3);
	P("native88 PIDFD_GET_INFO", PIDFD_GET_INFO);
	P("native88 PIDFD_INFO_EXIT", PIDFD_INFO_EXIT);
	P("native88 PIDFD_INFO_COREDUMP", PIDFD_INFO_COREDUMP);
	P("native88 PIDFD_INFO_SUPPORTED_MASK", PIDFD_INFO_SUPPORTED_MASK);
	P("native88 PIDFD_INFO_COREDUMP_SIGNAL", PIDFD_INFO_COREDUMP_SIGNAL);
	P("native88 PIDFD_INFO_COREDUMP_CODE", PIDFD_INFO_COREDUMP_CODE);
#define N88(f) P("native88 pidfd_info." #f " offset", offsetof(struct pidfd_info, f))
	N88(coredump_mask); N88(coredump_signal); N88(coredump_code); N88(coredump_pad);
	N88(supported_mask);
#endif
	return 0;
}
"#;

trait Int {
    const SIGNED: bool;
}
impl Int for i32 {
    const SIGNED: bool = true;
}
impl Int for u32 {
    const SIGNED: bool = false;
}
impl Int for u64 {
    const SIGNED: bool = false;
}

fn size<S, F>(_: fn(&S) -> &F) -> u64 {
    size_of::<F>() as u64
}

fn signed<S, F: Int>(_: fn(&S) -> &F) -> u64 {
    F::SIGNED.into()
}

macro_rules! fields {
    ($out:ident, $rs:ty, $cs:literal: $($f:ident),*) => {$(
        $out.insert(format!("{}.{} offset", $cs, stringify!($f)), offset_of!($rs, $f) as u64);
        $out.insert(format!("{}.{} size", $cs, stringify!($f)), size(|s: &$rs| &s.$f));
        $out.insert(format!("{}.{} signed", $cs, stringify!($f)), signed(|s: &$rs| &s.$f));
    )*};
}

/// `v` as a `u64`, whatever unsigned type the constant has.
fn wide<T: TryInto<u64>>(v: T) -> u64 {
    v.try_into()
        .unwrap_or_else(|_| panic!("a constant wider than 64 bits"))
}

/// Every number, as the Rust side has it, under the name the C program prints it with.
fn rust_values() -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    macro_rules! consts {
        ($($c:ident),* $(,)?) => {$(
            m.insert(stringify!($c).to_string(), wide($c));
        )*};
    }
    consts!(
        PIDFD_TO_PROCFD,
        PROCFD_TO_PIDFD,
        PIDFD_OPEN_THREAD,
        PIDFD_OPEN_NONBLOCK,
        PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER0,
        PIDFD_OPEN_SIGNAL_ARGS_SIZE_VER1,
        PIDFD_OPEN_SIGNAL_THREAD,
        PIDFD_OPEN_SIGNAL_THREAD_GROUP,
        PIDFD_OPEN_SIGNAL_PROCESS_GROUP,
        PIDFD_OPEN_INFO_PID,
        PIDFD_OPEN_INFO_CREDS,
        PIDFD_OPEN_INFO_CGROUPID,
        PIDFD_OPEN_INFO_EXIT,
        PIDFD_OPEN_INFO_COREDUMP,
        PIDFD_OPEN_INFO_SUPPORTED_MASK,
        PIDFD_OPEN_INFO_COREDUMP_SIGNAL,
        PIDFD_OPEN_INFO_COREDUMP_CODE,
        PIDFD_OPEN_INFO_SIZE_VER0,
        PIDFD_OPEN_INFO_SIZE_VER1,
        PIDFD_OPEN_INFO_SIZE_VER2,
        PIDFD_OPEN_INFO_SIZE_VER3,
        PIDFD_OPEN_FS_MAGIC,
        PIDFD_IOC_MAGIC,
        PIDFD_IOC_OPEN,
        PIDFD_IOC_SEND_SIGNAL,
        PIDFD_IOC_GET_INFO,
        PIDFD_IOC_GET_INFO_VER0,
    );
    for (name, v) in [
        ("pidfd_open_args size", size_of::<PidfdOpenArgs>()),
        ("pidfd_signal_args size", size_of::<PidfdSignalArgs>()),
        ("pidfd_signal_args align", align_of::<PidfdSignalArgs>()),
        ("pidfd_open_info size", size_of::<PidfdOpenInfo>()),
        ("pidfd_open_info align", align_of::<PidfdOpenInfo>()),
        ("native PIDFD_INFO_SIZE_VER0", PIDFD_INFO_SIZE_VER0),
        ("native88 sizeof pidfd_info", size_of::<PidfdOpenInfo>()),
        ("native88 PIDFD_INFO_SIZE_VER3", PIDFD_INFO_SIZE_VER3),
    ] {
        m.insert(name.to_string(), v as u64);
    }
    for (name, v) in [
        ("native PIDFS_IOCTL_MAGIC", PIDFS_IOCTL_MAGIC.into()),
        ("native PIDFD_GET_INFO_VER0", PIDFD_GET_INFO_VER0.into()),
        // The module's bits have the native values.
        ("native PIDFD_INFO_PID", PIDFD_OPEN_INFO_PID),
        ("native PIDFD_INFO_CREDS", PIDFD_OPEN_INFO_CREDS),
        ("native PIDFD_INFO_CGROUPID", PIDFD_OPEN_INFO_CGROUPID),
        ("native88 PIDFD_GET_INFO", PIDFD_GET_INFO.into()),
        ("native88 PIDFD_INFO_EXIT", PIDFD_INFO_EXIT),
        ("native88 PIDFD_INFO_COREDUMP", PIDFD_OPEN_INFO_COREDUMP),
        (
            "native88 PIDFD_INFO_SUPPORTED_MASK",
            PIDFD_INFO_SUPPORTED_MASK,
        ),
        (
            "native88 PIDFD_INFO_COREDUMP_SIGNAL",
            PIDFD_OPEN_INFO_COREDUMP_SIGNAL,
        ),
        (
            "native88 PIDFD_INFO_COREDUMP_CODE",
            PIDFD_OPEN_INFO_COREDUMP_CODE,
        ),
    ] {
        m.insert(name.to_string(), v);
    }
    fields!(m, PidfdOpenArgs, "pidfd_open_args": pid, procfd, pidfd, flags);
    fields!(m, PidfdSignalArgs, "pidfd_signal_args": sig, flags, info);
    fields!(m, PidfdOpenInfo, "pidfd_open_info": mask, cgroupid, pid, tgid, ppid, ruid, rgid,
        euid, egid, suid, sgid, fsuid, fsgid, exit_code, coredump_mask, coredump_signal,
        coredump_code, coredump_pad, supported_mask);
    // The native struct has the same offsets: its first 64 bytes since Linux 6.13, the rest
    // since 7.3.
    let native: Vec<(String, u64)> = m
        .iter()
        .filter_map(|(k, &v)| {
            let field = k
                .strip_prefix("pidfd_open_info.")?
                .strip_suffix(" offset")?;
            let prefix = if v < PIDFD_OPEN_INFO_SIZE_VER0 as u64 {
                "native"
            } else {
                "native88"
            };
            Some((format!("{prefix} pidfd_info.{field} offset"), v))
        })
        .collect();
    m.extend(native);
    m
}

fn include_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../include/uapi")
}

fn cc() -> String {
    std::env::var("CC").unwrap_or_else(|_| "cc".into())
}

/// Why the check cannot run here, if it cannot: no header, or no C compiler.
fn abi_skip() -> Option<String> {
    let header = include_dir().join("linux/pidfd_open.h");
    if !header.exists() {
        return Some(format!("no {}", header.display()));
    }
    match Command::new(cc()).arg("--version").output() {
        Ok(out) if out.status.success() => None,
        _ => Some(format!("no C compiler '{}'", cc())),
    }
}

fn note(text: &str) {
    let _ = std::io::stderr().write_all(format!("\nnote: {text}\n").as_bytes());
}

fn rust_abi_matches_the_c_header() {
    let include = include_dir();
    let dir = std::env::temp_dir().join(format!("pidfd-open-abi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (src, exe) = (dir.join("abi.c"), dir.join("abi"));
    std::fs::write(&src, PROGRAM).unwrap();
    let cc = cc();
    let built = Command::new(&cc)
        .args(["-std=gnu11", "-Wall", "-Werror", "-I"])
        .arg(&include)
        .arg("-o")
        .arg(&exe)
        .arg(&src)
        .output();
    let built = built.expect("run the C compiler");
    assert!(
        built.status.success(),
        "{cc} failed on the ABI program:\n{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let out = Command::new(&exe).output().expect("run the ABI program");
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        out.status.success(),
        "the ABI program failed: {}",
        out.status
    );

    let c: BTreeMap<String, u64> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let (name, v) = line.rsplit_once(' ').unwrap();
            (name.to_string(), v.parse().unwrap())
        })
        .collect();
    let rust = rust_values();
    let has = |prefix: &str| c.keys().any(|k| k.starts_with(prefix));
    let (has_native, has_native88) = (has("native "), has("native88 "));
    let mut mismatches = Vec::new();
    for (name, &r) in &rust {
        match c.get(name) {
            Some(&v) if v == r => {}
            Some(&v) => mismatches.push(format!("{name}: C {v:#x}, Rust {r:#x}")),
            None if name.starts_with("native ") && !has_native => {}
            None if name.starts_with("native88 ") && !has_native88 => {}
            None => mismatches.push(format!("{name}: not printed by the C program")),
        }
    }
    for name in c.keys().filter(|k| !rust.contains_key(*k)) {
        mismatches.push(format!("{name}: no Rust value to compare"));
    }
    assert!(
        mismatches.is_empty(),
        "the Rust ABI differs from the C header:\n{}",
        mismatches.join("\n")
    );
    // 110 from the module's header alone, 33 more from <linux/pidfd.h> of Linux 7.3.
    assert!(c.len() >= 110, "only {} values compared", c.len());
    if !has_native {
        note(
            "<linux/pidfd.h> has no PIDFD_GET_INFO: the native struct pidfd_info was not compared",
        );
    } else if !has_native88 {
        note(
            "<linux/pidfd.h> has no 88-byte struct pidfd_info: its last 24 bytes were not compared",
        );
    }
}

fn main() {
    harness::run(vec![Test::new(
        "rust_abi_matches_the_c_header",
        rust_abi_matches_the_c_header,
    )
    .skip_if(abi_skip())]);
}
