/*
 * fuzz_conf: hc.conf text through conf_load_string(), the parser every
 * daemon and command runs at start-up and on reconfigure. Property: a
 * refused file says why, and a loaded one can print every global key (what
 * `hcctl show config` does).
 */
#include "config.h"

#include "conf.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hc_err err = { 0 };
	char *text = fuzz_cstr(data, size), *errors = NULL;
	struct hc_conf *conf = conf_load_string(text, "fuzz.conf", &errors,
						&err);

	if (!conf) {
		fuzz_assert(err.code != HC_OK && err.text[0]);
	} else {
		for (const struct conf_key *k = conf_keys; k->name; k++) {
			if (k->scope == CONF_GLOBAL)
				free(conf_value_string(conf, k));
		}
		for (size_t i = 0; i < conf->node_count; i++)
			fuzz_assert(conf_node_find(conf,
						   conf->nodes[i].name));
		conf_queue_default(conf);
		conf_destroy(conf);
	}
	free(errors);
	free(text);
	return 0;
}
