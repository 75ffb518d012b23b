/* Private to src/sink: the constructors the format table in sink.c lists. */
#ifndef FACEAUDIT_SINK_FORMATS_H
#define FACEAUDIT_SINK_FORMATS_H
#include "faceaudit/sink.h"
fa_sink *fa_sink_json_new(FILE *out, const fa_sink_opts *o);
fa_sink *fa_sink_jsonl_new(FILE *out, const fa_sink_opts *o);
fa_sink *fa_sink_text_new(FILE *out, const fa_sink_opts *o);
fa_sink *fa_sink_csv_new(FILE *out, const fa_sink_opts *o);
fa_sink *fa_sink_sarif_new(FILE *out, const fa_sink_opts *o);
#endif
