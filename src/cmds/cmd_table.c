/*
 * cmd_table: tables whose columns fit their widest cell (hcinfo, hcctl).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd.h"

void
table_init(struct table *t, int ncols, unsigned right)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->right = right;
}

void
table_add(struct table *t, const char *const *row)
{
	size_t need = (t->rows + 1) * (size_t)t->ncols;

	if (need > t->cap) {
		t->cap = need * 2;
		t->cells = hc_realloc(t->cells, t->cap * sizeof(*t->cells));
	}
	for (int i = 0; i < t->ncols; i++)
		t->cells[t->rows * (size_t)t->ncols + (size_t)i] =
			hc_strdup(row[i] ? row[i] : "");
	t->rows++;
}

void
table_print(struct table *t, struct outbuf *o)
{
	int *w = hc_calloc((size_t)t->ncols, sizeof(*w));

	for (size_t r = 0; r < t->rows; r++)
		for (int c = 0; c < t->ncols; c++) {
			int n = (int)strlen(t->cells[r * (size_t)t->ncols +
						     (size_t)c]);
			if (n > w[c])
				w[c] = n;
		}
	for (size_t r = 0; r < t->rows; r++) {
		for (int c = 0; c < t->ncols; c++) {
			char *cell = t->cells[r * (size_t)t->ncols + (size_t)c];
			bool last = c == t->ncols - 1;

			if (c)
				out_putc(o, ' ');
			if (last && !(t->right & (1u << c)))
				out_puts(o, cell);
			else
				out_field(o, cell, w[c], t->right & (1u << c));
			free(cell);
		}
		out_putc(o, '\n');
	}
	free(w);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}
