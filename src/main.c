/* main.c: visnet's entry: parse the options, run the chosen mode. */
#include <locale.h>
#include <stdio.h>

#include "app.h"
#include "fleetrun.h"
#include "netns.h"
#include "once.h"
#include "options.h"

int main(int argc, char** argv) {
   Options o;
   char err[256];
   setlocale(LC_ALL, "");
   int rc = Options_parse(argc, argv, &o, err, sizeof err);
   if (rc == 1)
      return 0;
   if (rc < 0) {
      fprintf(stderr, "visnet: %s\n", err);
      return 2;
   }
   if (o.remote || o.remote_file) /* --netns is the far sides' */
      return FleetRun_run(&o);
   if (o.netns_name && Netns_resolve(o.netns_name, &o.netns, err, sizeof err) < 0) {
      fprintf(stderr, "visnet: %s\n", err);
      return 2;
   }
   if (o.mode == MODE_ONCE)
      return Once_run(&o);
   return App_run(&o);
}
