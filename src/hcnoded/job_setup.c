/*
 * job_setup: turn a JOB_LAUNCH body into a job ready to start: who it runs
 * as, its CPUs and GPUs, its files in the spool (the script and the node
 * file, the user's), its private TMPDIR and its cgroup.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "discover.h"
#include "hostlist.h"
#include "job.h"
#include "log.h"
#include "noded.h"
#include "usercache.h"

static int
int_array(json_t *a, int **out, size_t *n)
{
	size_t i;
	json_t *v;

	*n = 0;
	*out = hc_calloc(json_array_size(a) + 1, sizeof(int));
	json_array_foreach(a, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 65535)
			return -1;
		(*out)[(*n)++] = (int)json_integer_value(v);
	}
	return 0;
}

/* Create path (O_EXCL: never through a file or link someone left) holding
 * text, the user's. A file left by an earlier launch of this id is
 * replaced. */
static int
write_file(const char *path, const char *text, mode_t mode, uid_t uid,
	   gid_t gid, struct hc_err *err)
{
	int flags = O_WRONLY | O_CREAT | O_TRUNC | O_EXCL | O_CLOEXEC;
	size_t len = strlen(text);
	int fd = open(path, flags, mode);

	if (fd < 0 && errno == EEXIST && unlink(path) == 0)
		fd = open(path, flags, mode);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len ||
	    fchown(fd, uid, gid) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		errno = e;
		return hc_err_set(err, HC_EIO, "%s: %s", path, strerror(e));
	}
	return close(fd);
}

/* The job's private directory (TMPDIR), 0700, the user's. A fresh one
 * (the usual case) needs only its owner set: mkdir gave the mode, and in
 * a sticky /tmp nobody else can swap it. One left behind is opened
 * without following links and fixed through its descriptor. */
static int
make_dir(const char *path, uid_t uid, gid_t gid, struct hc_err *err)
{
	int fd;

	if (mkdir(path, 0700) == 0) {
		if (lchown(path, uid, gid) < 0)
			return hc_err_set(err, HC_EIO, "chown %s: %s", path,
					  strerror(errno));
		return 0;
	}
	if (errno != EEXIST)
		return hc_err_set(err, HC_EIO, "mkdir %s: %s", path,
				  strerror(errno));
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fchown(fd, uid, gid) < 0 || fchmod(fd, 0700) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return hc_err_set(err, HC_EIO, "%s exists and cannot be made "
				  "the job's (%s); remove it", path,
				  strerror(e));
	}
	return close(fd);
}

