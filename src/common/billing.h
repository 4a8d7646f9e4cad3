/*
 * billing: BillingWeights, what one running job costs per second in
 * billing units (the currency of fair-share usage).
 *
 *	BillingWeights=cpu=1.0,mem=0.25/G,gpu=8.0,gpu:h100=12
 *
 * Each item is NAME[:TYPE]=WEIGHT[/UNIT]: the weight of one unit of that
 * resource per second of allocation. mem is counted in MiB unless a unit
 * (/K /M /G /T, or Slurm's trailing "G" as in mem=0.25G) says per what; a
 * typed item (gpu:h100) takes precedence over the untyped one (gpu) for
 * that type. Resources named nowhere cost nothing. It lives in libhc so
 * that hc.conf's parser refuses a bad value before anything starts.
 */
#ifndef HC_BILLING_H
#define HC_BILLING_H

#include <stddef.h>
#include <stdint.h>

#include "hc_err.h"
#include "parse.h"

#define BILLING_MAX 16

struct billing_weight {
	char name[RES_NAME_MAX];	/* "cpu", "mem", "gpu", a gres */
	char type[RES_NAME_MAX];	/* "h100", or "" for every type */
	double per_unit;	/* per CPU, per MiB (mem), per GPU, ... */
};

struct billing {
	struct billing_weight w[BILLING_MAX];
	size_t n;
};

/* Parse s (NULL or "" = the default, cpu=1.0) into b. -1 with err
 * ("BillingWeights: 'x=y': problem; what to write"). */
int billing_parse(const char *s, struct billing *b, struct hc_err *err);

/* hc.conf's check of the value (conf_keys.c). */
int billing_check(const char *s, struct hc_err *err);

/* What one unit of name (of gpu/gres type, "" = untyped) costs. */
double billing_weight(const struct billing *b, const char *name,
		      const char *type);

/* A job's billing rate (units per second): cpus CPUs, mem_mb MiB, gpus GPUs
 * of gpu_type ("" or NULL: untyped), and other consumables (totals; NULL
 * for none). */
double billing_rate(const struct billing *b, uint64_t cpus, uint64_t mem_mb,
		    uint64_t gpus, const char *gpu_type,
		    const struct res_list *other);

#endif
