/* fuzz_options.c: libFuzzer target for the command line parser.
 *
 * The input, split at NUL bytes, is argv (at most 32 arguments). Every
 * outcome is a parse (0), help or version (1) or a refusal (-1) whose
 * reason is one line without control bytes: it is printed to a terminal. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
   static int quiet;
   if (!quiet++)
      (void)freopen("/dev/null", "w", stdout); /* --help and --version */
   if (size > 4096)
      return 0;
   char* s = malloc(size + 1);
   if (!s)
      return 0;
   memcpy(s, data, size);
   s[size] = '\0';
   char* argv[34] = {"visnet"};
   int argc = 1;
   for (size_t i = 0; i < size && argc < 33;) {
      argv[argc++] = s + i;
      i += strlen(s + i) + 1;
   }
   argv[argc] = NULL;
   Options o;
   char err[256] = "";
   int rc = Options_parse(argc, argv, &o, err, sizeof err);
   if (rc < -1 || rc > 1)
      abort();
   if (rc < 0) {
      if (!err[0])
         abort();
      for (const char* c = err; *c; c++)
         if ((unsigned char)*c < 0x20 || *c == 0x7f)
            abort();
   }
   free(s);
   return 0;
}
