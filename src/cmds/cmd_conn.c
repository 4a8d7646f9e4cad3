/*
 * cmd_conn: reaching hcctld from a command, and dying well when we cannot.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "conf.h"
#include "msg.h"
#include "parse.h"

void
cmd_warn(const struct cmd_info *ci, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: warning: ", ci->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
cmd_die(const struct cmd_info *ci, int code, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", ci->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(hc_err_exit_status(code));
}

void
cmd_die_err(const struct cmd_info *ci, const struct hc_err *err)
{
	cmd_die(ci, err->code ? err->code : HC_EINTERNAL, "%s",
		err->text[0] ? err->text : "unknown error");
}

/* Where to connect: env first, hc.conf for what the env leaves unset. */
struct target {
	char addr[256];
	long port;
	char munge[1024];
};

static void
target_from_conf(const struct cmd_info *ci, struct target *t, bool need)
{
	struct hc_err err = {0};
	const char *path = conf_default_path();
	struct hc_conf *conf = conf_load(path, NULL, &err);

	if (!conf) {
		if (!need)
			return;
		cmd_die(ci, HC_EINVAL,
			"%s (commands read the cluster's hc.conf from HC_CONF, "
			"or need HC_CONTROL_ADDR and HC_CONTROL_PORT)",
			err.text);
	}
	if (!t->addr[0] && conf->control_addr)
		snprintf(t->addr, sizeof(t->addr), "%s", conf->control_addr);
	if (t->port < 0)
		t->port = conf->control_port;
	if (!t->munge[0] && conf->munge_socket)
		snprintf(t->munge, sizeof(t->munge), "%s", conf->munge_socket);
	conf_destroy(conf);
}

static void
target_get(const struct cmd_info *ci, struct target *t)
{
	const char *a = getenv("HC_CONTROL_ADDR");
	const char *p = getenv("HC_CONTROL_PORT");
	const char *m = getenv("HC_MUNGE_SOCKET");
	struct hc_err err = {0};

	memset(t, 0, sizeof(*t));
	t->port = -1;
	if (a && *a)
		snprintf(t->addr, sizeof(t->addr), "%s", a);
	if (p && *p && parse_long(p, 1, 65535, &t->port, &err) < 0)
		cmd_die(ci, HC_EINVAL,
			"HC_CONTROL_PORT=%s: %s; set it to the port hcctld "
			"listens on",
			p, err.text);
	if (m && *m)
		snprintf(t->munge, sizeof(t->munge), "%s", m);
	/* hc.conf is read unless the environment says everything; it is
	 * required only when the controller's port is still unknown. */
	if (!t->addr[0] || t->port < 0 || !t->munge[0])
		target_from_conf(ci, t, t->port < 0);
	if (!t->addr[0])
		snprintf(t->addr, sizeof(t->addr), "127.0.0.1");
	if (t->port <= 0)
		cmd_die(ci, HC_EINVAL,
			"no controller port: ControlPort is not set in %s; "
			"set it there or in HC_CONTROL_PORT",
			conf_default_path());
}

struct hc_client *
cmd_connect(const struct cmd_info *ci)
{
	struct target t;
	struct hc_err err = {0};
	struct hc_client *c;

	target_get(ci, &t);
	c = hc_client_connect(t.addr, (int)t.port, t.munge[0] ? t.munge : NULL,
			      0, &err);
	if (!c) {
		if (!err.code)
			err.code = HC_ECONN;
		cmd_die_err(ci, &err);
	}
	return c;
}

struct hc_client *
cmd_connect_try(const struct cmd_info *ci, struct hc_err *err)
{
	struct target t;

	target_get(ci, &t);
	return hc_client_connect(t.addr, (int)t.port,
				 t.munge[0] ? t.munge : NULL, 0, err);
}

json_t *
cmd_call_again(const struct cmd_info *ci, struct hc_client **c,
	       unsigned type, const json_t *req, struct hc_err *err)
{
	json_t *rep = hc_client_call(*c, type, req, err);
	struct hc_client *n;

	if (rep || err->code != HC_ECONN)
		return rep;
	n = cmd_connect_try(ci, err);
	if (!n)
		return NULL;
	hc_client_destroy(*c);
	*c = n;
	memset(err, 0, sizeof(*err));
	return hc_client_call(*c, type, req, err);
}

json_t *
cmd_call(const struct cmd_info *ci, struct hc_client *c, unsigned type,
	 json_t *req)
{
	struct hc_err err = {0};
	json_t *rep = hc_client_call(c, type, req, &err);

	json_decref(req);
	if (!rep) {
		hc_client_destroy(c);
		if (err.code == HC_EAUTH)
			cmd_die(ci, err.code,
				"%s; check that munged is running and that "
				"HC_MUNGE_SOCKET or MungeSocket names its "
				"socket",
				err.text);
		cmd_die_err(ci, &err);
	}
	return rep;
}
