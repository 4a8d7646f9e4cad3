/*
 * fuzz_hostlist: host list expressions ("n[001-128],gpu1") as they come in
 * requests and hc.conf. Property: the compressed form of a list expands
 * back to the same set of names, and compresses to itself.
 */
#include "config.h"

#include "fuzz.h"
#include "hostlist.h"

static void
same_names(const struct hostlist *a, const struct hostlist *b)
{
	fuzz_assert(a->count == b->count);
	for (size_t i = 0; i < a->count; i++)
		fuzz_assert(strcmp(a->names[i], b->names[i]) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hc_err err = { 0 };
	char *expr = fuzz_cstr(data, size), *ranged, *ranged2;
	struct hostlist *hl = hostlist_parse(expr, &err), *back;

	if (!hl) {
		fuzz_assert(err.code == HC_EINVAL && err.text[0]);
		free(expr);
		return 0;
	}
	fuzz_assert(hl->count <= HOSTLIST_MAX);
	/* hostlist_find is linear: try a few names, not all (65536^2). */
	for (size_t i = 0; i < hl->count; i += 1 + hl->count / 8)
		fuzz_assert(hostlist_find(hl, hl->names[i]) >= 0);
	ranged = hostlist_ranged(hl);
	back = hostlist_parse(ranged, &err);
	if (!back)
		fprintf(stderr, "%s -> %s: %s\n", expr, ranged, err.text);
	fuzz_assert(back);
	hostlist_uniq(hl);
	hostlist_uniq(back);
	same_names(hl, back);
	ranged2 = hostlist_ranged(back);
	fuzz_assert(strcmp(ranged, ranged2) == 0);
	free(ranged2);
	free(ranged);
	hostlist_destroy(back);
	hostlist_destroy(hl);
	free(expr);
	return 0;
}
