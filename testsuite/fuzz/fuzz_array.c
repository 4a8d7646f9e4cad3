/*
 * fuzz_array: job array specifications (hcsub --array, hccancel 123_[..],
 * hcctl hold job 123_[..]) as they come in requests. Input "A" or "A|B".
 * Properties: a set prints to a form that parses back to the same tasks;
 * A cut by B splits A's tasks exactly into those in B and the others, and
 * their union is A again.
 */
#include "config.h"

#include "array.h"
#include "fuzz.h"

/* Most tasks walked one by one per set (membership checks). */
#define WALK_MAX 20000

static void
same_tasks(const struct array_set *a, const struct array_set *b)
{
	uint64_t n = 0;

	fuzz_assert(array_set_size(a) == array_set_size(b));
	for (int64_t t = -1; (t = array_set_next(a, t)) >= 0 &&
	     n++ < WALK_MAX;)
		fuzz_assert(array_set_contains(b, (uint32_t)t));
}

static void
round_trip(const struct array_set *s)
{
	struct hc_err err = { 0 };
	struct array_set back;
	char *f = array_set_format(s, true);

	fuzz_assert(f);
	if (s->count <= ARRAY_RANGES_MAX && strlen(f) <= ARRAY_SPEC_MAX) {
		if (array_set_parse(&back, f, &err) < 0)
			fprintf(stderr, "%s: %s\n", f, err.text);
		fuzz_assert(back.count || !s->count);
		same_tasks(s, &back);
		fuzz_assert(back.throttle == s->throttle);
		array_set_free(&back);
	}
	free(f);
}

static void
cut(const struct array_set *a, const struct array_set *b)
{
	struct array_set in, out, u;
	uint64_t n = 0;

	fuzz_assert(array_set_cut(a, b, &in, &out) == 0);
	fuzz_assert(array_set_size(&in) + array_set_size(&out) ==
		    array_set_size(a));
	for (int64_t t = -1; (t = array_set_next(a, t)) >= 0 &&
	     n++ < WALK_MAX;) {
		bool inb = array_set_contains(b, (uint32_t)t);

		fuzz_assert(array_set_contains(&in, (uint32_t)t) == inb);
		fuzz_assert(array_set_contains(&out, (uint32_t)t) == !inb);
	}
	fuzz_assert(array_set_union(&u, &out, &in) == 0);
	same_tasks(a, &u);
	round_trip(&u);
	array_set_free(&in);
	array_set_free(&out);
	array_set_free(&u);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hc_err err = { 0 };
	char *in = fuzz_cstr(data, size), *bar = strchr(in, '|');
	struct array_set a, b;

	if (bar)
		*bar = '\0';
	if (array_set_parse(&a, in, &err) < 0) {
		fuzz_assert(err.code == HC_EINVAL && err.text[0]);
		fuzz_assert(a.count == 0 && !a.ranges);
		free(in);
		return 0;
	}
	round_trip(&a);
	if (bar && array_set_parse(&b, bar + 1, NULL) == 0) {
		cut(&a, &b);
		cut(&b, &a);
		array_set_free(&b);
	}
	array_set_free(&a);
	free(in);
	return 0;
}
