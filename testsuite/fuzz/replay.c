/*
 * replay: the driver that runs a fuzz target without libFuzzer.
 *
 * Each fuzz_<what>.c defines LLVMFuzzerTestOneInput(). Built with
 * --enable-fuzzing it links libFuzzer's main; otherwise it links this one,
 * which feeds the target every file of its seed corpus and then a fixed
 * number of pseudo-random mutations of them. The generator is seeded with a
 * constant, so a run is the same every time: `make check` runs each target
 * as an ordinary regression test, under the sanitizers when the build has
 * them.
 *
 *	fuzz_frame                  corpus/frame/ (from argv[0]) + mutations
 *	fuzz_frame -n 0 FILE...     exactly these inputs (reproduce a crash)
 *	fuzz_frame -n 100000 -s 7   a longer run with another generator seed
 *
 * Every input is copied into a buffer of its exact size, so that a read
 * past its end is caught by AddressSanitizer. When a target dies under a
 * sanitizer, or on SIGSEGV/SIGABRT, the input that killed it is written to
 * ./crash-<what>-<n> and its name printed.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define REPLAY_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define REPLAY_ASAN 1
#endif
#endif
#ifdef REPLAY_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

#define REPLAY_MUTATIONS 5000	/* default: mutated inputs per run */
#define REPLAY_MAX_LEN 65536	/* a mutated input never grows past this */
#define REPLAY_MAX_SEEDS 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seed {
	uint8_t *data;
	size_t len;
};

/* The input being run, for the crash handlers: a test driver's only state
 * that a signal handler must reach. */
static struct {
	const uint8_t *data;
	size_t len;
	char path[64];
} current;

static void
crash_dump(void)
{
	int fd = open(current.path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0) {
		if (current.len && write(fd, current.data, current.len) < 0)
			current.len = 0;
		close(fd);
	}
	if (write(2, "replay: the failing input is in ./", 34) < 0 ||
	    write(2, current.path, strlen(current.path)) < 0 ||
	    write(2, "\n", 1) < 0)
		return;
}

static void
crash_signal(int sig)
{
	crash_dump();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* xorshift64*: small, fast, the same on every platform. */
static uint64_t
rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static size_t
rng_below(uint64_t *s, size_t n)
{
	return n ? (size_t)(rng_next(s) % n) : 0;
}

/* Bytes and words that matter to our parsers: brackets, separators,
 * quotes, JSON, numbers at their limits, directive prefixes. */
static const char *const tokens[] = {
	"[", "]", ",", "-", ":", "=", "\"", "'", "\\", "{", "}", "\n", " ",
	"#HC ", "#SBATCH ", "\x00", "\xff", "0", "9", "999999999",
	"4294967295", "18446744073709551616", "-1", "null", "true", "[]",
	"{}", "1e999", "NodeName=", "UNLIMITED", "now+", "gpu:", "\\u0000",
};

static void
mutate_once(uint8_t *buf, size_t *len, const struct seed *other,
	    uint64_t *s)
{
	size_t n = *len, at = rng_below(s, n + 1), k;
	const char *tok;

	switch (rng_below(s, 6)) {
	case 0:		/* flip a bit */
		if (n)
			buf[at % n] ^= (uint8_t)(1u << rng_below(s, 8));
		break;
	case 1:		/* set a byte */
		if (n)
			buf[at % n] = (uint8_t)rng_next(s);
		break;
	case 2:		/* delete a run */
		k = rng_below(s, n - at + 1);
		if (k > 16)
			k = rng_below(s, 16) + 1;
		memmove(buf + at, buf + at + k, n - at - k);
		*len = n - k;
		break;
	case 3:		/* insert a token */
		tok = tokens[rng_below(s, sizeof(tokens) / sizeof(*tokens))];
		k = tok[0] ? strlen(tok) : 1;
		if (n + k > REPLAY_MAX_LEN)
			break;
		memmove(buf + at + k, buf + at, n - at);
		memcpy(buf + at, tok, k);
		*len = n + k;
		break;
	case 4:		/* duplicate a run */
		k = rng_below(s, n - at + 1) % 64;
		if (n + k > REPLAY_MAX_LEN)
			break;
		memmove(buf + at + k, buf + at, n - at);
		*len = n + k;
		break;
	default:	/* splice: a piece of another seed replaces the tail */
		k = rng_below(s, other->len + 1);
		if (at + other->len - k > REPLAY_MAX_LEN)
			break;
		memcpy(buf + at, other->data + k, other->len - k);
		*len = at + other->len - k;
		break;
	}
}

static void
run_one(const uint8_t *data, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);

	if (!copy) {
		fprintf(stderr, "replay: out of memory\n");
		exit(1);
	}
	memcpy(copy, data, len);
	current.data = copy;
	current.len = len;
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
}

