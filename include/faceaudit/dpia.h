/* fa_dpia: the data the DPIA / PIA / BIPA-policy templates see (the "view"), built from
 * what the scans proved (the inventory and retention reports of issue 7) plus facts only
 * people can supply (--data, --set). Whatever a person must decide and did not supply
 * becomes an explicit "[TO BE COMPLETED BY THE CONTROLLER: ...]" prompt, never text the
 * tool made up. The view is documented in man/faceaudit-dpia.1 (TEMPLATE VARIABLES).
 * Library code: never prints, never exits. */
#ifndef FACEAUDIT_DPIA_H
#define FACEAUDIT_DPIA_H
#include <stddef.h>
#include <time.h>
#include <jansson.h>
#include "faceaudit/err.h"
#include "faceaudit/mustache.h"

#define FA_DPIA_PROMPT_PREFIX "[TO BE COMPLETED BY THE CONTROLLER: "

typedef struct fa_dpia_input {
    json_t     *inventory;        /* borrowed; required: {"stores":[...],"flows":[...],"summary":{}} */
    json_t     *retention;        /* borrowed; NULL when no retention report was given */
    json_t     *facts;            /* borrowed; NULL or an object deep-merged into the view */
    const char *const *sets;      /* "dotted.key=value" assignments applied after facts */
    size_t      nsets;
    const char *inventory_name;   /* shown in the document's provenance; may be NULL */
    const char *retention_name;
    time_t      now;              /* generation time (SOURCE_DATE_EPOCH for reproducible output) */
    const char *version;          /* faceaudit version string */
} fa_dpia_input;

/* Builds the view. Returns a new reference (caller json_decref()s) or NULL with err set
 * (code "inventory" for a malformed inventory, "usage" for a bad --set). */
json_t *fa_dpia_view(const fa_dpia_input *in, fa_err *err);

/* Sets a dotted key ("controller.name") in obj to a string, creating objects on the way.
 * assignment is "key=value". FA_FAIL with a message when it has no '=' or an empty key,
 * or a path component is not an object. */
fa_status fa_dpia_set(json_t *obj, const char *assignment, fa_err *err);

/* Loads --data: JSON when the file parses as JSON, else YAML (a mapping). The result is a
 * new reference to an object; errors name the file, line and column. */
json_t *fa_dpia_load_facts(const char *path, fa_err *err);

/* Template metadata, read from a leading comment tag of "key: value" lines:
 *   {{! description: Draft DPIA ...
 *       format: md
 *       escape: html }}
 * format is the output kind ("md", "json", "html", "txt"; default from the file name),
 * escape one of markdown (the default for format md), html (the default otherwise), json,
 * json-html, none. markdown is not an engine mode: the caller escapes every string of the
 * view with fa_dpia_view_escape_md() and renders with FA_MUSTACHE_ESCAPE_NONE (then
 * {{x}} and {{{x}}} give the same, escaped, text). */
typedef struct fa_dpia_tmeta {
    char description[256];
    char format[16];
    fa_mustache_escape escape;   /* FA_MUSTACHE_ESCAPE_NONE when markdown is set */
    int markdown;                /* 1: escape the view's strings for Markdown */
} fa_dpia_tmeta;
void fa_dpia_template_meta(const char *text, size_t len, const char *filename, fa_dpia_tmeta *m);

/* Escapes text for inline Markdown (CommonMark + GFM tables), so that data can neither
 * format nor structure the document (nor make links): backslash before \\ ` * < > | ~,
 * before ] when a link could follow ("](", "][", "]:"), before _ unless inside a word,
 * before & when it could start an entity, and before a leading # + - = or list number;
 * line breaks and other control characters become spaces. Apostrophes, quotes, a plain &
 * and "[text]" stay as they are. Returns a malloc'd string (caller frees). */
char *fa_dpia_md_escape(const char *s, size_t len);

/* Replaces every string in v (recursively; object keys untouched) by its Markdown-escaped
 * form. */
void fa_dpia_view_escape_md(json_t *v);

/* Renders md (CommonMark with tables) to a complete HTML page with a print-friendly
 * stylesheet; title is escaped into <title>. Returns a malloc'd string or NULL with err. */
char *fa_dpia_md_to_html(const char *md, size_t len, const char *title, fa_err *err);
#endif
