/* fa_inventory: where biometric data lives (stores) and where it moves (flows), computed
 * from merged scan documents (fa_scandoc). Never rescans. The JSON built here is the single
 * source for every output format and for `dpia`; its shape is documented in
 * faceaudit-inventory(1) and kept stable.
 *
 * Stores (kind, location), decided per object in this order:
 *   archive        an object inside an archive: the OUTERMOST archive's path (nested
 *                  archives and all members belong to it), except a single compressed
 *                  log (app.log.gz) which is a `log`
 *   log            a log file: name *.log, *.log.N, *_log, or media type text/x-log, or a
 *                  text file under a directory named log/logs; one store per file
 *   bucket         s3://bucket/ when grouping reaches no deeper than the bucket
 *   bucket_prefix  s3://bucket/a/b/ : the first --group-depth folders below the target
 *   folder         a local folder: the target plus its first --group-depth folders
 *   file           a target that is a single (non-log, non-archive) file
 *   stream         standard input ("-")
 * Store ids are "<kind>:<location>". A store exists when it has at least one finding;
 * holds_biometric is false when its only findings are vendor_endpoint (a config that calls
 * a face API holds no faces). */
#ifndef FACEAUDIT_INVENTORY_H
#define FACEAUDIT_INVENTORY_H
#include <jansson.h>
#include "faceaudit/buf.h"
#include "faceaudit/err.h"
#include "faceaudit/scandoc.h"

typedef struct fa_inventory_opts {
    int group_depth;    /* folders below the target that make one store (default 1) */
    int examples;       /* example locations per store (default 3; 0 = none) */
    int fides_legacy;   /* emit the pre-3.2.0 fideslang key user.biometric, not user.biometrics */
} fa_inventory_opts;

void fa_inventory_opts_init(fa_inventory_opts *o);

/* Builds the inventory. Returns a new reference (caller json_decref()s), or NULL with err.
 * Shape (other members may be added, none removed):
 * {"generated_from":{"documents":[..],"targets":[..],"complete":bool,"errors":N,"limits":N},
 *  "stores":[{"id","kind","location","bucket"?,"holds_biometric",
 *             "categories":{"face_image":{"objects":N,"findings":N,"bytes":N,"fides":[..]}},
 *             "objects_scanned","bytes_scanned","objects_with_findings","bytes_with_findings",
 *             "oldest","newest","posture":{..},"exposure":{"faces","templates","estimate"},
 *             "examples":[path..]}],
 *  "flows":[{"id","kind":"vendor|logging_leak|backup","from","to":{"kind":"vendor|store",
 *            "host"?,"vendor"?,"scheme"?,"id"?,"location"?},"category","count",
 *            "first_seen","last_seen","insecure","rules":[..]}],
 *  "warnings":[{"severity","code","store"|"flow","message"}],
 *  "taxonomy":{...},
 *  "summary":{...,"exposure":{"faces","templates","estimate","label"}}} */
json_t *fa_inventory_build(const fa_scandoc *doc, const fa_inventory_opts *opts, fa_err *err);

typedef enum fa_inventory_format {
    FA_INV_JSON, FA_INV_MD, FA_INV_CSV, FA_INV_DOT, FA_INV_SVG
} fa_inventory_format;

/* "json" "md" "csv" "dot" "svg" -> format; returns -1 if unknown. */
int fa_inventory_format_parse(const char *name);
/* Renders an inventory (as built above) into out (appended). SVG goes through Graphviz's
 * C library (libgvc), in memory. */
fa_status fa_inventory_render(const json_t *inv, fa_inventory_format fmt, fa_buf *out, fa_err *err);

/* Shared with retention: the Fides data categories of a faceaudit category, as a new JSON
 * array (caller decrefs). */
json_t *fa_inventory_fides(const char *category, int legacy);
#endif
