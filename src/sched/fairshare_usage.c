/*
 * fairshare_usage: the usage ledger, decaying usage records by key
 * (fairshare.h). A flat array of entries (iterated by the host to save the
 * dirty ones) with an open-addressing index over it; a cluster has
 * thousands of associations at most, and a pass looks each up once.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fairshare.h"
#include "log.h"

struct fs_ledger {
	struct fs_ledger_entry *v;
	size_t n, cap;
	uint32_t *slot;		/* index + 1; 0 = empty */
	size_t nslots;		/* power of two, >= 2 * cap */
	double half_life;
};

static uint32_t
key_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static void
index_rebuild(struct fs_ledger *l)
{
	free(l->slot);
	l->slot = hc_calloc(l->nslots, sizeof(*l->slot));
	for (size_t i = 0; i < l->n; i++) {
		size_t h = key_hash(l->v[i].key) & (l->nslots - 1);

		while (l->slot[h])
			h = (h + 1) & (l->nslots - 1);
		l->slot[h] = (uint32_t)i + 1;
	}
}

struct fs_ledger *
fs_ledger_create(double half_life)
{
	struct fs_ledger *l = hc_calloc(1, sizeof(*l));

	l->half_life = half_life;
	l->nslots = 64;
	l->slot = hc_calloc(l->nslots, sizeof(*l->slot));
	return l;
}

struct fs_ledger *
fs_ledger_copy(const struct fs_ledger *l)
{
	struct fs_ledger *c = hc_calloc(1, sizeof(*c));

	*c = *l;
	c->v = hc_calloc(l->cap ? l->cap : 1, sizeof(*c->v));
	if (l->n)
		memcpy(c->v, l->v, l->n * sizeof(*c->v));
	c->slot = hc_calloc(l->nslots, sizeof(*c->slot));
	memcpy(c->slot, l->slot, l->nslots * sizeof(*c->slot));
	return c;
}

void
fs_ledger_destroy(struct fs_ledger *l)
{
	if (!l)
		return;
	free(l->v);
	free(l->slot);
	free(l);
}

double
fs_ledger_half_life(const struct fs_ledger *l)
{
	return l->half_life;
}

void
fs_ledger_set_half_life(struct fs_ledger *l, double half_life)
{
	l->half_life = half_life;
}

static struct fs_ledger_entry *
ledger_find(const struct fs_ledger *l, const char *key)
{
	size_t h = key_hash(key) & (l->nslots - 1);

	for (; l->slot[h]; h = (h + 1) & (l->nslots - 1))
		if (!strcmp(l->v[l->slot[h] - 1].key, key))
			return &l->v[l->slot[h] - 1];
	return NULL;
}

struct fs_ledger_entry *
fs_ledger_get(struct fs_ledger *l, const char *key, bool create, time_t now)
{
	struct fs_ledger_entry *e = ledger_find(l, key);

	if (e || !create || strlen(key) >= FS_KEY_MAX)
		return e;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->v = hc_realloc(l->v, l->cap * sizeof(*l->v));
	}
	e = &l->v[l->n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->key, sizeof(e->key), "%s", key);
	e->u.at = now;
	if (l->n * 2 > l->nslots)
		l->nslots *= 2;
	index_rebuild(l);	/* cheap: creations are rare */
	return e;
}

double
fs_ledger_usage(const struct fs_ledger *l, const char *key, time_t now)
{
	const struct fs_ledger_entry *e = ledger_find(l, key);

	return e ? fs_usage_at(&e->u, now, l->half_life) : 0;
}

void
fs_ledger_charge(struct fs_ledger *l, const char *key, double rate,
		 time_t t0, time_t t1)
{
	struct fs_ledger_entry *e;

	if (t1 <= t0 || rate <= 0 || !(e = fs_ledger_get(l, key, true, t0)))
		return;
	fs_usage_charge(&e->u, rate, t0, t1, l->half_life);
	e->dirty = true;
}

void
fs_ledger_set(struct fs_ledger *l, const char *key, double value,
	      time_t now)
{
	struct fs_ledger_entry *e = fs_ledger_get(l, key, true, now);

	if (!e)
		return;
	e->u.value = value;
	e->u.at = now;
	e->dirty = true;
}

size_t
fs_ledger_count(const struct fs_ledger *l)
{
	return l->n;
}

struct fs_ledger_entry *
fs_ledger_at(struct fs_ledger *l, size_t i)
{
	return i < l->n ? &l->v[i] : NULL;
}

void
fs_ledger_clean(struct fs_ledger *l)
{
	for (size_t i = 0; i < l->n; i++)
		l->v[i].dirty = false;
}

void
fs_key_user(const char *account, const char *user, char *buf, size_t len)
{
	snprintf(buf, len, "U:%s/%s", account ? account : "root",
		 user ? user : "");
}

void
fs_key_queue(const char *queue, char *buf, size_t len)
{
	snprintf(buf, len, "Q:%s", queue ? queue : "");
}
