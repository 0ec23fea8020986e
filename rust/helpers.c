// SPDX-License-Identifier: GPL-2.0
/*
 * One-line wrappers for what the Rust side cannot call directly: static inline
 * functions and macros without a helper in the 7.3 kernel crate (get_pid,
 * proc_pid_ns, delay_group_leader, task_ppid_vnr, cgroup_id,
 * current_cred, QSTR_LEN for lookup_noperm_positive_unlocked,
 * inode_state_read_once, file_set_fsnotify_mode), and what the 7.3 bindings
 * leave out (pseudo_fs.h's context; a static work item, whose initialiser is a
 * macro). Each only forwards its arguments.
 * Struct fields are read on the Rust side, whose bindings lay the structs out
 * as C does (rust/task.rs says how task_struct's was checked).
 */
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/namei.h>
#include <linux/proc_fs.h>
#include <linux/pseudo_fs.h>
#include <linux/sched/signal.h>
#include <linux/workqueue.h>

#include "helpers.h"

struct pid *pidfd_open_get_pid(struct pid *pid)
{
	return get_pid(pid);
}

struct pid_namespace *pidfd_open_proc_pid_ns(struct super_block *sb)
{
	return proc_pid_ns(sb);
}

struct dentry *pidfd_open_lookup_noperm_positive_unlocked(const char *name, unsigned int len,
							  struct dentry *base)
{
	return lookup_noperm_positive_unlocked(&QSTR_LEN(name, len), base);
}

const struct cred *pidfd_open_current_cred(void)
{
	return current_cred();
}

bool pidfd_open_delay_group_leader(struct task_struct *task)
{
	return delay_group_leader(task);
}

pid_t pidfd_open_task_ppid_vnr(struct task_struct *task)
{
	return task_ppid_vnr(task);
}

#ifdef CONFIG_CGROUPS
/* The caller holds the RCU read lock, as task_dfl_cgroup() requires. */
u64 pidfd_open_task_dfl_cgroup_id(struct task_struct *task)
{
	return cgroup_id(task_dfl_cgroup(task));
}
#endif

bool pidfd_open_inode_is_new(struct inode *inode)
{
	return inode_state_read_once(inode) & I_NEW;
}

void pidfd_open_file_set_nonotify(struct file *file)
{
	file_set_fsnotify_mode(file, FMODE_NONOTIFY);
}

/*
 * init_pseudo() with the context's operations set; pidfs's settings: dentries
 * are freed with their last reference (DCACHE_DONTCACHE).
 */
int pidfd_open_init_pseudo(struct fs_context *fc, unsigned long magic,
			   const struct super_operations *ops,
			   const struct dentry_operations *dops)
{
	struct pseudo_fs_context *ctx = init_pseudo(fc, magic);

	if (!ctx)
		return -ENOMEM;
	ctx->ops = ops;
	ctx->dops = dops;
	ctx->s_d_flags |= DCACHE_DONTCACHE;
	return 0;
}

/* The work item that unmounts the module's idle file system (rust/pidfd_fs.rs). */
static DECLARE_DELAYED_WORK(pidfd_open_unmount_work, pidfd_open_fs_unmount_idle);

void pidfd_open_schedule_unmount(unsigned int delay_ms)
{
	schedule_delayed_work(&pidfd_open_unmount_work, msecs_to_jiffies(delay_ms));
}

void pidfd_open_cancel_unmount(void)
{
	cancel_delayed_work_sync(&pidfd_open_unmount_work);
}
