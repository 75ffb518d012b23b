/* S3 credentials and settings (the AWS CLI's files and variables), and trace redaction. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "faceaudit/s3.h"

static char *trim(char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = 0;
    return s;
}

char *fa_s3_ini_get(const char *text, const char *section, const char *key)
{
    if (!text)
        return NULL;
    char *copy = fa_xstrdup(text), *save = NULL, *result = NULL;
    int in = 0;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *l = trim(line);
        if (!*l || *l == '#' || *l == ';')
            continue;
        if (*l == '[') {
            char *end = strchr(l, ']');
            if (!end)
                continue;
            *end = 0;
            in = !strcmp(trim(l + 1), section);
            continue;
        }
        /* Indented lines are sub-settings (e.g. "s3 =\n  endpoint_url = ..."): skip. */
        if (!in || line[0] == ' ' || line[0] == '\t')
            continue;
        char *eq = strchr(l, '=');
        if (!eq)
            continue;
        *eq = 0;
        if (!strcmp(trim(l), key)) {
            free(result);
            result = fa_xstrdup(trim(eq + 1));
        }
    }
    free(copy);
    return result;
}

static char *slurp(const char *path)
{
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f)
        return NULL;
    fa_buf b = FA_BUF_INIT;
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0 && b.len < (1u << 20))
        fa_buf_add(&b, tmp, n);
    fclose(f);
    return fa_buf_detach(&b, NULL);
}

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

static char *dup_or_null(const char *s)
{
    return s ? fa_xstrdup(s) : NULL;
}

/* The profile's value for key: the credentials file first, then the config file. */
static char *profile_get(const char *cred, const char *conf, const char *profile, const char *key,
                         const char **where)
{
    char *v = fa_s3_ini_get(cred, profile, key);
    if (v) {
        *where = "credentials file";
        return v;
    }
    char *sect = strcmp(profile, "default") ? fa_xasprintf("profile %s", profile) : fa_xstrdup("default");
    v = fa_s3_ini_get(conf, sect, key);
    free(sect);
    if (v)
        *where = "config file";
    return v;
}

static int has_section(const char *text, const char *section)
{
    if (!text)
        return 0;
    char *pat = fa_xasprintf("[%s]", section);
    /* Good enough: section headers are written without inner spaces by the AWS tools. */
    int r = strstr(text, pat) != NULL;
    free(pat);
    return r;
}

