/* Replays files through a fuzz target's LLVMFuzzerTestOneInput without libFuzzer, so that the
 * committed corpus runs in `make check` with the ordinary compiler (and under the sanitizers
 * when configured with --enable-sanitizers).  Usage: replay_NAME FILE... */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    int i;
    for (i = 1; i < argc; i++)
    {
        FILE *fp = fopen(argv[i], "rb");
        uint8_t *buf;
        long n;
        if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0)
        {
            fprintf(stderr, "replay: cannot read %s\n", argv[i]);
            return 2;
        }
        rewind(fp);
        buf = malloc((size_t) n + 1);
        if (buf == NULL || fread(buf, 1, (size_t) n, fp) != (size_t) n)
        {
            fprintf(stderr, "replay: cannot read %s\n", argv[i]);
            return 2;
        }
        fclose(fp);
        LLVMFuzzerTestOneInput(buf, (size_t) n);
        free(buf);
    }
    return 0;
}
