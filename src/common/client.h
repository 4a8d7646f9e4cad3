/*
 * client: the blocking request/reply client the commands use to talk to
 * hcctld (and, for step streams, to a node agent). Thin and fast to start:
 * no libevent, no hwloc, no LMDB.
 *
 *	struct hc_client *c = hc_client_connect(addr, port, munge_sock, 30, &err);
 *	json_t *rep = hc_client_call(c, HC_MSG_SUBMIT, req, &err);
 *
 * The address to reach comes from hc.conf (ControlAddr/ControlPort) or the
 * HC_CONTROL_ADDR / HC_CONTROL_PORT environment variables, which override it.
 */
#ifndef HC_CLIENT_H
#define HC_CLIENT_H

#include <jansson.h>

#include "hc_err.h"

struct hc_client;

/* Connect over TCP to addr:port. timeout_s bounds the connect and every later
 * call (0 = 30 s). munge_socket may be NULL. Returns NULL with err
 * (HC_ECONN: "cannot reach hcctld at ADDR:PORT: REASON; is it running?"). */
struct hc_client *hc_client_connect(const char *addr, int port,
				    const char *munge_socket, int timeout_s,
				    struct hc_err *err);
/* NULL is a no-op. */
void hc_client_destroy(struct hc_client *c);

/* Send req (borrowed; may be NULL for {}) as type with a fresh munge
 * credential, wait for the reply and return its body (new reference).
 * If the reply's rc != 0, returns NULL with err->code = rc and err->text =
 * the reply's "error". Transport failures: HC_ECONN/HC_ETIMEDOUT/HC_EPROTO. */
json_t *hc_client_call(struct hc_client *c, unsigned type, const json_t *req,
		       struct hc_err *err);

/* Same as hc_client_call, but return the reply's body as text (malloc'ed,
 * NUL-terminated, *lenp bytes; caller frees), undecoded and with its rc
 * unchecked, for a caller that parses a large reply itself (hcqueue's
 * rows). NULL on transport failures only. */
char *hc_client_call_text(struct hc_client *c, unsigned type,
			  const json_t *req, size_t *lenp, struct hc_err *err);

/* Same, but with no credential (for node streams that carry their own). */
json_t *hc_client_call_noauth(struct hc_client *c, unsigned type,
			      const json_t *req, struct hc_err *err);

#endif
