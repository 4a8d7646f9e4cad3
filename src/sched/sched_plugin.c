/*
 * sched_plugin: load a scheduling policy plugin, check its ABI header,
 * validate its declared parameters, and give it a host function table.
 *
 * The plugin's table is copied (up to its declared size, the rest zeroed),
 * so a plugin built against an older ABI minor never has hooks read past
 * the end of its struct.
 */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"
#include "sched_plugin.h"
#include "select.h"

static void
host_log(const struct hc_sched_host *host, int level, const char *fmt, ...)
{
	const struct sched_plugin *p = host->ctx;
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (level < HC_SCHED_LOG_ERR || level > HC_SCHED_LOG_DEBUG)
		level = HC_SCHED_LOG_INFO;
	hc_log(level, "sched plugin=%s %s", p->name, buf);
}

static time_t
host_now(const struct hc_sched_host *host)
{
	const struct sched_plugin *p = host->ctx;

	return *p->clock;
}

int
sched_plugin_check_header(const struct hc_sched_plugin *ops,
			  const char *name, struct hc_err *err)
{
	const struct hc_sched_plugin_header *h = &ops->header;

	if (h->magic != HC_SCHED_PLUGIN_MAGIC)
		return hc_err_set(err, HC_EINVAL,
				  "SchedulerPlugins: %s: not an hc scheduling "
				  "plugin (bad magic 0x%08x)", name, h->magic);
	if (h->abi_major != HC_SCHED_ABI_MAJOR ||
	    h->abi_minor > HC_SCHED_ABI_MINOR)
		return hc_err_set(err, HC_EINVAL,
				  "SchedulerPlugins: %s: built for scheduling "
				  "ABI %u.%u, this hc speaks %d.%d; rebuild "
				  "the plugin against this hc's "
				  "sched_plugin.h",
				  name, h->abi_major, h->abi_minor,
				  HC_SCHED_ABI_MAJOR, HC_SCHED_ABI_MINOR);
	if (h->size < sizeof(struct hc_sched_plugin_header) +
			      sizeof(ops->params))
		return hc_err_set(err, HC_EINVAL,
				  "SchedulerPlugins: %s: plugin table size %u "
				  "is smaller than its header", name, h->size);
	if (!h->name || strcmp(h->name, name) != 0)
		return hc_err_set(err, HC_EINVAL,
				  "SchedulerPlugins: %s: the plugin calls "
				  "itself '%s'; its file must be named %s.so",
				  name, h->name ? h->name : "(null)",
				  h->name ? h->name : "NAME");
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
sched_plugin_available(const char *dir, char *buf, size_t len)
{
	DIR *d = opendir(dir);
	char *names[128];
	size_t n = 0, off = 0;
	struct dirent *e;

	snprintf(buf, len, "none");
	if (!d)
		return;
	while ((e = readdir(d)) && n < sizeof(names) / sizeof(names[0])) {
		size_t l = strlen(e->d_name);
		if (l > 3 && strcmp(e->d_name + l - 3, ".so") == 0)
			names[n++] = hc_asprintf("%.*s", (int)(l - 3),
						 e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), name_cmp);
	for (size_t i = 0; i < n; i++) {
		if (off < len)
			off += snprintf(buf + off, len - off, "%s%s",
					i ? ", " : "", names[i]);
		free(names[i]);
	}
}

/* Parse text as a value of the declared row. */
static int
param_parse(const char *plugin, const struct hc_sched_param *row,
	    const char *text, struct hc_sched_param_value *v,
	    struct hc_err *err)
{
	char *end;

	errno = 0;
	switch (row->type) {
	case HC_SCHED_PARAM_INT:
		v->i = strtoll(text, &end, 10);
		if (errno || end == text || *end)
			goto bad;
		if ((double)v->i < row->min || (double)v->i > row->max)
			goto range;
		v->d = (double)v->i;
		return 0;
	case HC_SCHED_PARAM_DOUBLE:
		v->d = strtod(text, &end);
		if (errno || end == text || *end || !isfinite(v->d))
			goto bad;
		if (v->d < row->min || v->d > row->max)
			goto range;
		return 0;
	case HC_SCHED_PARAM_BOOL:
		if (!strcasecmp(text, "yes") || !strcasecmp(text, "true") ||
		    !strcmp(text, "1"))
			v->b = true;
		else if (!strcasecmp(text, "no") ||
			 !strcasecmp(text, "false") || !strcmp(text, "0"))
			v->b = false;
		else
			goto bad;
		return 0;
	case HC_SCHED_PARAM_STRING:
		if (row->max > 0 && (double)strlen(text) > row->max)
			return hc_err_set(err, HC_EINVAL,
					  "SchedulerParameters: %s.%s: longer "
					  "than %.0f characters", plugin,
					  row->name, row->max);
		v->s = hc_strdup(text);
		return 0;
	}
	return hc_err_set(err, HC_EINTERNAL,
			  "SchedulerParameters: %s.%s: unknown type %d",
			  plugin, row->name, row->type);
bad:
	return hc_err_set(err, HC_EINVAL,
			  "SchedulerParameters: %s.%s=%s: not a valid %s",
			  plugin, row->name, text,
			  row->type == HC_SCHED_PARAM_INT	 ? "integer"
			  : row->type == HC_SCHED_PARAM_DOUBLE ? "number"
							       : "boolean");
range:
	return hc_err_set(err, HC_EINVAL,
			  "SchedulerParameters: %s.%s=%s: out of range "
			  "[%g, %g]", plugin, row->name, text, row->min,
			  row->max);
}

/* The value the site gave for plugin.param, or NULL. */
static const char *
param_given(const char *const *params, const char *plugin, const char *name)
{
	size_t pl = strlen(plugin), nl = strlen(name);

	for (size_t i = 0; params && params[i]; i++) {
		const char *s = params[i];
		if (strncmp(s, plugin, pl) == 0 && s[pl] == '.' &&
		    strncasecmp(s + pl + 1, name, nl) == 0 &&
		    s[pl + 1 + nl] == '=')
			return s + pl + 2 + nl;
	}
	return NULL;
}

/* Every "plugin.X=..." given must name a declared parameter. */
static int
params_check_known(const struct sched_plugin *p, const char *const *params,
		   struct hc_err *err)
{
	size_t pl = strlen(p->name);

	for (size_t i = 0; params && params[i]; i++) {
		const char *s = params[i], *key = s + pl + 1;
		size_t kl = strcspn(key, "=");
		bool found = false;

		if (strncmp(s, p->name, pl) != 0 || s[pl] != '.')
			continue;
		for (size_t j = 0; j < p->nvalues; j++)
			if (strlen(p->ops.params[j].name) == kl &&
			    !strncasecmp(p->ops.params[j].name, key, kl))
				found = true;
		if (!found || key[kl] != '=') {
			char known[256] = "none";
			size_t off = 0;
			for (size_t j = 0; j < p->nvalues && off < 256; j++)
				off += snprintf(known + off, 256 - off, "%s%s",
						j ? ", " : "",
						p->ops.params[j].name);
			return hc_err_set(err, HC_EINVAL,
					  "SchedulerParameters: %s: no "
					  "parameter '%.*s' (expected "
					  "%s.Name=value); known: %s",
					  p->name, (int)kl, key, p->name,
					  known);
		}
	}
	return 0;
}

static int
params_load(struct sched_plugin *p, const char *const *params,
	    struct hc_err *err)
{
	const struct hc_sched_param *tab = p->ops.params;

	while (tab && tab[p->nvalues].name)
		p->nvalues++;
	p->values = hc_calloc(p->nvalues + 1, sizeof(*p->values));
	if (params_check_known(p, params, err) < 0)
		return -1;
	for (size_t i = 0; i < p->nvalues; i++) {
		const char *text = param_given(params, p->name, tab[i].name);
		p->values[i].name = tab[i].name;
		p->values[i].type = tab[i].type;
		if (!text)
			text = tab[i].def ? tab[i].def : "";
		if (param_parse(p->name, &tab[i], text, &p->values[i], err))
			return -1;
	}
	return 0;
}

int
sched_plugin_load(struct sched_plugin *p, const char *dir, const char *name,
		  const char *const *params, const time_t *clock,
		  struct hc_err *err)
{
	char *path = hc_asprintf("%s/%s.so", dir, name);
	const struct hc_sched_plugin *ops;
	char avail[512];

	p->name = hc_strdup(name);
	p->clock = clock;
	if (strchr(name, '/') || !*name || !(p->dl = dlopen(path, RTLD_NOW |
							       RTLD_LOCAL))) {
		sched_plugin_available(dir, avail, sizeof(avail));
		if (!strchr(name, '/') && *name && access(path, F_OK) == 0)
			hc_err_set(err, HC_EINVAL,
				   "SchedulerPlugins: %s: cannot load: %s",
				   path, dlerror());
		else
			hc_err_set(err, HC_ENOENT,
				   "SchedulerPlugins: no plugin '%s' in %s; "
				   "available: %s%s", name, dir, avail,
				   strcmp(avail, "none") ? "" :
				   " (install hc there, or point PluginDir= "
				   "or hcsim --plugin-dir= at the plugins: "
				   "plugins/sched/.libs in a build tree)");
		free(path);
		return -1;
	}
	free(path);
	ops = dlsym(p->dl, "hc_sched_plugin");
	if (!ops)
		return hc_err_set(err, HC_EINVAL,
				  "SchedulerPlugins: %s: no symbol "
				  "hc_sched_plugin: not an hc scheduling "
				  "plugin", name);
	if (sched_plugin_check_header(ops, name, err) < 0)
		return -1;
	memset(&p->ops, 0, sizeof(p->ops));
	memcpy(&p->ops, ops, ops->header.size < sizeof(p->ops)
				     ? ops->header.size : sizeof(p->ops));
	if (params_load(p, params, err) < 0)
		return -1;
	p->host.size = sizeof(p->host);
	p->host.ctx = p;
	p->host.log = host_log;
	p->host.now = host_now;
	p->host.select_score = sched_select_score;
	if (p->ops.init && p->ops.init(&p->host, p->values, &p->state) < 0)
		return hc_err_set(err, HC_EINVAL,
				  "SchedulerPlugins: %s: the plugin refused to "
				  "start (see its log line above)", name);
	p->inited = 1;
	return 0;
}

void
sched_plugin_unload(struct sched_plugin *p)
{
	if (p->inited && p->ops.fini)
		p->ops.fini(p->state);
	for (size_t i = 0; p->values && i < p->nvalues; i++)
		if (p->values[i].type == HC_SCHED_PARAM_STRING)
			free((char *)p->values[i].s);
	free(p->values);
	if (p->dl)
		dlclose(p->dl);
	free(p->name);
	memset(p, 0, sizeof(*p));
}
