/*
 * features: node feature expressions (`hcsub -C "gpu&(a100|h100)"`).
 *
 * Grammar (& binds tighter than |, parentheses optional):
 *	expr   := term ('|' term)*
 *	term   := factor ('&' factor)*
 *	factor := NAME | '(' expr ')'
 *	NAME   := [A-Za-z0-9_.:+-]+
 * A recursive-descent parser emits postfix code (NAME, AND, OR), which is
 * evaluated per node with a small stack: the scheduler compiles a job's
 * constraint once and evaluates it against many nodes.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sched.h"
#include "sched_internal.h"

#define FEAT_MAX_DEPTH 32	/* nesting of parentheses */

enum feat_op { FEAT_NAME, FEAT_AND, FEAT_OR };

struct feat_code {
	int op;			/* enum feat_op */
	const char *name;	/* FEAT_NAME: into sched_features.text */
};

struct sched_features {
	struct feat_code *code;
	size_t n;
	char *text;		/* names, NUL-separated */
};

struct feat_parser {
	const char *expr;
	const char *p;
	char *out;		/* next free byte of text */
	struct sched_features *f;
	int depth;
	struct hc_err *err;
};

static int parse_expr(struct feat_parser *ps);

static int
name_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == ':' || c == '+' ||
	       c == '-';
}

static void
skip_blanks(struct feat_parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t')
		ps->p++;
}

static int
syntax(struct feat_parser *ps, const char *what)
{
	return hc_err_set(ps->err, HC_EINVAL,
			  "constraint '%s': %s at offset %d; write features "
			  "joined by & (and) and | (or), e.g. "
			  "\"gpu&(a100|h100)\"", ps->expr, what,
			  (int)(ps->p - ps->expr));
}

static void
emit(struct feat_parser *ps, int op, const char *name)
{
	ps->f->code[ps->f->n].op = op;
	ps->f->code[ps->f->n].name = name;
	ps->f->n++;
}

static int
parse_factor(struct feat_parser *ps)
{
	skip_blanks(ps);
	if (*ps->p == '(') {
		if (++ps->depth > FEAT_MAX_DEPTH)
			return syntax(ps, "parentheses nested too deep");
		ps->p++;
		if (parse_expr(ps) < 0)
			return -1;
		skip_blanks(ps);
		if (*ps->p != ')')
			return syntax(ps, "missing ')'");
		ps->p++;
		ps->depth--;
		return 0;
	}
	if (!name_char((unsigned char)*ps->p))
		return syntax(ps, *ps->p ? "expected a feature name"
					 : "expression ends early");
	emit(ps, FEAT_NAME, ps->out);
	while (name_char((unsigned char)*ps->p))
		*ps->out++ = *ps->p++;
	*ps->out++ = '\0';
	return 0;
}

static int
parse_term(struct feat_parser *ps)
{
	if (parse_factor(ps) < 0)
		return -1;
	for (;;) {
		skip_blanks(ps);
		if (*ps->p != '&')
			return 0;
		ps->p++;
		if (parse_factor(ps) < 0)
			return -1;
		emit(ps, FEAT_AND, NULL);
	}
}

static int
parse_expr(struct feat_parser *ps)
{
	if (parse_term(ps) < 0)
		return -1;
	for (;;) {
		skip_blanks(ps);
		if (*ps->p != '|')
			return 0;
		ps->p++;
		if (parse_term(ps) < 0)
			return -1;
		emit(ps, FEAT_OR, NULL);
	}
}

struct sched_features *
sched_features_compile(const char *expr, struct hc_err *err)
{
	size_t len = strlen(expr);
	struct sched_features *f = hc_calloc(1, sizeof(*f));
	struct feat_parser ps = { .expr = expr, .p = expr, .f = f,
				  .err = err };

	/* Every token emits at most one op; names fit in len + NULs. */
	f->code = hc_calloc(len + 1, sizeof(*f->code));
	f->text = hc_calloc(2 * len + 2, 1);
	ps.out = f->text;
	skip_blanks(&ps);
	if (!*ps.p)
		return f;	/* no constraint */
	if (parse_expr(&ps) < 0)
		goto fail;
	skip_blanks(&ps);
	if (*ps.p) {
		syntax(&ps, *ps.p == ')' ? "unbalanced ')'"
					 : "unexpected character");
		goto fail;
	}
	return f;
fail:
	sched_features_free(f);
	return NULL;
}

void
sched_features_free(struct sched_features *f)
{
	if (!f)
		return;
	free(f->code);
	free(f->text);
	free(f);
}

static bool
has_feature(const char *const *features, const char *name)
{
	for (size_t i = 0; features && features[i]; i++)
		if (strcmp(features[i], name) == 0)
			return true;
	return false;
}

bool
sched_features_eval(const struct sched_features *f,
		    const char *const *features)
{
	bool stack[2 * FEAT_MAX_DEPTH + 8];
	size_t sp = 0;

	if (!f || f->n == 0)
		return true;
	/* Postfix from the grammar above: depth <= operands alive at once,
	 * at most two pending per nesting level (an OR and an AND operand). */
	for (size_t i = 0; i < f->n; i++) {
		const struct feat_code *c = &f->code[i];
		if (c->op == FEAT_NAME) {
			if (sp == sizeof(stack) / sizeof(stack[0]))
				return false;
			stack[sp++] = has_feature(features, c->name);
		} else {
			bool b = stack[--sp], a = stack[--sp];
			stack[sp++] = c->op == FEAT_AND ? (a && b) : (a || b);
		}
	}
	return sp == 1 && stack[0];
}

int
sched_features_match(const char *expr, const char *const *features,
		     struct hc_err *err)
{
	struct sched_features *f;
	bool r;

	if (!expr)
		return 1;
	if (!(f = sched_features_compile(expr, err)))
		return -1;
	r = sched_features_eval(f, features);
	sched_features_free(f);
	return r ? 1 : 0;
}
