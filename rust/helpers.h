/* SPDX-License-Identifier: GPL-2.0 */
/* Prototypes of rust/helpers.c; rust/helpers.rs declares the same for Rust. */
#ifndef PIDFD_OPEN_HELPERS_H
#define PIDFD_OPEN_HELPERS_H

#include <linux/fs.h>
#include <linux/pid.h>
#include <linux/sched.h>

struct pid *pidfd_open_get_pid(struct pid *pid);
struct pid_namespace *pidfd_open_proc_pid_ns(struct super_block *sb);
struct dentry *pidfd_open_lookup_noperm_positive_unlocked(const char *name, unsigned int len,
							  struct dentry *base);
const struct cred *pidfd_open_current_cred(void);
bool pidfd_open_delay_group_leader(struct task_struct *task);
pid_t pidfd_open_task_ppid_vnr(struct task_struct *task);
bool pidfd_open_inode_is_new(struct inode *inode);
void pidfd_open_file_set_nonotify(struct file *file);
int pidfd_open_init_pseudo(struct fs_context *fc, unsigned long magic,
			   const struct super_operations *ops,
			   const struct dentry_operations *dops);
void pidfd_open_schedule_unmount(unsigned int delay_ms);
void pidfd_open_cancel_unmount(void);
/* In Rust (rust/pidfd_fs.rs): what the work item runs. */
void pidfd_open_fs_unmount_idle(struct work_struct *work);
#ifdef CONFIG_CGROUPS
u64 pidfd_open_task_dfl_cgroup_id(struct task_struct *task);
#endif

#endif /* PIDFD_OPEN_HELPERS_H */
