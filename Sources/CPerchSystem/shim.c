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

// Parses the whole string in the C locale; *range_error tells whether strtod reported ERANGE.
static int parse_double_c_locale(const char *text, double *value, int *range_error) {
    static locale_t c_locale;
    if (!c_locale) c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (!text || !*text) return 0;
    char *end = NULL;
    errno = 0;
    double parsed = strtod_l(text, &end, c_locale);
    if (end == text || *end != '\0') return 0;
    *range_error = errno == ERANGE;
    *value = parsed;
    return 1;
}

int perch_parse_double(const char *text, double *value) {
    double parsed;
    int range_error = 0;
    if (!parse_double_c_locale(text, &parsed, &range_error) || range_error) return 0;
    *value = parsed;
    return 1;
}

int perch_parse_double_nearest(const char *text, double *value) {
    int range_error = 0;
    return parse_double_c_locale(text, value, &range_error);
}
