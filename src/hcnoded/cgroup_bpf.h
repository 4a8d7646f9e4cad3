/*
 * cgroup_bpf: device access rules for cgroup v2, where the devices
 * controller of v1 is gone and the kernel asks an eBPF program of type
 * BPF_PROG_TYPE_CGROUP_DEVICE attached to the cgroup (and to each of its
 * ancestors) whether an open or mknod of a device may proceed.
 */
#ifndef HC_CGROUP_BPF_H
#define HC_CGROUP_BPF_H

#include <stddef.h>
#include <stdint.h>

#include "hc_err.h"

/* Whether this kernel loads device programs and, with dir (a cgroup
 * directory, or NULL), whether one can be attached there (an ancestor's
 * program attached without BPF_F_ALLOW_MULTI forbids it); the probe is
 * detached again. 0, or -1 with err saying why (no CONFIG_CGROUP_BPF, not
 * root, BPF disabled, ...). */
int cgbpf_probe(const char *dir, struct hc_err *err);

/* Attach to the cgroup directory dir a program that refuses every access
 * to the character devices major:minor for the n minors given and lets all
 * else through to the programs of the ancestors (BPF_F_ALLOW_MULTI: each
 * must allow). The program lives as long as the cgroup. 0, or -1 with err
 * set. */
int cgbpf_deny_minors(const char *dir, uint32_t major, const uint32_t *minors,
		      size_t n, struct hc_err *err);

#endif
