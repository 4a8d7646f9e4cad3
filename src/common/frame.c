/*
 * frame: encoding and checking of the 24-byte frame header (see frame.h).
 *
 * Every limit is checked from the header alone, so a reader never buffers
 * more than the type allows before it has decided the frame is acceptable.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include <nettle/sha2.h>

#include "frame.h"
#include "log.h"
#include "msg.h"

static void
put32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

static void
put16(uint8_t *p, uint16_t v)
{
	v = htons(v);
	memcpy(p, &v, 2);
}

static uint32_t
get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

static uint16_t
get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return ntohs(v);
}

void
hc_frame_hdr_encode(const struct hc_frame_hdr *hdr,
		    uint8_t out[HC_FRAME_HDR_LEN])
{
	put32(out + 0, hdr->magic);
	out[4] = hdr->ver_major;
	out[5] = hdr->ver_minor;
	put16(out + 6, hdr->type);
	put32(out + 8, hdr->reqid);
	put32(out + 12, hdr->cred_len);
	put32(out + 16, hdr->body_len);
	put32(out + 20, hdr->flags);
}

/* Accept our major and our minor or the one before it (rolling upgrades). */
static int
version_ok(unsigned major, unsigned minor)
{
	if (major != HC_PROTO_MAJOR)
		return 0;
	return minor == HC_PROTO_MINOR ||
	       (HC_PROTO_MINOR > 0 && minor + 1 == HC_PROTO_MINOR);
}

int
hc_frame_hdr_decode(const uint8_t in[HC_FRAME_HDR_LEN],
		    struct hc_frame_hdr *hdr, struct hc_err *err)
{
	size_t max;

	hdr->magic = get32(in + 0);
	hdr->ver_major = in[4];
	hdr->ver_minor = in[5];
	hdr->type = get16(in + 6);
	hdr->reqid = get32(in + 8);
	hdr->cred_len = get32(in + 12);
	hdr->body_len = get32(in + 16);
	hdr->flags = get32(in + 20);

	if (hdr->magic != HC_FRAME_MAGIC)
		return hc_err_set(err, HC_EPROTO,
				  "bad frame magic 0x%08x (not an hc peer?)",
				  (unsigned)hdr->magic);
	if (!version_ok(hdr->ver_major, hdr->ver_minor))
		return hc_err_set(err, HC_EPROTO,
				  "protocol version %u.%u not supported (this "
				  "side speaks %u.%u, accepts %u.%u-%u.%u); "
				  "upgrade the older side",
				  hdr->ver_major, hdr->ver_minor,
				  HC_PROTO_MAJOR, HC_PROTO_MINOR,
				  HC_PROTO_MAJOR,
				  HC_PROTO_MINOR > 0 ? HC_PROTO_MINOR - 1 : 0,
				  HC_PROTO_MAJOR, HC_PROTO_MINOR);
	max = hc_msg_max_body(hdr->type);
	if (max == 0)
		return hc_err_set(err, HC_EPROTO, "unknown message type %u",
				  hdr->type);
	if (hdr->flags != 0)
		return hc_err_set(err, HC_EPROTO,
				  "%s: reserved flags 0x%x must be zero",
				  hc_msg_name(hdr->type),
				  (unsigned)hdr->flags);
	if (hdr->cred_len > HC_FRAME_CRED_MAX)
		return hc_err_set(err, HC_EPROTO,
				  "%s: credential length %u exceeds %u",
				  hc_msg_name(hdr->type),
				  (unsigned)hdr->cred_len, HC_FRAME_CRED_MAX);
	if (hdr->body_len > max)
		return hc_err_set(err, HC_EPROTO,
				  "%s: body length %u exceeds %zu",
				  hc_msg_name(hdr->type),
				  (unsigned)hdr->body_len, max);
	return 0;
}

long
hc_frame_parse(const void *buf, size_t len, struct hc_frame_view *view,
	       struct hc_err *err)
{
	const uint8_t *p = buf;
	struct hc_frame_hdr hdr;
	size_t total;

	if (len < HC_FRAME_HDR_LEN)
		return 0;
	if (hc_frame_hdr_decode(p, &hdr, err) < 0)
		return -1;
	/* Both lengths are bounded (<= 256 MiB + 4 KiB): no overflow. */
	total = (size_t)HC_FRAME_HDR_LEN + hdr.cred_len + hdr.body_len;
	if (len < total)
		return 0;
	if (view) {
		view->hdr = hdr;
		view->cred = (const char *)p + HC_FRAME_HDR_LEN;
		view->body = view->cred + hdr.cred_len;
	}
	return (long)total;
}

uint8_t *
hc_frame_build(uint16_t type, uint32_t reqid, const char *cred,
	       size_t cred_len, const char *body, size_t body_len,
	       size_t *lenp)
{
	struct hc_frame_hdr hdr = {
		.magic = HC_FRAME_MAGIC,
		.ver_major = HC_PROTO_MAJOR,
		.ver_minor = HC_PROTO_MINOR,
		.type = type,
		.reqid = reqid,
		.cred_len = cred ? (uint32_t)cred_len : 0,
		.body_len = body ? (uint32_t)body_len : 0,
		.flags = 0,
	};
	size_t total = HC_FRAME_HDR_LEN + (size_t)hdr.cred_len + hdr.body_len;
	uint8_t *out = hc_malloc(total);

	hc_frame_hdr_encode(&hdr, out);
	if (hdr.cred_len)
		memcpy(out + HC_FRAME_HDR_LEN, cred, hdr.cred_len);
	if (hdr.body_len)
		memcpy(out + HC_FRAME_HDR_LEN + hdr.cred_len, body,
		       hdr.body_len);
	if (lenp)
		*lenp = total;
	return out;
}

void
hc_frame_digest(uint16_t type, uint32_t reqid, const char *body,
		size_t body_len, uint8_t out[HC_FRAME_DIGEST_LEN])
{
	/* nettle rather than libcrypto: every command computes this, and
	 * loading OpenSSL cost each one about 1.5 ms of start-up. */
	struct sha256_ctx s;
	uint8_t pre[6];

	put16(pre, type);
	put32(pre + 2, reqid);
	sha256_init(&s);
	sha256_update(&s, sizeof(pre), pre);
	if (body_len)
		sha256_update(&s, body_len, (const uint8_t *)body);
	sha256_digest(&s, HC_FRAME_DIGEST_LEN, out);
}
