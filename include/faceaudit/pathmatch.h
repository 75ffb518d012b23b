/* Glob matching for paths below a scan target (the `path` rule kind, --include/--exclude).
 *   *   any run of characters except a separator      ?  one character except a separator
 *   [a-z] [!0-9]  a character class                    \x the character x
 *   **  any run of characters, separators included; "**" followed by "/" (or at the
 *       start) matches zero or more whole path components, so a glob of ** then
 *       "/lfw/" then ** also matches "lfw/a.jpg".
 * Separators are '/' and '!' (the archive-member separator in "a.zip!dir/x.jpg"): a '/'
 * in the pattern matches either, so globs see into archives. */
#ifndef FACEAUDIT_PATHMATCH_H
#define FACEAUDIT_PATHMATCH_H
/* 1 if `path` matches `glob` entirely, else 0. */
int fa_glob_match(const char *glob, const char *path);
/* 1 if the glob is well-formed (every [ closed, no trailing backslash). */
int fa_glob_valid(const char *glob);
#endif
