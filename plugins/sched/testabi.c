/*
 * testabi: a plugin built for a scheduling ABI this hc does not speak
 * (tests only): loading it must fail with a message naming both versions.
 */
#include "hc/sched_plugin.h"

const struct hc_sched_plugin hc_sched_plugin = {
	.header = {
		.magic = HC_SCHED_PLUGIN_MAGIC,
		.abi_major = HC_SCHED_ABI_MAJOR + 1,
		.abi_minor = 0,
		.size = sizeof(struct hc_sched_plugin),
		.name = "testabi",
		.description = "built for a future ABI (tests only)",
	},
};
