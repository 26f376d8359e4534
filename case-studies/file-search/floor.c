/*
 * floor: the least work a search of the tree can do, the ceiling the
 * optimized variant is measured against.
 *
 *   floor [-j THREADS] [-F] [-i] PATTERN [DIR...]
 *
 * Walks the tree with readdir (d_type, no stat), opens every regular file
 * with openat() relative to its directory, reads it with one read() into a
 * 256 KiB buffer (the tree's largest file is 64 KiB), runs memmem() for the
 * pattern's literal (search.c's, the prefilter's), closes it, and prints
 * how many files contain the literal. No binary test, no line numbers, no
 * regex, no sorting, no output of lines: any real search does at least
 * this. Directories go through a shared stack under one mutex, one lock
 * per directory; -j sets the threads (default: one per online core), so
 * `floor -j 1` is the single-thread floor.
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hp/xalloc.h"

#include "search.h"

struct stack {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char **v;
	size_t n, cap;
	unsigned busy;
	const struct literal *lit;
	unsigned long found;
};

static void push(struct stack *s, char **paths, size_t n)
{
	pthread_mutex_lock(&s->mu);
	if (s->n + n > s->cap) {
		s->cap = 2 * (s->n + n);
		s->v = hp_xrealloc(s->v, s->cap * sizeof *s->v);
	}
	memcpy(s->v + s->n, paths, n * sizeof *paths);
	s->n += n;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

static void *run(void *arg)
{
	struct stack *s = arg;
	char *buf = hp_xmalloc(256 * 1024), **sub = NULL;
	size_t nsub = 0, capsub = 0;
	unsigned long found = 0;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (s->n == 0 && s->busy > 0)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->n == 0)
			break;
		char *path = s->v[--s->n];
		s->busy++;
		pthread_mutex_unlock(&s->mu);

		DIR *d = opendir(path_open_name(path));
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (e->d_type == DT_REG) {
				int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_CLOEXEC);
				ssize_t n = fd < 0 ? -1 : read(fd, buf, 256 * 1024);

				if (n > 0 && memmem(buf, (size_t)n, s->lit->s, s->lit->len))
					found++;
				if (fd >= 0)
					close(fd);
			} else if (e->d_type == DT_DIR && strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
				if (nsub == capsub)
					sub = hp_xrealloc(sub, (capsub = 2 * capsub + 16) * sizeof *sub);
				size_t len = strlen(path) + strlen(e->d_name) + 2;
				sub[nsub] = hp_xmalloc(len);
				snprintf(sub[nsub++], len, "%s%s%s", path, path[0] ? "/" : "", e->d_name);
			}
		}
		if (d)
			closedir(d);
		free(path);
		if (nsub)
			push(s, sub, nsub);
		nsub = 0;
		pthread_mutex_lock(&s->mu);
		if (--s->busy == 0 && s->n == 0)
			pthread_cond_broadcast(&s->cv);
	}
	s->found += found;
	pthread_mutex_unlock(&s->mu);
	free(sub);
	free(buf);
	return NULL;
}

int main(int argc, char **argv)
{
	struct search_args a;
	struct literal lit;
	struct stack s = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .lit = &lit};
	long nt = sysconf(_SC_NPROCESSORS_ONLN);

	if (argc > 2 && !strcmp(argv[1], "-j")) {
		nt = atol(argv[2]);
		argv[2] = argv[0];
		argv += 2;
		argc -= 2;
	}
	nt = nt < 1 ? 1 : nt > 64 ? 64 : nt;
	search_args_parse(&a, argc, argv);
	literal_init(&lit, &a);
	for (size_t i = 0; i < a.nroots; i++) {
		char *root = hp_xstrdup(a.roots[i]);
		push(&s, &root, 1);
	}
	pthread_t t[64];
	for (long i = 0; i < nt; i++)
		pthread_create(&t[i], NULL, run, &s);
	for (long i = 0; i < nt; i++)
		pthread_join(t[i], NULL);
	printf("%lu files contain \"%.*s\"\n", s.found, (int)lit.len, lit.s);
	literal_release(&lit);
	search_args_release(&a);
	free(s.v);
	return 0;
}
