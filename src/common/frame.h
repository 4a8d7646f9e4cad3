/*
 * frame: the wire framing shared by hcctld, hcnoded and the commands.
 *
 * Every message is one frame: a fixed 24-byte header, then cred_len bytes of
 * credential (a munge credential string, or nothing), then body_len bytes of
 * body (UTF-8 JSON text, decoded against the type's schema in msg.h).
 *
 *	offset size field
 *	0      4    magic      0x48434d31 ("HCM1"), network byte order
 *	4      1    ver_major  HC_PROTO_MAJOR
 *	5      1    ver_minor  HC_PROTO_MINOR
 *	6      2    type       enum hc_msg_type
 *	8      4    reqid      chosen by the requester, echoed in the reply
 *	12     4    cred_len   <= HC_FRAME_CRED_MAX
 *	16     4    body_len   <= hc_msg_max_body(type)
 *	20     4    flags      0 (reserved; must be zero)
 *
 * Limits are checked from the header alone, before anything is buffered: a
 * reader calls hc_frame_hdr_decode() on the first 24 bytes and closes the
 * connection if it fails. A peer is accepted if its major version matches and
 * its minor is ours or one older (rolling upgrades).
 *
 * Authentication of a request: the credential is a munge credential whose
 * payload is hc_frame_digest(type, reqid, body) (SHA-256), so a captured
 * credential cannot be attached to another body. uid/gid come from munge.
 */
#ifndef HC_FRAME_H
#define HC_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "hc_err.h"

#define HC_FRAME_MAGIC 0x48434d31u
#define HC_FRAME_HDR_LEN 24
#define HC_FRAME_CRED_MAX 4096
#define HC_FRAME_DIGEST_LEN 32

struct hc_frame_hdr {
	uint32_t magic;
	uint8_t ver_major;
	uint8_t ver_minor;
	uint16_t type;
	uint32_t reqid;
	uint32_t cred_len;
	uint32_t body_len;
	uint32_t flags;
};

/* Write hdr into out (24 bytes, network order). */
void hc_frame_hdr_encode(const struct hc_frame_hdr *hdr,
			 uint8_t out[HC_FRAME_HDR_LEN]);

/* Decode and validate a header: magic, version, known type, flags == 0,
 * cred_len <= HC_FRAME_CRED_MAX, body_len <= hc_msg_max_body(type).
 * Returns 0, or -1 with err (HC_EPROTO) saying which check failed. */
int hc_frame_hdr_decode(const uint8_t in[HC_FRAME_HDR_LEN],
			struct hc_frame_hdr *hdr, struct hc_err *err);

/* A parsed frame pointing into a caller's buffer (borrowed pointers). */
struct hc_frame_view {
	struct hc_frame_hdr hdr;
	const char *cred;	/* cred_len bytes, not NUL-terminated */
	const char *body;	/* body_len bytes, not NUL-terminated */
};

/* Parse one frame from buf[0..len). Returns the number of bytes the frame
 * occupies (> 0) when complete, 0 when more bytes are needed, -1 on a bad
 * header (err filled). The view borrows buf. */
long hc_frame_parse(const void *buf, size_t len, struct hc_frame_view *view,
		    struct hc_err *err);

/* Build a complete frame in a new malloc'ed buffer (caller frees); *lenp gets
 * its size. cred may be NULL (cred_len 0); body may be NULL (body_len 0).
 * Never fails except on out-of-memory (fatal). */
uint8_t *hc_frame_build(uint16_t type, uint32_t reqid, const char *cred,
			size_t cred_len, const char *body, size_t body_len,
			size_t *lenp);

/* SHA-256 over type (2 bytes BE) || reqid (4 bytes BE) || body: the payload
 * a request's munge credential carries. */
void hc_frame_digest(uint16_t type, uint32_t reqid, const char *body,
		     size_t body_len, uint8_t out[HC_FRAME_DIGEST_LEN]);

#endif
