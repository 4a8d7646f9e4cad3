/*
 * rsh_peer: which job an hc-rsh caller belongs to. Security: this is the
 * whole of hc-rsh's authentication, with SO_PEERCRED's uid (checked against
 * the job's owner by rsh.c). The cgroup is the kernel's record of where a
 * process runs: a job's processes are put in its cgroup by this agent
 * before they drop privileges, and the directories are root's, so a user
 * cannot move a process into another job's cgroup (nor out of its own
 * into one of this node's). Nothing the caller says - its environment,
 * its request - enters this decision.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsh.h"

/* The path of the line for the hierarchy we trust, or NULL. */
static const char *
peer_line(const char *text, enum cgroup_mode mode, char *buf, size_t len)
{
	const char *want = mode == CGROUP_V2 ? "" : "freezer";

	for (const char *l = text; l && *l;) {
		const char *nl = strchr(l, '\n'), *c1, *c2;
		size_t n = nl ? (size_t)(nl - l) : strlen(l);

		c1 = memchr(l, ':', n);
		c2 = c1 ? memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - l)) : NULL;
		if (c2 && (size_t)(c2 - c1 - 1) == strlen(want) &&
		    strncmp(c1 + 1, want, strlen(want)) == 0 &&
		    (mode != CGROUP_V2 || strncmp(l, "0::", 3) == 0)) {
			size_t pl = n - (size_t)(c2 + 1 - l);
			if (pl >= len)
				return NULL;
			memcpy(buf, c2 + 1, pl);
			buf[pl] = '\0';
			return buf;
		}
		l = nl ? nl + 1 : NULL;
	}
	return NULL;
}

uint32_t
rsh_peer_parse(const char *text, enum cgroup_mode mode, const char *prefix,
	       const char *node, struct hc_err *err)
{
	char path[PATH_MAX], want[PATH_MAX];
	const char *p, *end;
	unsigned long id;
	int n;

	if (mode == CGROUP_NONE) {
		hc_err_set(err, HC_EPERM, "this node runs jobs without "
			   "cgroups, so the caller's job cannot be proven");
		return 0;
	}
	if (!peer_line(text, mode, path, sizeof(path))) {
		hc_err_set(err, HC_EPERM, "the caller's cgroup is unreadable");
		return 0;
	}
	n = snprintf(want, sizeof(want), "/%s/%s/job_", prefix, node);
	if (n < 0 || (size_t)n >= sizeof(want) ||
	    strncmp(path, want, (size_t)n) != 0) {
		hc_err_set(err, HC_EPERM, "the caller runs in no job of node "
			   "%s (cgroup %s): hc-rsh works only inside a job",
			   node, path);
		return 0;
	}
	p = path + n;
	errno = 0;
	id = strtoul(p, (char **)&end, 10);
	if (end == p || *p == '0' || *p == '+' || *p == '-' || errno ||
	    id > UINT32_MAX || (*end && *end != '/')) {
		hc_err_set(err, HC_EPERM, "the caller runs in no job of node "
			   "%s (cgroup %s): hc-rsh works only inside a job",
			   node, path);
		return 0;
	}
	return (uint32_t)id;
}
