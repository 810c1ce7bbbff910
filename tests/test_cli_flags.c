/* The command's flags for the library's fixes (fy_cli_flags, src/cli/common.c; issue 9): the
 * library's refusals name what a C caller can do, the command prints the messages it printed
 * before (the right-hand texts below are the feynn messages of the previous releases, which
 * the CLI tests also check: test_taylor_cli.sh, test_cli.sh, test_born_cli.sh). */
#include <string.h>

#include <stdio.h>
#include <unistd.h>

#include "cli/cli.h"
#include "feynn/born.h"
#include "feynn/num.h"
#include "testutil.h"

static void flags(char *out, size_t n, const char *msg)
{
    memset(out, 'x', n);
    fy_cli_flags(out, n, msg);
}

static void test_cli_flags_table(void **state)
{
    static const char *const pairs[][2] = {
        {"1 GiB; raise the limit with fy_memory_limit_set or FEYNN_MEMORY_LIMIT",
         "1 GiB; raise the limit with feynn --memory-limit SIZE or FEYNN_MEMORY_LIMIT"},
        {"the limit of 1 GB (fy_memory_limit_set)", "the limit of 1 GB (--memory-limit)"},
        {"empty it, or pass force = 1 to fy_outdir_open (its contents",
         "empty it, or pass --force (its contents"},
        {"layer 1 has no activation (set fy_net_opts.activation)",
         "layer 1 has no activation (give --activation)"},
        {"small networks: use FY_ARITH_EXACT or FY_ARITH_BALL",
         "small networks: use --arith exact or ball"},
        {"about 1.8e308); use FY_ARITH_BALL", "about 1.8e308); use --arith ball"},
        {"ball arithmetic (FY_ARITH_BALL) has no such limit",
         "ball arithmetic (--arith ball) has no such limit"},
        {"(limit 20000); use FY_MLP_JOB_ENTRY or FY_MLP_JOB_DIRECTION",
         "(limit 20000); use --entry or --direction"},
        {"at most 8; use fy_inn_report_json or a lower fy_inn_opts.order",
         "at most 8; use --format json or a lower --order"},
        {"(or let fy_nnft_rp_points generate them)",
         "(or let them be generated: feynn nnft rp --n-points K)"},
        {"(the first is 'samples'); name one of them (fy_inn_samples_read's tensor)",
         "(the first is 'samples'); name one with --tensor"},
        /* house9: the nnft symmetry note and the born data reader */
        {"vanish (symmetric output-weight law); the Monte Carlo (fy_nnft_symmetry_mc) measures "
         "it on sampled networks",
         "vanish (symmetric output-weight law); --mc measures it on sampled networks"},
        {"(files of different data sets mixed?); write the data set again "
         "(fy_born_data_write)",
         "(files of different data sets mixed?); write the data set again with 'feynn born "
         "data'"},
        {"and a0 (N) as fy_born_data_write_safetensors writes them",
         "and a0 (N) as written by 'feynn born data'"},
        {"metadata.json, as fy_born_data_write_npy writes it",
         "metadata.json, as 'feynn born data --format npy -o DIR' writes it"},
        {"and a0 (N), as fy_born_data_write_npy writes them",
         "and a0 (N), as 'feynn born data' writes"},
        {"the '#' lines, as fy_born_data_write_text writes)",
         "the '#' lines, as 'feynn born data --format text' writes)"},
        {"d.bin: not a data set (fy_born_data_write): binary",
         "d.bin: not a data set of 'feynn born data': binary"},
        /* text that names no library fix is left alone, flags and identifiers included */
        {"x.safetensors: --arith FY_ARITH and fy_memory_limit",
         "x.safetensors: --arith FY_ARITH and fy_memory_limit"},
        {"", ""}};
    char out[512];
    size_t i;
    (void) state;
    for (i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
    {
        flags(out, sizeof out, pairs[i][0]);
        assert_string_equal(out, pairs[i][1]);
    }
    /* the output is cut to fit, always terminated */
    flags(out, 10, "use FY_ARITH_BALL now");
    assert_string_equal(out, "use --ari");
    flags(out, 1, "abc");
    assert_string_equal(out, "");
}

/* A refusal of the library itself, through the table: the memory limit's sentence. */
static void test_cli_flags_library_message(void **state)
{
    fy_error_t e;
    fy_numvec_t v;
    char out[2 * FY_ERROR_MSG_LEN];
    (void) state;
    fy_error_init(e);
    fy_memory_limit_set(4096);
    assert_int_equal(fy_numvec_init(v, FY_ARITH_DOUBLE, 1000, 53, e), FY_ENOMEM);
    fy_memory_limit_set(0);
    fy_numvec_clear(v);
    assert_null(strstr(e->msg, "--"));
    flags(out, sizeof out, e->msg);
    assert_non_null(strstr(out, "raise the limit with feynn --memory-limit SIZE or "
                                "FEYNN_MEMORY_LIMIT"));
    assert_null(strstr(out, "fy_memory_limit_set"));
}

/* The born data reader's refusal of a binary file that is not safetensors: in the library's
 * words (no command, no flag), in the command's through the table. */
static void test_cli_flags_born_data(void **state)
{
    char path[] = "/tmp/fy_test_cli_flags_XXXXXX", out[2 * FY_ERROR_MSG_LEN];
    fy_born_data_t d;
    fy_error_t e;
    int fd;
    (void) state;
    fy_error_init(e);
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "\x01\x02\x03 binary\n", 10), 10);
    close(fd);
    fy_born_data_init(d);
    assert_int_equal(fy_born_data_read(d, path, e), FY_EINPUT);
    fy_born_data_clear(d);
    unlink(path);
    assert_null(strstr(e->msg, "feynn"));
    assert_non_null(strstr(e->msg, "not a data set (fy_born_data_write)"));
    flags(out, sizeof out, e->msg);
    assert_non_null(strstr(out, "not a data set of 'feynn born data': binary"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_flags_table),
        cmocka_unit_test(test_cli_flags_library_message),
        cmocka_unit_test(test_cli_flags_born_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
