/*
 * cgroup_io: small file helpers for cgroup control files (one value per
 * write, as the kernel wants), and CPU list parsing ("0-3,8").
 */
#ifndef HC_CGROUP_IO_H
#define HC_CGROUP_IO_H

#include <stddef.h>

/* Write val to path in one write(2). 0 or -1 (errno). */
int cgio_write(const char *path, const char *val);
int cgio_write_in(const char *dir, const char *file, const char *val);
/* Read at most len-1 bytes, NUL-terminate, strip trailing newlines.
 * Returns the length, or -1. */
long cgio_read(const char *path, char *buf, size_t len);
/* Parse "0-3,8" into a new array (caller frees). 0 or -1. */
int cgio_list_parse(const char *text, int **out, size_t *n);
/* Processes listed in dir/cgroup.procs (0 if unreadable). */
int cgio_count_procs(const char *dir);
/* kill(pid, sig) each process in dir/cgroup.procs; returns how many. */
int cgio_signal_procs(const char *dir, int sig);

#endif
