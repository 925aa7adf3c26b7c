/*
 * CSystem: Linux calls that Swift's Glibc module does not expose (they need _GNU_SOURCE).
 * Every symbol starts with `csys_`.
 */
#ifndef CSYSTEM_H
#define CSYSTEM_H

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Renames `from` to `to` only if `to` does not exist (renameat2 with RENAME_NOREPLACE): one
 * atomic step where link() + unlink() take two. Returns 0, or -1 with errno set (EEXIST when
 * `to` exists; EINVAL or ENOSYS where the file system or kernel lacks the flag).
 */
int csys_rename_noreplace(const char *from, const char *to);

/** Flushes the file system holding `path` to disk (syncfs). Returns 0, or -1 with errno set. */
int csys_sync_file_system(const char *path);

/**
 * Reserves disk blocks for `length` bytes of `descriptor` from `offset` without changing the
 * file's size (fallocate with FALLOC_FL_KEEP_SIZE). Returns 0, or -1 with errno set (ENOSPC when
 * the disk is full; EOPNOTSUPP where the file system cannot).
 */
int csys_reserve_space(int descriptor, long long offset, long long length);

#ifdef __cplusplus
}
#endif

#endif
