/*
 * cgroup_io: file helpers for cgroup control files. See cgroup_io.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_io.h"
#include "log.h"

int
cgio_write(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd;

	do
		fd = open(path, O_WRONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -1;
	/* Lowering memory.limit_in_bytes reclaims first and gives up with
	 * EINTR when a signal (SIGCHLD of another job) is pending: the limit
	 * is not set, so try again. */
	do
		n = write(fd, val, len);
	while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n != len) {
		int e = n < 0 ? errno : EIO;
		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

int
cgio_write_in(const char *dir, const char *file, const char *val)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return cgio_write(path, val);
}

long
cgio_read(const char *path, char *buf, size_t len)
{
	ssize_t n, off = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || len == 0)
		return fd < 0 ? -1 : (close(fd), -1);
	while ((size_t)off < len - 1) {
		n = read(fd, buf + off, len - 1 - (size_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += n;
	}
	close(fd);
	buf[off] = '\0';
	while (off > 0 && (buf[off - 1] == '\n' || buf[off - 1] == ' '))
		buf[--off] = '\0';
	return off;
}

int
cgio_list_parse(const char *text, int **out, size_t *n)
{
	size_t cap = 16, cnt = 0;
	int *a = hc_malloc(cap * sizeof(*a));
	const char *p = text;

	while (*p) {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;
		if (end == p || lo < 0)
			goto bad;
		if (*end == '-') {
			p = end + 1;
			hi = strtol(p, &end, 10);
			if (end == p || hi < lo || hi - lo > 65536)
				goto bad;
		}
		for (long v = lo; v <= hi; v++) {
			if (cnt == cap)
				a = hc_realloc(a, (cap *= 2) * sizeof(*a));
			a[cnt++] = (int)v;
		}
		p = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			goto bad;
	}
	*out = a;
	*n = cnt;
	return 0;
bad:
	free(a);
	errno = EINVAL;
	return -1;
}

/* Call fn on each pid of dir/cgroup.procs; returns the count. */
static int
procs_each(const char *dir, int sig)
{
	char path[PATH_MAX], line[32];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if (!(f = fopen(path, "re")))
		return 0;
	while (fgets(line, sizeof(line), f)) {
		long pid = strtol(line, NULL, 10);
		if (pid <= 1)
			continue;
		if (sig == 0 || kill((pid_t)pid, sig) == 0)
			n++;
	}
	fclose(f);
	return n;
}

int
cgio_count_procs(const char *dir)
{
	return procs_each(dir, 0);
}

int
cgio_signal_procs(const char *dir, int sig)
{
	return procs_each(dir, sig);
}