static int
seed_load(const char *path, struct seed *seeds, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t len = 0, cap = 0, got;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	do {
		if (len + 4096 > cap) {
			cap = (len + 4096) * 2;
			data = realloc(data, cap);
			if (!data) {
				fprintf(stderr, "replay: out of memory\n");
				exit(1);
			}
		}
		got = fread(data + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	fclose(f);
	if (*n == REPLAY_MAX_SEEDS) {
		fprintf(stderr, "replay: more than %d seeds\n",
			REPLAY_MAX_SEEDS);
		free(data);
		return -1;
	}
	seeds[*n].data = data;
	seeds[(*n)++].len = len;
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir (not dot files), in name order. */
static int
seeds_from_dir(const char *dir, struct seed *seeds, size_t *n)
{
	char *names[REPLAY_MAX_SEEDS], path[4096];
	size_t count = 0;
	struct dirent *e;
	DIR *d = opendir(dir);
	int rc = 0;

	if (!d) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) && count < REPLAY_MAX_SEEDS)
		if (e->d_name[0] != '.')
			names[count++] = strdup(e->d_name);
	closedir(d);
	qsort(names, count, sizeof(*names), name_cmp);
	for (size_t i = 0; i < count; i++) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (rc == 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode))
			rc = seed_load(path, seeds, n);
		free(names[i]);
	}
	return rc;
}

static int
seeds_from_arg(const char *arg, struct seed *seeds, size_t *n)
{
	struct stat st;

	if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
		return seeds_from_dir(arg, seeds, n);
	return seed_load(arg, seeds, n);
}

/* "fuzz_frame" (or libtool's "lt-fuzz_frame") -> "frame". */
static const char *
target_name(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	base = base ? base + 1 : argv0;
	if (strncmp(base, "lt-", 3) == 0)
		base += 3;
	if (strncmp(base, "fuzz_", 5) == 0)
		base += 5;
	return base;
}

static void
mutations_run(const struct seed *seeds, size_t n, long count, uint64_t s,
	      const char *name)
{
	uint8_t *buf = malloc(REPLAY_MAX_LEN);

	if (!buf) {
		fprintf(stderr, "replay: out of memory\n");
		exit(1);
	}
	for (long i = 0; i < count; i++) {
		const struct seed *from = &seeds[rng_below(&s, n)];
		size_t len = from->len < REPLAY_MAX_LEN ? from->len
							: REPLAY_MAX_LEN;
		size_t ops = 1 + rng_below(&s, 4);

		memcpy(buf, from->data, len);
		for (size_t k = 0; k < ops; k++)
			mutate_once(buf, &len, &seeds[rng_below(&s, n)], &s);
		snprintf(current.path, sizeof(current.path),
			 "crash-%s-m%ld", name, i);
		run_one(buf, len);
	}
	free(buf);
}

static void
usage(void)
{
	fprintf(stderr, "usage: fuzz_WHAT [-n MUTATIONS] [-s SEED] "
		"[FILE|DIR]...\n(default: the seed corpus of WHAT and %d "
		"mutations; $HC_FUZZ_MUTATIONS sets the count)\n",
		REPLAY_MUTATIONS);
	exit(1);
}

int
main(int argc, char **argv)
{
	static struct seed seeds[REPLAY_MAX_SEEDS];
	const char *name = target_name(argv[0]);
	const char *env = getenv("HC_FUZZ_MUTATIONS");
	long count = env ? atol(env) : REPLAY_MUTATIONS;
	uint64_t s = 0x9e3779b97f4a7c15ull;
	size_t n = 0;
	char dir[4096];
	int c;

	while ((c = getopt(argc, argv, "n:s:")) != -1) {
		if (c == 'n')
			count = atol(optarg);
		else if (c == 's')
			s ^= strtoull(optarg, NULL, 0) * 0x2545f4914f6cdd1dull;
		else
			usage();
	}
#ifdef REPLAY_ASAN
	__sanitizer_set_death_callback(crash_dump);
#endif
	signal(SIGSEGV, crash_signal);
	signal(SIGABRT, crash_signal);
	signal(SIGFPE, crash_signal);
	if (optind == argc) {
		snprintf(dir, sizeof(dir), "%s/%s", FUZZ_CORPUS_DIR, name);
		if (seeds_from_dir(dir, seeds, &n) < 0)
			return 1;
	}
	for (int i = optind; i < argc; i++)
		if (seeds_from_arg(argv[i], seeds, &n) < 0)
			return 1;
	for (size_t i = 0; i < n; i++) {
		snprintf(current.path, sizeof(current.path), "crash-%s-s%zu",
			 name, i);
		run_one(seeds[i].data, seeds[i].len);
	}
	if (n && count > 0)
		mutations_run(seeds, n, count, s, name);
	printf("fuzz_%s: %zu seeds and %ld mutations of them ran clean\n",
	       name, n, n ? count : 0L);
	for (size_t i = 0; i < n; i++)
		free(seeds[i].data);
	return n ? 0 : 1;
}
