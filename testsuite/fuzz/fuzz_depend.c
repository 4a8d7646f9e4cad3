/*
 * fuzz_depend: dependency expressions (hcsub --dependency, hcctl update job
 * Dependency=) as they come in requests. Properties: a refused expression
 * says why; an accepted one prints to a canonical form that parses back
 * to the same items and prints to itself.
 */
#include "config.h"

#include "depend.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hc_err err = { 0 };
	char *in = fuzz_cstr(data, size);
	static char buf[65536], buf2[65536];
	struct depend d, back;

	if (depend_parse(in, &d, &err) < 0) {
		fuzz_assert(err.code == HC_EINVAL && err.text[0]);
		free(in);
		return 0;
	}
	fuzz_assert(d.n <= DEP_MAX_ITEMS);
	depend_format(&d, buf, sizeof(buf));
	if (depend_parse(buf, &back, &err) < 0)
		fprintf(stderr, "%s -> %s: %s\n", in, buf, err.text);
	fuzz_assert(back.n == d.n && back.any == d.any);
	for (size_t i = 0; i < d.n; i++) {
		fuzz_assert(back.items[i].type == d.items[i].type);
		fuzz_assert(back.items[i].job_id == d.items[i].job_id);
		fuzz_assert(back.items[i].task_id == d.items[i].task_id);
		fuzz_assert(back.items[i].minutes == d.items[i].minutes);
	}
	depend_format(&back, buf2, sizeof(buf2));
	fuzz_assert(strcmp(buf, buf2) == 0);
	depend_free(&back);
	depend_free(&d);
	free(in);
	return 0;
}
