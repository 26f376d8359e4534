#ifndef HP_FILE_H
#define HP_FILE_H

#include <stddef.h>

/*
 * Read a whole file into a new NUL-terminated buffer (the NUL is not counted
 * in *len). Works for pipes and /proc files, whose size is unknown. Returns 0,
 * or -errno (-ENOMEM when the buffer cannot grow); on failure *out is NULL and
 * *len is 0. Free *out with free().
 */
int hp_read_file(const char *path, char **out, size_t *len);

#endif
