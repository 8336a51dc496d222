/* Shared helpers for the Check suites. */
#ifndef SLS_TESTS_CHECK_H
#define SLS_TESTS_CHECK_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

/* Runs a suite and returns the process exit status. A run in which no test
 * executed fails: a mistyped tcase registration must not pass silently. */
static inline int sls_check_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int ran = srunner_ntests_run(sr);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (ran == 0) {
        fprintf(stderr, "no test ran\n");
        return EXIT_FAILURE;
    }
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
