/*
 * hello: the MPI test program of the integration tests and bench/mpi. Each
 * rank prints one line saying who and where it is:
 *	rank=R size=S node=HC_NODENAME host=HOSTNAME pid=PID cgroup=PATH
 * (node is the hc node name: several node agents may share one host; the
 * cgroup is the freezer/pids line of /proc/self/cgroup, or the v2 one), then
 * the ranks sum their rank numbers HELLO_ITERS times (default 1) with
 * MPI_Allreduce; rank 0 checks each sum against S*(S-1)/2 and prints
 *	allreduce=SUM expected=WANT iters=N ok
 * or exits 3 on a wrong sum. HELLO_DIE_RANK=R makes rank R exit 7 after
 * printing its line (a rank that dies); HELLO_SLEEP=S sleeps S seconds
 * before the reduction (a job to cancel while it runs).
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
my_cgroup(char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/cgroup", "r");
	char line[1024];

	snprintf(buf, len, "-");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':'), *p;

		if (!c || !(p = strchr(c + 1, ':')))
			continue;
		line[strcspn(line, "\n")] = '\0';
		/* v1 freezer (the one hc kills by), else v2's "0::" */
		if (strncmp(c + 1, "freezer:", 8) == 0 ||
		    (strncmp(line, "0::", 3) == 0 && buf[0] == '-'))
			snprintf(buf, len, "%s", p + 1);
	}
	fclose(f);
}

int
main(int argc, char **argv)
{
	int rank, size, iters = 1, bad = 0;
	const char *node = getenv("HC_NODENAME"), *e;
	char host[256] = "", cg[512];
	long sum = 0, want;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	gethostname(host, sizeof(host) - 1);
	my_cgroup(cg, sizeof(cg));
	printf("rank=%d size=%d node=%s host=%s pid=%d cgroup=%s\n", rank,
	       size, node ? node : "-", host, (int)getpid(), cg);
	fflush(stdout);
	if ((e = getenv("HELLO_DIE_RANK")) && atoi(e) == rank)
		exit(7);
	if ((e = getenv("HELLO_SLEEP")))
		sleep((unsigned)atoi(e));
	if ((e = getenv("HELLO_ITERS")) && atoi(e) > 0)
		iters = atoi(e);
	want = (long)size * (size - 1) / 2;
	for (int i = 0; i < iters; i++) {
		long mine = rank;
		MPI_Allreduce(&mine, &sum, 1, MPI_LONG, MPI_SUM,
			      MPI_COMM_WORLD);
		bad |= sum != want;
	}
	if (rank == 0) {
		printf("allreduce=%ld expected=%ld iters=%d %s\n", sum, want,
		       iters, bad ? "WRONG" : "ok");
		fflush(stdout);
	}
	MPI_Finalize();
	return bad ? 3 : 0;
}
