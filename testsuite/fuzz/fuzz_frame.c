/*
 * fuzz_frame: a byte stream as a peer would send it, cut into frames by
 * hc_frame_parse(); each complete frame's body is decoded against its
 * type's schema, as hcctld and hcnoded do. Properties: a frame's view lies
 * inside the buffer, and its header encodes back to the bytes it came from.
 */
#include "config.h"

#include <jansson.h>

#include "frame.h"
#include "fuzz.h"
#include "msg.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;

	while (off < size) {
		struct hc_frame_view v;
		struct hc_err err = { 0 };
		uint8_t hdr[HC_FRAME_HDR_LEN];
		uint8_t digest[HC_FRAME_DIGEST_LEN];
		long n = hc_frame_parse(data + off, size - off, &v, &err);
		json_t *body;

		if (n < 0)
			fuzz_assert(err.code == HC_EPROTO && err.text[0]);
		if (n <= 0)
			break;
		fuzz_assert((size_t)n >= HC_FRAME_HDR_LEN &&
			    (size_t)n <= size - off);
		fuzz_assert((const uint8_t *)v.cred == data + off +
							      HC_FRAME_HDR_LEN);
		fuzz_assert((const uint8_t *)v.body + v.hdr.body_len ==
			    data + off + n);
		hc_frame_hdr_encode(&v.hdr, hdr);
		fuzz_assert(memcmp(hdr, data + off, HC_FRAME_HDR_LEN) == 0);
		body = hc_msg_decode(v.hdr.type, v.body, v.hdr.body_len, &err);
		fuzz_assert(body || err.text[0]);
		json_decref(body);
		hc_frame_digest(v.hdr.type, v.hdr.reqid, v.body,
				v.hdr.body_len, digest);
		off += (size_t)n;
	}
	return 0;
}
