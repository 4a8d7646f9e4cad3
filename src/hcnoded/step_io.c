/*
 * step_io: a step's task output to its stream and its stream's input to
 * the tasks. Output is read in chunks of at most STEP_IO_CHUNK bytes and
 * sent as STEP_IO frames (base64); when the stream has more than
 * STEP_IO_HIGH bytes queued, reading from every task of the step pauses
 * until it drains (stream.c calls step_resume()), so a fast writer cannot
 * make the agent buffer without bound: the task blocks on its pipe
 * instead. A pseudo-terminal's master reports the end of its slave side as
 * an error (EIO): that is its end of file.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "b64.h"
#include "log.h"
#include "msg.h"
#include "noded.h"
#include "step.h"

#define STEP_IO_CHUNK (48u * 1024)
#define STEP_IO_HIGH (4u << 20)
#define STEP_IN_MAX (4u << 20)

static void
send_chunk(struct step_task *t, int fd, const void *p, size_t n)
{
	struct step_node *sn = t->sn;
	char *d;
	json_t *b;

	if (!sn->sc)
		return;
	d = b64_encode(p, n);
	b = json_pack("{s:I,s:i,s:s}", "t", (json_int_t)t->id, "fd", fd, "d",
		      d);
	stream_send(sn->sc, HC_MSG_STEP_IO, b);
	json_decref(b);
	free(d);
	if (!sn->paused && stream_pending(sn->sc) > STEP_IO_HIGH) {
		sn->paused = true;
		for (uint32_t i = 0; i < sn->ntasks; i++) {
			if (sn->tasks[i].out)
				bufferevent_disable(sn->tasks[i].out, EV_READ);
			if (sn->tasks[i].err)
				bufferevent_disable(sn->tasks[i].err, EV_READ);
		}
	}
}

static void
drain(struct bufferevent *bev, struct step_task *t, int fd)
{
	struct evbuffer *in = bufferevent_get_input(bev);
	uint8_t buf[STEP_IO_CHUNK];
	int n;

	while ((n = evbuffer_remove(in, buf, sizeof(buf))) > 0)
		send_chunk(t, fd, buf, (size_t)n);
}

static void
on_out(struct bufferevent *bev, void *arg)
{
	struct step_task *t = arg;

	drain(bev, t, bev == t->out ? 1 : 2);
}

static void
on_out_event(struct bufferevent *bev, short what, void *arg)
{
	struct step_task *t = arg;
	int fd = bev == t->out ? 1 : 2;

	if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
		return;
	drain(bev, t, fd);
	if (t->sn->sc) {
		json_t *b = json_pack("{s:I,s:i,s:b}", "t", (json_int_t)t->id,
				      "fd", fd, "eof", 1);
		stream_send(t->sn->sc, HC_MSG_STEP_IO, b);
		json_decref(b);
	}
	bufferevent_free(bev);
	if (fd == 1)
		t->out = NULL;
	else
		t->err = NULL;
	step_task_check(t);
}

static struct bufferevent *
reader(struct step_task *t, int fd)
{
	struct bufferevent *bev;

	if (fd < 0)
		return NULL;
	evutil_make_socket_nonblocking(fd);
	bev = bufferevent_socket_new(t->sn->nd->base, fd,
				     BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(bev, on_out, NULL, on_out_event, t);
	bufferevent_enable(bev, EV_READ);
	return bev;
}

static void
in_close(struct step_task *t)
{
	if (t->in)
		bufferevent_free(t->in);
	else if (t->in_fd >= 0)
		close(t->in_fd);
	t->in = NULL;
	t->in_fd = -1;
}

static void
on_in_written(struct bufferevent *bev, void *arg)
{
	struct step_task *t = arg;

	(void)bev;
	if (t->in_eof && !t->pty)
		in_close(t);
}

static void
on_in_event(struct bufferevent *bev, short what, void *arg)
{
	struct step_task *t = arg;

	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		in_close(t);	/* the task closed its stdin: drop input */
}

void
step_io_task_start(struct step_task *t, int out_fd, int err_fd)
{
	t->out = reader(t, out_fd);
	t->err = reader(t, err_fd);
	if (t->in_fd >= 0) {
		evutil_make_socket_nonblocking(t->in_fd);
		t->in = bufferevent_socket_new(t->sn->nd->base, t->in_fd,
					       BEV_OPT_CLOSE_ON_FREE);
		bufferevent_setcb(t->in, NULL, on_in_written, on_in_event, t);
		bufferevent_enable(t->in, EV_WRITE);
	}
}

static void
stdin_one(struct step_task *t, const uint8_t *d, size_t n, bool eof)
{
	if (!t->in)
		return;
	if (n && evbuffer_get_length(bufferevent_get_output(t->in)) <
	    STEP_IN_MAX)
		bufferevent_write(t->in, d, n);
	if (eof) {
		t->in_eof = true;
		if (!t->pty && evbuffer_get_length(bufferevent_get_output(
			    t->in)) == 0)
			in_close(t);
	}
}

/* STEP_IO fd 0: "t" names the task, or -1 for every task reading stdin. */
void
step_io_stdin(struct step_node *sn, json_t *body)
{
	json_int_t to = json_integer_value(json_object_get(body, "t"));
	const char *d = json_string_value(json_object_get(body, "d"));
	bool eof = json_is_true(json_object_get(body, "eof"));
	uint8_t *bytes = NULL;
	size_t n = 0;

	if (json_integer_value(json_object_get(body, "fd")) != 0)
		return;
	if (d && !(bytes = b64_decode(d, &n))) {
		hc_log_limited("step_io", HC_LOG_WARN, "job=%u step=%u bad "
			       "stdin chunk", sn->cred.job_id,
			       sn->cred.step_id);
		return;
	}
	for (uint32_t i = 0; i < sn->ntasks; i++)
		if (to < 0 || (json_int_t)sn->tasks[i].id == to)
			stdin_one(&sn->tasks[i], bytes, n, eof);
	free(bytes);
}

void
step_io_close(struct step_task *t)
{
	in_close(t);
	if (t->out)
		bufferevent_free(t->out);
	if (t->err)
		bufferevent_free(t->err);
	t->out = t->err = NULL;
}
