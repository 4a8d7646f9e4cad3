/*
 * cgroup_bpf: device rules for cgroup v2 jobs (see cgroup_bpf.h).
 *
 * The program is a handful of instructions, assembled here rather than
 * compiled from C with clang and loaded with libbpf: the agent needs no BPF
 * tool chain, and what the program does can be read below. For a context
 * (struct bpf_cgroup_dev_ctx: access_type = access << 16 | device type,
 * major, minor) it returns 0 (refuse) when the device is a character
 * device of the given major and one of the listed minors, else 1. The
 * kernel runs it, and every program attached to the job's ancestors with
 * BPF_F_ALLOW_MULTI, on each open and mknod of a device node; an access
 * passes only if every program allows it. So this program only takes away:
 * what the host's own policy (systemd's DevicePolicy, a container runtime)
 * denies stays denied.
 *
 * Attaching needs no pinning: the attachment holds the program, and both go
 * when the job's cgroup is removed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup_bpf.h"
#include "log.h"

#define CGBPF_MAX_MINORS 1024

static int
sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static struct bpf_insn
insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct bpf_insn i = { .code = code, .dst_reg = dst, .src_reg = src,
			      .off = off, .imm = imm };
	return i;
}

static struct bpf_insn
ldx_w(uint8_t dst, int16_t off)		/* dst = *(u32 *)(r1 + off) */
{
	return insn(BPF_LDX | BPF_W | BPF_MEM, dst, BPF_REG_1, off, 0);
}

static struct bpf_insn
jmp_imm(uint8_t op, uint8_t reg, int32_t imm, int16_t off)
{
	return insn(BPF_JMP | op | BPF_K, reg, 0, off, imm);
}

static struct bpf_insn
ret(int32_t val)			/* r0 = val (then exit) */
{
	return insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, val);
}

/* The program for n minors of major: at most 10 + n instructions into
 * prog (without minors, "allow" alone: the verifier refuses dead code). */
static size_t
cgbpf_assemble(struct bpf_insn *prog, uint32_t major,
	       const uint32_t *minors, size_t n)
{
	size_t pc = 0, allow = 6 + n, deny = allow + 2;

	if (n == 0) {
		prog[pc++] = ret(1);
		prog[pc++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		return pc;
	}
	prog[pc++] = ldx_w(BPF_REG_2, offsetof(struct bpf_cgroup_dev_ctx,
					       access_type));
	prog[pc++] = insn(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_2, 0, 0,
			  0xffff);	/* the device type */
	prog[pc] = jmp_imm(BPF_JNE, BPF_REG_2, BPF_DEVCG_DEV_CHAR,
			   (int16_t)(allow - pc - 1));
	pc++;
	prog[pc++] = ldx_w(BPF_REG_3, offsetof(struct bpf_cgroup_dev_ctx,
					       major));
	prog[pc] = jmp_imm(BPF_JNE, BPF_REG_3, (int32_t)major,
			   (int16_t)(allow - pc - 1));
	pc++;
	prog[pc++] = ldx_w(BPF_REG_4, offsetof(struct bpf_cgroup_dev_ctx,
					       minor));
	for (size_t i = 0; i < n; i++, pc++)
		prog[pc] = jmp_imm(BPF_JEQ, BPF_REG_4, (int32_t)minors[i],
				   (int16_t)(deny - pc - 1));
	prog[pc++] = ret(1);
	prog[pc++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	prog[pc++] = ret(0);
	prog[pc++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return pc;
}

/* Load prog; the fd, or -1 with err holding the verifier's first line
 * (asked for only then: a log too small for a long program fails a load
 * that would pass). */
static int
cgbpf_load(const struct bpf_insn *prog, size_t len, struct hc_err *err)
{
	static const char license[] = "MIT";
	char log[1024] = "";
	union bpf_attr a;
	int fd, e;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uint64_t)(uintptr_t)prog;
	a.insn_cnt = (uint32_t)len;
	a.license = (uint64_t)(uintptr_t)license;
	if ((fd = sys_bpf(BPF_PROG_LOAD, &a)) >= 0)
		return fd;
	e = errno;
	a.log_buf = (uint64_t)(uintptr_t)log;
	a.log_size = sizeof(log);
	a.log_level = 1;
	if ((fd = sys_bpf(BPF_PROG_LOAD, &a)) >= 0) {
		close(fd);	/* it passed this time: report the first */
		log[0] = '\0';
	}
	log[strcspn(log, "\n")] = '\0';
	return hc_err_set(err, HC_EIO, "loading a device program: %s%s%s",
			  strerror(e), log[0] ? ": " : "", log);
}

/* Attach (or detach) program pfd to the cgroup directory dir. */
static int
cgbpf_attach(const char *dir, int pfd, bool attach, struct hc_err *err)
{
	union bpf_attr a;
	int cfd, rc;

	if ((cfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return hc_err_set(err, HC_EIO, "%s: %s", dir, strerror(errno));
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cfd;
	a.attach_bpf_fd = (uint32_t)pfd;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = attach ? BPF_F_ALLOW_MULTI : 0;
	rc = sys_bpf(attach ? BPF_PROG_ATTACH : BPF_PROG_DETACH, &a);
	if (rc < 0)
		rc = hc_err_set(err, HC_EIO, "%s the device program %s %s: %s",
				attach ? "attaching" : "detaching",
				attach ? "to" : "from", dir, strerror(errno));
	close(cfd);
	return rc < 0 ? -1 : 0;
}

int
cgbpf_probe(const char *dir, struct hc_err *err)
{
	static const uint32_t minor0 = 0;
	struct bpf_insn prog[16];
	size_t len = cgbpf_assemble(prog, 195, &minor0, 1);
	int fd = cgbpf_load(prog, len, err), rc = 0;

	if (fd < 0)
		return -1;
	if (dir && (rc = cgbpf_attach(dir, fd, true, err)) == 0)
		rc = cgbpf_attach(dir, fd, false, err);
	close(fd);
	return rc;
}

int
cgbpf_deny_minors(const char *dir, uint32_t major, const uint32_t *minors,
		  size_t n, struct hc_err *err)
{
	struct bpf_insn *prog;
	int pfd, rc;

	if (n > CGBPF_MAX_MINORS)
		return hc_err_set(err, HC_EINVAL, "%zu device minors to deny, "
				  "at most %d", n, CGBPF_MAX_MINORS);
	prog = hc_calloc(n + 10, sizeof(*prog));
	pfd = cgbpf_load(prog, cgbpf_assemble(prog, major, minors, n), err);
	free(prog);
	if (pfd < 0)
		return -1;
	rc = cgbpf_attach(dir, pfd, true, err);
	close(pfd);
	return rc;
}
