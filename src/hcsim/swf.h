/*
 * swf: a strict reader of the Standard Workload Format (the Parallel
 * Workloads Archive's traces), for hcsim.
 *
 * A data line has 18 whitespace-separated numbers, -1 for unknown:
 *  1 job number  2 submit time  3 wait time  4 run time  5 allocated
 *  processors  6 average CPU time  7 used memory  8 requested processors
 *  9 requested time  10 requested memory  11 status  12 user id  13 group
 *  id  14 executable  15 queue  16 partition  17 preceding job  18 think
 *  time.
 * Lines starting with ';' are header comments; of them only "MaxProcs: N"
 * and "MaxNodes: N" are read. Any other line that is not 18 numbers is an
 * error naming the line, the field and what was wrong; nothing is guessed.
 */
#ifndef HCSIM_SWF_H
#define HCSIM_SWF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hc_err.h"

#define SWF_FIELDS 18
#define SWF_LINE_MAX 4096

struct swf_job {
	int64_t id;		/* field 1 */
	int64_t submit;		/* field 2, seconds, >= 0 */
	int64_t run;		/* field 4, seconds; -1 unknown */
	int64_t procs;		/* field 8, else field 5; -1 unknown */
	int64_t req_time;	/* field 9, seconds; -1 none */
	int64_t user;		/* field 12; -1 unknown */
	uint32_t line;		/* where it was read */
};

struct swf_trace {
	struct swf_job *jobs;	/* in file order, owned */
	size_t count, cap;
	long max_procs;		/* header MaxProcs, 0 = absent */
	long max_nodes;		/* header MaxNodes, 0 = absent */
};

/* Parse one line (without its newline) into *t: a header adds what it
 * names, a data line appends a job, a blank line does nothing. -1 with
 * why (len bytes) on a bad line. */
int swf_parse_line(struct swf_trace *t, const char *line, uint32_t lineno,
		   char *why, size_t len);

/* Read a whole trace; errors are "name:line: problem; hint". t must be
 * zeroed; free it with swf_free even on failure. */
int swf_read(FILE *f, const char *name, struct swf_trace *t,
	     struct hc_err *err);
void swf_free(struct swf_trace *t);

#endif
