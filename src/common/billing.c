/*
 * billing: parse BillingWeights and price a job's allocation (billing.h).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "billing.h"
#include "log.h"

#define BILLING_HINT "write NAME[:TYPE]=WEIGHT items separated by commas, " \
		     "e.g. cpu=1.0,mem=0.25/G,gpu=8.0"

/* "G", "/G", "/512M" ... -> MiB per unit; 0 if not a unit. */
static double
mem_unit_mb(const char *u)
{
	static const struct { char c; double mb; } units[] = {
		{ 'K', 1.0 / 1024 }, { 'M', 1 }, { 'G', 1024 },
		{ 'T', 1024.0 * 1024 },
	};

	if (*u == '/')
		u++;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (toupper((unsigned char)u[0]) == units[i].c &&
		    (!u[1] || ((u[1] == 'B' || u[1] == 'b') && !u[2])))
			return units[i].mb;
	return 0;
}

static int
item_parse(const char *item, size_t len, struct billing_weight *w,
	   struct hc_err *err)
{
	char buf[128], *eq, *colon, *end;
	double unit = 1;

	if (len == 0 || len >= sizeof(buf))
		return hc_err_set(err, HC_EINVAL, "BillingWeights: %s item "
				  "'%.*s'; " BILLING_HINT, len ? "overlong" :
				  "empty", (int)(len > 64 ? 64 : len), item);
	memcpy(buf, item, len);
	buf[len] = '\0';
	if (!(eq = strchr(buf, '=')) || eq == buf)
		return hc_err_set(err, HC_EINVAL, "BillingWeights: '%s' has "
				  "no NAME=WEIGHT; " BILLING_HINT, buf);
	*eq = '\0';
	if ((colon = strchr(buf, ':')))
		*colon = '\0';
	if (strlen(buf) >= RES_NAME_MAX ||
	    (colon && (!colon[1] || strlen(colon + 1) >= RES_NAME_MAX)))
		return hc_err_set(err, HC_EINVAL, "BillingWeights: '%s': bad "
				  "resource name; " BILLING_HINT, buf);
	snprintf(w->name, sizeof(w->name), "%s", buf);
	snprintf(w->type, sizeof(w->type), "%s", colon ? colon + 1 : "");
	errno = 0;
	w->per_unit = strtod(eq + 1, &end);
	if (end == eq + 1 || errno || !isfinite(w->per_unit) ||
	    w->per_unit < 0)
		return hc_err_set(err, HC_EINVAL, "BillingWeights: %s=%s: "
				  "the weight must be a number >= 0; "
				  BILLING_HINT, w->name, eq + 1);
	if (*end && strcasecmp(w->name, "mem") != 0)
		return hc_err_set(err, HC_EINVAL, "BillingWeights: %s=%s: "
				  "only mem takes a unit (mem=0.25/G); "
				  "write a plain number", w->name, eq + 1);
	if (*end && !(unit = mem_unit_mb(end)))
		return hc_err_set(err, HC_EINVAL, "BillingWeights: %s=%s: "
				  "unknown unit '%s'; write /K, /M, /G or /T",
				  w->name, eq + 1, end);
	w->per_unit /= unit;
	return 0;
}

int
billing_parse(const char *s, struct billing *b, struct hc_err *err)
{
	memset(b, 0, sizeof(*b));
	if (!s || !*s)
		s = "cpu=1.0";
	for (const char *p = s;;) {
		size_t len = strcspn(p, ",");
		struct billing_weight w;

		if (b->n == BILLING_MAX)
			return hc_err_set(err, HC_EINVAL, "BillingWeights: "
					  "more than %d items", BILLING_MAX);
		if (item_parse(p, len, &w, err) < 0)
			return -1;
		for (size_t i = 0; i < b->n; i++)
			if (!strcasecmp(b->w[i].name, w.name) &&
			    !strcasecmp(b->w[i].type, w.type))
				return hc_err_set(err, HC_EINVAL,
						  "BillingWeights: %s%s%s is "
						  "given twice; keep one",
						  w.name, *w.type ? ":" : "",
						  w.type);
		b->w[b->n++] = w;
		if (!p[len])
			break;
		p += len + 1;
	}
	return 0;
}

int
billing_check(const char *s, struct hc_err *err)
{
	struct billing b;

	return billing_parse(s, &b, err);
}

double
billing_weight(const struct billing *b, const char *name, const char *type)
{
	double any = 0;

	for (size_t i = 0; i < b->n; i++) {
		if (strcasecmp(b->w[i].name, name) != 0)
			continue;
		if (!b->w[i].type[0])
			any = b->w[i].per_unit;
		else if (type && !strcasecmp(b->w[i].type, type))
			return b->w[i].per_unit;
	}
	return any;
}

double
billing_rate(const struct billing *b, uint64_t cpus, uint64_t mem_mb,
	     uint64_t gpus, const char *gpu_type,
	     const struct res_list *other)
{
	double r = (double)cpus * billing_weight(b, "cpu", NULL) +
		   (double)mem_mb * billing_weight(b, "mem", NULL) +
		   (double)gpus * billing_weight(b, "gpu", gpu_type);

	for (size_t i = 0; other && i < other->count; i++)
		r += (double)other->items[i].count *
		     billing_weight(b, other->items[i].name,
				    other->items[i].type);
	return r;
}
