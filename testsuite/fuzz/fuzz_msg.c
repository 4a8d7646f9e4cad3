/*
 * fuzz_msg: message bodies decoded against each type's schema. The first
 * byte picks the type (a known type number as itself, anything else as an
 * index into hc_msg_types()); the rest is the body. Property: a body that
 * decodes, encoded again, decodes again (what a relay or a re-read would
 * do). An empty body is {} and answers to the schema like any other.
 */
#include "config.h"

#include <jansson.h>

#include "fuzz.h"
#include "msg.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hc_err err = { 0 };
	size_t ntypes, len;
	const uint16_t *types = hc_msg_types(&ntypes);
	unsigned type;
	json_t *obj, *again;
	char *enc;

	if (size < 1 || ntypes == 0)
		return 0;
	type = hc_msg_name(data[0]) ? data[0] : types[data[0] % ntypes];
	obj = hc_msg_decode(type, (const char *)data + 1, size - 1, &err);
	if (!obj) {
		fuzz_assert(err.code != HC_OK && err.text[0]);
		return 0;
	}
	fuzz_assert(json_is_object(obj));
	enc = hc_msg_encode(obj, &len);
	fuzz_assert(enc && strlen(enc) == len);
	if (len <= hc_msg_max_body(type)) {
		again = hc_msg_decode(type, enc, len, &err);
		if (!again)
			fprintf(stderr, "re-decode of %s: %s\n", enc, err.text);
		fuzz_assert(again && json_equal(obj, again));
		json_decref(again);
	}
	free(enc);
	json_decref(obj);
	return 0;
}
