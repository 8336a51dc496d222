/* Command-line front ends outside main.c (compiled into the executable,
 * not the library). Each takes the whole argv (argv[1] is the command name)
 * and returns the process exit status (see README "Exit status"). */
#ifndef SIPSLEUTH_CLI_H
#define SIPSLEUTH_CLI_H

/* Exit statuses: stable and documented. */
enum sls_exit {
    SLS_EXIT_OK = 0,
    SLS_EXIT_RULE_FAILED = 1,
    SLS_EXIT_USAGE = 2,
    SLS_EXIT_INPUT = 3,
    SLS_EXIT_INCOMPLETE = 4
};

int sls__cli_check(int argc, char **argv);
int sls__cli_merge(int argc, char **argv);

#endif
