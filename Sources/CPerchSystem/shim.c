#define _GNU_SOURCE
#include <locale.h>
#include <stdlib.h>
#include "CPerchSystem.h"

static int saved_argc;
static char *const *saved_argv;

// glibc calls .init_array entries with (argc, argv, envp) before main.
__attribute__((constructor))
static void perch_capture_arguments(int argc, char **argv, char **envp) {
    (void)envp;
    saved_argc = argc;
    saved_argv = argv;
}

int perch_argc(void) { return saved_argc; }
char *const *perch_argv(void) { return saved_argv; }

int perch_parse_double(const char *text, double *value) {
    static locale_t c_locale;
    if (!c_locale) c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (!text || !*text) return 0;
    char *end = NULL;
    errno = 0;
    double parsed = strtod_l(text, &end, c_locale);
    if (end == text || *end != '\0' || errno == ERANGE) return 0;
    *value = parsed;
    return 1;
}
