/*
 * failsync: an LD_PRELOAD library for tests that need the state store's
 * commit to fail. While the file named by $HC_TEST_FAIL_SYNC exists,
 * fdatasync() (LMDB's sync of the data pages before it writes the meta
 * page) fails with EIO, so mdb_txn_commit() fails and the last committed
 * transaction stays the durable one.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

int fdatasync(int fd);

int
fdatasync(int fd)
{
	static int (*real)(int);
	const char *f = getenv("HC_TEST_FAIL_SYNC");

	if (f && access(f, F_OK) == 0) {
		errno = EIO;
		return -1;
	}
	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	return real ? real(fd) : -1;
}