/* Seconds on a clock that does not jump (the user cache's age). */
static time_t
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Who the job runs as: its name and, as root, its groups, so that the
 * child only calls setgroups() (an initgroups() after fork loaded the NSS
 * modules again in every job's process). From the user cache: NSS is
 * asked at most once a USERCACHE_TTL per user (usercache.c).
 * Security: uid/gid come from the controller, which took them from the
 * submitter's munge credential. */
static int
job_identity(struct noded *nd, struct job *j, struct hc_err *err)
{
	json_t *s = j->spec;
	json_t *uid = json_object_get(s, "uid"), *gid = json_object_get(s,
									 "gid");
	const char *user = json_string_value(json_object_get(s, "user"));
	bool root = geteuid() == 0;
	const struct user_info *u;
	struct hc_err lerr = { 0 };

	if (!json_is_integer(uid) || !json_is_integer(gid) ||
	    json_integer_value(uid) < 0 || json_integer_value(gid) < 0)
		return hc_err_set(err, HC_EINVAL, "launch without uid/gid");
	j->uid = (uid_t)json_integer_value(uid);
	j->gid = (gid_t)json_integer_value(gid);
	/* Security: root jobs only where the site allows them. */
	if (j->uid == 0 && !nd->conf->allow_root_jobs)
		return hc_err_set(err, HC_EPERM, "refused to run a job as "
				  "root; set AllowRootJobs=yes to allow it");
	u = usercache_get(nd->users, j->uid, j->gid, root, mono_now(), &lerr);
	if (!u && (root || lerr.code != HC_ENOENT)) {
		if (err)
			*err = lerr;
		return -1;
	}
	j->user = hc_strdup(u ? u->name : user ? user : "nobody");
	if (u && u->groups) {
		j->ngroups = u->ngroups;
		j->groups = hc_calloc((size_t)u->ngroups + 1, sizeof(gid_t));
		memcpy(j->groups, u->groups, (size_t)u->ngroups *
		       sizeof(gid_t));
	}
	return 0;
}

/* Append name to the growing text, times times, one per line. */
static void
text_add(char **text, size_t *cap, size_t *off, const char *name,
	 size_t times)
{
	size_t n = strlen(name);

	for (size_t t = 0; t < times; t++) {
		if (*off + n + 2 > *cap)
			*text = hc_realloc(*text, *cap = (*off + n + 2) * 2);
		*off += (size_t)snprintf(*text + *off, *cap - *off, "%s\n",
					 name);
	}
}

/* The node file MPI launchers read (HC_NODEFILE): one host name per line,
 * repeated once per task slot of that node, in allocation order (the batch
 * node first); from LAUNCH's node_tasks, else one line per node of the
 * nodelist. Names are hc node names (hc-rsh routes by them). */
static char *
nodefile_text(struct noded *nd, const struct job *j, struct hc_err *err)
{
	json_t *nt = json_object_get(j->spec, "node_tasks"), *v;
	const char *nl = json_string_value(json_object_get(j->spec,
							   "nodelist"));
	size_t cap = 64, off = 0, i;
	char *text = hc_malloc(cap);
	struct hostlist *hl;

	text[0] = '\0';
	json_array_foreach(nt, i, v) {
		const char *name = json_string_value(json_object_get(v,
								     "node"));
		json_int_t t = json_integer_value(json_object_get(v, "tasks"));
		if (!name || !*name || strchr(name, '\n') || t < 1 ||
		    t > 1000000) {
			free(text);
			hc_err_set(err, HC_EINVAL, "bad node_tasks entry %zu",
				   i);
			return NULL;
		}
		text_add(&text, &cap, &off, name, (size_t)t);
	}
	if (off)
		return text;
	if (!(hl = hostlist_parse(nl && *nl ? nl : nd->me->name, err))) {
		free(text);
		return NULL;
	}
	for (i = 0; i < hl->count; i++)
		text_add(&text, &cap, &off, hl->names[i], 1);
	hostlist_destroy(hl);
	return text;
}

/* The job's files: in the spool, <spool>/job_<id>.script (batch only,
 * 0700) and <spool>/job_<id>.nodefile (0600), the user's, as plain files
 * (no directory per job: a mkdir and rmdir fewer per job on the spool's
 * file system); and the private TMPDIR. */
static int
job_files(struct noded *nd, struct job *j, struct hc_err *err)
{
	const char *script = json_string_value(json_object_get(j->spec,
							       "script"));
	const char *tmp = nd->conf->tmp_dir && *nd->conf->tmp_dir ?
			  nd->conf->tmp_dir : "/tmp";
	char *text;
	int rc;

	j->nodefile = hc_asprintf("%s/job_%u.nodefile", nd->spool, j->id);
	if (j->batch)
		j->script = hc_asprintf("%s/job_%u.script", nd->spool, j->id);
	j->tmpdir = hc_asprintf("%s/hc.%s.%u", tmp, nd->me->name, j->id);
	if (make_dir(j->tmpdir, j->uid, j->gid, err) < 0)
		return -1;
	if (!(text = nodefile_text(nd, j, err)))
		return -1;
	rc = write_file(j->nodefile, text, 0600, j->uid, j->gid, err);
	free(text);
	if (rc < 0 || (j->batch && write_file(j->script, script ? script : "",
					      0700, j->uid, j->gid, err) < 0))
		return -1;
	return 0;
}

int
job_setup(struct noded *nd, struct job *j, struct hc_err *err)
{
	struct cgroup_limits lim = { 0 };
	json_t *s = j->spec;

	j->first = json_is_true(json_object_get(s, "batch"));
	j->interactive = json_is_true(json_object_get(s, "interactive"));
	j->batch = j->first && !j->interactive;
	if (job_identity(nd, j, err) < 0)
		return -1;
	if (j->batch && !json_is_string(json_object_get(s, "script")))
		return hc_err_set(err, HC_EINVAL, "batch launch without a "
				  "script");
	if (int_array(json_object_get(s, "cpu_ids"), &j->cpu_ids,
		      &j->ncpus) < 0 ||
	    int_array(json_object_get(s, "gpu_ids"), &j->gpu_ids,
		      &j->ngpus) < 0)
		return hc_err_set(err, HC_EINVAL, "bad cpu_ids or gpu_ids");
	for (size_t i = 0; i < j->ngpus; i++)
		if ((size_t)j->gpu_ids[i] >= nd->disc->gpu_count)
			return hc_err_set(err, HC_EINVAL, "gpu %d is not on "
					  "this node", j->gpu_ids[i]);
	if (job_files(nd, j, err) < 0)
		return -1;
	lim.mem_mb = (uint64_t)json_integer_value(json_object_get(s,
								  "mem_mb"));
	lim.cpu_ids = j->cpu_ids;
	lim.ncpus = j->ncpus;
	lim.gpu_ids = j->gpu_ids;
	lim.ngpus = j->ngpus;
	lim.node_gpus = nd->disc->gpu_count;
	return cgroup_job_create(nd->cg, j->id, &lim, err);
}
