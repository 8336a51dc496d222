/* Placeholder until the policy gate lands. */
#include "cli.h"

#include <stdio.h>

int sls__cli_check(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("sipsleuth: check is not available in this build\n", stderr);
    return SLS_EXIT_USAGE;
}

int sls__cli_merge(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("sipsleuth: merge is not available in this build\n", stderr);
    return SLS_EXIT_USAGE;
}
