// SPDX-License-Identifier: GPL-2.0
//! The Rust ABI (`pidfd_open::uapi`) against the C header: a C compiler builds a program that
//! prints every size, offset, signedness, flag and ioctl number of
//! `include/uapi/linux/pidfd_open.h` (and the first 64 bytes of the system's
//! `struct pidfd_info`), and each must equal the Rust value.
//!
//! Without a C compiler (the test guest) or the header (the crate outside its repository) the
//! test says why on stderr and passes without checking.

use std::collections::BTreeMap;
use std::io::Write;
use std::mem::{offset_of, size_of};
use std::path::Path;
use std::process::Command;

use pidfd_open::uapi::*;

const PROGRAM: &str = r#"
#include <stddef.h>
#include <stdio.h>
#include <linux/pidfd_open.h>
#if __has_include(<linux/pidfd.h>)
#include <linux/pidfd.h>
#endif

#define P(name, v) printf("%s %llu\n", name, (unsigned long long)(v))
#define F(s, f)                                                                  \
	do {                                                                     \
		P(#s "." #f " offset", offsetof(struct s, f));                   \
		P(#s "." #f " size", sizeof(((struct s *)0)->f));                \
		P(#s "." #f " signed", (__typeof__(((struct s *)0)->f))-1 < 0); \
	} while (0)

int main(void)
{
	P("PIDFD_TO_PROCFD", PIDFD_TO_PROCFD);
	P("PROCFD_TO_PIDFD", PROCFD_TO_PIDFD);
	P("PIDFD_OPEN_INFO_PID", PIDFD_OPEN_INFO_PID);
	P("PIDFD_OPEN_INFO_CREDS", PIDFD_OPEN_INFO_CREDS);
	P("PIDFD_OPEN_INFO_CGROUPID", PIDFD_OPEN_INFO_CGROUPID);
	P("PIDFD_IOC_MAGIC", PIDFD_IOC_MAGIC);
	P("PIDFD_OPEN_FS_MAGIC", PIDFD_OPEN_FS_MAGIC);
	P("PIDFD_IOC_OPEN", PIDFD_IOC_OPEN);
	P("PIDFD_IOC_SEND_SIGNAL", PIDFD_IOC_SEND_SIGNAL);
	P("PIDFD_IOC_GET_INFO", PIDFD_IOC_GET_INFO);

	P("pidfd_open_args size", sizeof(struct pidfd_open_args));
	F(pidfd_open_args, pid);
	F(pidfd_open_args, procfd);
	F(pidfd_open_args, pidfd);
	F(pidfd_open_args, flags);

	P("pidfd_signal_args size", sizeof(struct pidfd_signal_args));
	F(pidfd_signal_args, sig);
	F(pidfd_signal_args, flags);

	P("pidfd_open_info size", sizeof(struct pidfd_open_info));
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

#ifdef PIDFD_GET_INFO
	/* The native struct: its first 64 bytes must be struct pidfd_open_info. */
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

/// Every number, as the Rust side has it, under the name the C program prints it with.
fn rust_values() -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for (name, v) in [
        ("PIDFD_TO_PROCFD", PIDFD_TO_PROCFD.into()),
        ("PROCFD_TO_PIDFD", PROCFD_TO_PIDFD.into()),
        ("PIDFD_OPEN_INFO_PID", PIDFD_OPEN_INFO_PID),
        ("PIDFD_OPEN_INFO_CREDS", PIDFD_OPEN_INFO_CREDS),
        ("PIDFD_OPEN_INFO_CGROUPID", PIDFD_OPEN_INFO_CGROUPID),
        ("PIDFD_IOC_MAGIC", PIDFD_IOC_MAGIC.into()),
        ("PIDFD_OPEN_FS_MAGIC", PIDFD_OPEN_FS_MAGIC.into()),
        ("PIDFD_IOC_OPEN", PIDFD_IOC_OPEN.into()),
        ("PIDFD_IOC_SEND_SIGNAL", PIDFD_IOC_SEND_SIGNAL.into()),
        ("PIDFD_IOC_GET_INFO", PIDFD_IOC_GET_INFO.into()),
        ("pidfd_open_args size", size_of::<PidfdOpenArgs>() as u64),
        (
            "pidfd_signal_args size",
            size_of::<PidfdSignalArgs>() as u64,
        ),
        ("pidfd_open_info size", size_of::<PidfdOpenInfo>() as u64),
        ("native PIDFS_IOCTL_MAGIC", PIDFS_IOCTL_MAGIC.into()),
        ("native PIDFD_INFO_SIZE_VER0", PIDFD_INFO_SIZE_VER0 as u64),
        ("native PIDFD_GET_INFO_VER0", PIDFD_GET_INFO_VER0.into()),
        ("native PIDFD_INFO_PID", PIDFD_OPEN_INFO_PID),
        ("native PIDFD_INFO_CREDS", PIDFD_OPEN_INFO_CREDS),
        ("native PIDFD_INFO_CGROUPID", PIDFD_OPEN_INFO_CGROUPID),
    ] {
        m.insert(name.to_string(), v);
    }
    fields!(m, PidfdOpenArgs, "pidfd_open_args": pid, procfd, pidfd, flags);
    fields!(m, PidfdSignalArgs, "pidfd_signal_args": sig, flags);
    fields!(m, PidfdOpenInfo, "pidfd_open_info": mask, cgroupid, pid, tgid, ppid, ruid, rgid,
        euid, egid, suid, sgid, fsuid, fsgid, exit_code);
    let native: Vec<(String, u64)> = m
        .iter()
        .filter(|(k, _)| k.starts_with("pidfd_open_info.") && k.ends_with(" offset"))
        .map(|(k, &v)| (k.replace("pidfd_open_info.", "native pidfd_info."), v))
        .collect();
    m.extend(native);
    m
}

fn skip(reason: &str) {
    let _ =
        std::io::stderr().write_all(format!("\nnote: ABI check skipped: {reason}\n").as_bytes());
}

#[test]
fn rust_abi_matches_the_c_header() {
    let include = Path::new(env!("CARGO_MANIFEST_DIR")).join("../include/uapi");
    if !include.join("linux/pidfd_open.h").exists() {
        return skip(&format!(
            "no {}",
            include.join("linux/pidfd_open.h").display()
        ));
    }
    let dir = std::env::temp_dir().join(format!("pidfd-open-abi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (src, exe) = (dir.join("abi.c"), dir.join("abi"));
    std::fs::write(&src, PROGRAM).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let built = Command::new(&cc)
        .args(["-std=gnu11", "-Wall", "-Werror", "-I"])
        .arg(&include)
        .arg("-o")
        .arg(&exe)
        .arg(&src)
        .output();
    let built = match built {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return skip(&format!("no C compiler '{cc}'"))
        }
        r => r.expect("run the C compiler"),
    };
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
    let has_native = c.keys().any(|k| k.starts_with("native "));
    let mut mismatches = Vec::new();
    for (name, &r) in &rust {
        match c.get(name) {
            Some(&v) if v == r => {}
            Some(&v) => mismatches.push(format!("{name}: C {v:#x}, Rust {r:#x}")),
            None if name.starts_with("native ") && !has_native => {}
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
    assert!(c.len() >= 60, "only {} values compared", c.len());
    if !has_native {
        skip("<linux/pidfd.h> has no PIDFD_GET_INFO: the native struct was not compared");
    }
}
