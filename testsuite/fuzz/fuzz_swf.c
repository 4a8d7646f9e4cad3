/*
 * fuzz_swf: hcsim's Standard Workload Format reader on any bytes.
 * Properties: a refused trace names a line that exists, with the file's
 * name; an accepted one holds only jobs with a submit time >= 0 and known
 * fields >= -1, and each job written back as an SWF line parses to the
 * same job.
 */
#include "config.h"

#include "fuzz.h"
#include "swf.h"

static void
round_trip(const struct swf_job *j)
{
	struct swf_trace t = { 0 };
	char line[512], why[256];

	snprintf(line, sizeof(line), "%lld %lld -1 %lld %lld -1 -1 %lld %lld "
		 "-1 1 %lld -1 -1 -1 -1 -1 -1", (long long)j->id,
		 (long long)j->submit, (long long)j->run,
		 (long long)j->procs, (long long)j->procs,
		 (long long)j->req_time, (long long)j->user);
	fuzz_assert(swf_parse_line(&t, line, 1, why, sizeof(why)) == 0);
	fuzz_assert(t.count == 1);
	fuzz_assert(t.jobs[0].id == j->id && t.jobs[0].submit == j->submit &&
		    t.jobs[0].run == j->run && t.jobs[0].req_time ==
		    j->req_time && t.jobs[0].user == j->user);
	fuzz_assert(j->procs <= 0 || t.jobs[0].procs == j->procs);
	swf_free(&t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size ? size : 1, "r");
	struct swf_trace t = { 0 };
	struct hc_err err = { 0 };
	size_t lines = 1;

	if (!f)
		return 0;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (swf_read(f, "fuzz", &t, &err) < 0) {
		unsigned long at = 0;

		fuzz_assert(!strncmp(err.text, "fuzz:", 5));
		fuzz_assert(sscanf(err.text, "fuzz:%lu:", &at) == 1);
		fuzz_assert(at >= 1 && at <= lines + 1);
	} else {
		fuzz_assert(t.count <= lines);
		for (size_t k = 0; k < t.count; k++) {
			fuzz_assert(t.jobs[k].submit >= 0);
			fuzz_assert(t.jobs[k].run >= -1);
			fuzz_assert(t.jobs[k].req_time >= -1);
			round_trip(&t.jobs[k]);
		}
	}
	fclose(f);
	swf_free(&t);
	return 0;
}
