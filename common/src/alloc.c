/*
 * The libhp side of the allocation counter (hp/alloc.h). The counters live in
 * hp-alloc.so, which is present only when the harness preloads it, so libhp
 * cannot link against it: it looks the two functions up at run time with
 * dlsym(RTLD_DEFAULT), which searches every loaded object, the preloaded
 * ones included.
 *
 * The lookup happens once, in a constructor, before main() and while the
 * process has one thread, so the two pointers are written once and only read
 * afterwards. Looking up on every call would be simpler, but a failed
 * dlsym() mallocs its error message, and hp_alloc_snapshot() promises not to
 * allocate.
 */
#include <dlfcn.h>
#include <errno.h>
#include <string.h>

#include "hp/alloc.h"

static int (*preload_snapshot)(struct hp_alloc_stats *s);
static void (*preload_reset_peak)(void);

__attribute__((constructor)) static void find_preload(void)
{
	/* ISO C has no conversion from void * to a function pointer; POSIX guarantees this one works. */
	preload_snapshot = (int (*)(struct hp_alloc_stats *))dlsym(RTLD_DEFAULT, "hp_alloc_preload_snapshot");
	preload_reset_peak = (void (*)(void))dlsym(RTLD_DEFAULT, "hp_alloc_preload_reset_peak");
	if (!preload_snapshot || !preload_reset_peak) {
		preload_snapshot = NULL;
		preload_reset_peak = NULL;
		/* Clear the pending "undefined symbol" so the program's own dlerror() does not see it. */
		dlerror();
	}
}

int hp_alloc_snapshot(struct hp_alloc_stats *s)
{
	if (!preload_snapshot) {
		memset(s, 0, sizeof *s);
		return -ENOSYS;
	}
	return preload_snapshot(s);
}

int hp_alloc_reset_peak(void)
{
	if (!preload_reset_peak)
		return -ENOSYS;
	preload_reset_peak();
	return 0;
}
