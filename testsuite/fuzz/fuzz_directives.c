/*
 * fuzz_directives: batch scripts through hcsub's directive parser (the
 * "#HC"/"#SBATCH" header lines) and its Slurm-facility finder. The callback
 * checks the words it is handed and refuses a line whose first word is
 * "--refuse", so the error path is walked too.
 */
#include "config.h"

#include "directives.h"
#include "fuzz.h"

static int
on_line(void *arg, int line, int argc, char **argv, struct hc_err *err)
{
	int *lines = arg;

	fuzz_assert(line > 0 && argc > 0 && argv[argc] == NULL);
	for (int i = 0; i < argc; i++)
		fuzz_assert(argv[i] != NULL);
	(*lines)++;
	if (strcmp(argv[0], "--refuse") == 0)
		return hc_err_set(err, HC_EINVAL, "%s: refused", argv[0]);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const prefixes[] = { "#HC", "#SBATCH", NULL };
	struct hc_err err = { 0 };
	char *script = fuzz_cstr(data, size);
	const char *what;
	int lines = 0, n, at;

	n = directives_parse(script, prefixes, on_line, &lines, &err);
	if (n < 0)
		fuzz_assert(err.text[0]);
	else
		fuzz_assert(n >= lines);
	at = directives_find_slurm(script, &what);
	fuzz_assert(at >= 0 && (at == 0) == (what == NULL));
	free(script);
	return 0;
}