fa_status fa_s3_config_resolve(const fa_s3_settings *in, fa_s3_config *out, fa_err *err)
{
    memset(out, 0, sizeof *out);
    const char *(*env)(const char *) = in && in->getenv ? in->getenv : (const char *(*)(const char *))getenv;
    const char *home = nonempty(env("HOME"));
    char *cred_path = nonempty(env("AWS_SHARED_CREDENTIALS_FILE")) ? fa_xstrdup(env("AWS_SHARED_CREDENTIALS_FILE"))
                      : home ? fa_xasprintf("%s/.aws/credentials", home) : NULL;
    char *conf_path = nonempty(env("AWS_CONFIG_FILE")) ? fa_xstrdup(env("AWS_CONFIG_FILE"))
                      : home ? fa_xasprintf("%s/.aws/config", home) : NULL;
    char *cred = slurp(cred_path), *conf = slurp(conf_path);
    const char *cli_profile = in ? nonempty(in->profile) : NULL;
    const char *profile = cli_profile ? cli_profile : nonempty(env("AWS_PROFILE")) ? env("AWS_PROFILE") : "default";
    out->profile = fa_xstrdup(profile);
    fa_status st = FA_OK;

    char *psect = strcmp(profile, "default") ? fa_xasprintf("profile %s", profile) : fa_xstrdup("default");
    int profile_exists = has_section(cred, profile) || has_section(conf, psect);
    free(psect);
    if ((cli_profile || nonempty(env("AWS_PROFILE"))) && strcmp(profile, "default") && !profile_exists) {
        st = fa_err_set(err, FA_FATAL, "s3_config", "AWS profile '%s' not found in %s or %s", profile,
                        cred_path ? cred_path : "~/.aws/credentials", conf_path ? conf_path : "~/.aws/config");
        goto done;
    }

    const char *ak = nonempty(env("AWS_ACCESS_KEY_ID")), *sk = nonempty(env("AWS_SECRET_ACCESS_KEY"));
    if (!cli_profile && (ak || sk)) {
        if (!ak || !sk) {
            st = fa_err_set(err, FA_FATAL, "s3_config", "%s is set but %s is not",
                            ak ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                            ak ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
            goto done;
        }
        out->access_key = fa_xstrdup(ak);
        out->secret_key = fa_xstrdup(sk);
        out->session_token = dup_or_null(nonempty(env("AWS_SESSION_TOKEN")));
        out->cred_source = "environment";
    } else {
        const char *w1 = NULL, *w2 = NULL, *w3 = NULL;
        out->access_key = profile_get(cred, conf, profile, "aws_access_key_id", &w1);
        out->secret_key = profile_get(cred, conf, profile, "aws_secret_access_key", &w2);
        out->session_token = profile_get(cred, conf, profile, "aws_session_token", &w3);
        if (!out->access_key != !out->secret_key) {
            st = fa_err_set(err, FA_FATAL, "s3_config", "AWS profile '%s' has %s but not %s", profile,
                            out->access_key ? "aws_access_key_id" : "aws_secret_access_key",
                            out->access_key ? "aws_secret_access_key" : "aws_access_key_id");
            goto done;
        }
        out->cred_source = out->access_key ? w1 : "none";
    }

    const char *w = NULL;
    char *preg = profile_get(cred, conf, profile, "region", &w);
    const char *reg = in && nonempty(in->region) ? in->region
                      : nonempty(env("AWS_REGION")) ? env("AWS_REGION")
                      : nonempty(env("AWS_DEFAULT_REGION")) ? env("AWS_DEFAULT_REGION")
                      : preg && *preg ? preg : "us-east-1";
    out->region = fa_xstrdup(reg);
    free(preg);
    char *pend = profile_get(cred, conf, profile, "endpoint_url", &w);
    const char *ep = in && nonempty(in->endpoint) ? in->endpoint
                     : nonempty(env("AWS_ENDPOINT_URL_S3")) ? env("AWS_ENDPOINT_URL_S3")
                     : nonempty(env("AWS_ENDPOINT_URL")) ? env("AWS_ENDPOINT_URL")
                     : pend && *pend ? pend : NULL;
    if (ep) {
        out->endpoint = fa_xstrdup(ep);
        size_t n = strlen(out->endpoint);
        while (n && out->endpoint[n - 1] == '/')
            out->endpoint[--n] = 0;
        if (strncmp(out->endpoint, "http://", 7) && strncmp(out->endpoint, "https://", 8)) {
            st = fa_err_set(err, FA_FATAL, "s3_config", "endpoint URL '%s' must start with http:// or https://",
                            out->endpoint);
        }
    }
    free(pend);
done:
    free(cred);
    free(conf);
    free(cred_path);
    free(conf_path);
    if (st != FA_OK)
        fa_s3_config_free(out);
    return st;
}

void fa_s3_config_free(fa_s3_config *c)
{
    free(c->access_key);
    free(c->secret_key);
    free(c->session_token);
    free(c->region);
    free(c->endpoint);
    free(c->profile);
    memset(c, 0, sizeof *c);
}

/* ------------------------------------------------------------ redaction */

#define REDACTED "[REDACTED]"

static int starts_ci(const char *p, const char *end, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(end - p) >= n && !strncasecmp(p, word, n);
}

char *fa_s3_redact(const char *text, size_t len, const char *const *secrets)
{
    static const char *const headers[] = { "authorization:", "proxy-authorization:", "x-amz-security-token:" };
    static const char *const params[] = { "x-amz-signature=", "x-amz-credential=", "x-amz-security-token=" };
    fa_buf b = FA_BUF_INIT;
    const char *p = text, *end = text + len;
    int line_start = 1;
    while (p < end) {
        int done = 0;
        if (line_start) {
            for (size_t i = 0; i < 3 && !done; i++)
                if (starts_ci(p, end, headers[i])) {
                    size_t n = strlen(headers[i]);
                    fa_buf_add(&b, p, n);
                    fa_buf_adds(&b, " " REDACTED);
                    p += n;
                    while (p < end && *p != '\r' && *p != '\n')
                        p++;
                    done = 1;
                }
        }
        for (size_t i = 0; i < 3 && !done; i++)
            if ((p == text || p[-1] == '?' || p[-1] == '&') && starts_ci(p, end, params[i])) {
                size_t n = strlen(params[i]);
                fa_buf_add(&b, p, n);
                fa_buf_adds(&b, REDACTED);
                p += n;
                while (p < end && *p != '&' && *p != ' ' && *p != '\r' && *p != '\n')
                    p++;
                done = 1;
            }
        for (const char *const *s = secrets; s && *s && !done; s++) {
            size_t n = strlen(*s);
            if (n && (size_t)(end - p) >= n && !memcmp(p, *s, n)) {
                fa_buf_adds(&b, REDACTED);
                p += n;
                done = 1;
            }
        }
        if (done) {
            line_start = 0;
            continue;
        }
        line_start = *p == '\n';
        fa_buf_addch(&b, *p++);
    }
    return fa_buf_detach(&b, NULL);
}

/* 64 KiB/s: about 0.5 Mbit/s, far below any link an audit of a bucket runs on; a server
 * slower than that for a whole request is trickling or broken. */
double fa_s3_request_deadline(long timeout, int64_t expect)
{
    return 2.0 * (double)timeout + (double)(expect > 0 ? expect : 0) / 65536.0;
}
