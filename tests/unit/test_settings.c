/* test_settings.c: the settings file (src/settings.c): values read, the
 * first bad line named with its number and the others counted, a save
 * that keeps every line it did not change, atomically, and the path from
 * the environment. */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "settings.h"

static const char SAMPLE[] = "# mine\n"
                             "view = flat\n"
                             "sort=rate\n"
                             "sort=nosuch\n"   /* 4: bad value: the first warning */
                             "future_key=42\n" /* 5: unknown, kept */
                             "refresh=2.5\n"
                             "just words\n" /* 7: not key=value */
                             "filter=!state:listen port:443\n"
                             "colors=high-contrast\r\n"
                             "show_all=yes\n"
                             "port_names=off\n"
                             "show_inactive=maybe\n"; /* 12: bad value */

static void test_parse(void** state) {
   (void)state;
   Settings s;
   Settings_init(&s);
   Settings_parse(&s, SAMPLE, sizeof SAMPLE - 1, "visnetrc");
   assert_int_equal(s.v.view, VIEW_FLAT);
   assert_int_equal(s.v.sort, SORT_RATE); /* the bad line after it changed nothing */
   assert_int_equal(s.v.delay_ds, 25);
   assert_string_equal(s.v.filter, "!state:listen port:443");
   assert_int_equal(s.v.colors, COLORS_CONTRAST);
   assert_true(s.v.show_all);
   assert_false(s.v.port_names);
   assert_true(s.v.show_inactive); /* the default: its line was bad */
   assert_int_equal(s.bad, 4);
   assert_string_equal(s.warning, "visnetrc:4: 'sort=nosuch': not a sort key (pid, name, conns, "
                                  "bytes, last, rate, age, rtt, retrans); ignored");
   assert_int_equal(s.present, 1u << SET_VIEW | 1u << SET_SORT | 1u << SET_REFRESH |
                                   1u << SET_FILTER | 1u << SET_COLORS | 1u << SET_SHOW_ALL |
                                   1u << SET_PORT_NAMES);
   assert_int_equal(s.changed, 0);
}

static void test_bad_filter_and_controls(void** state) {
   (void)state;
   static const char T[] = "filter=port:nosuchservice\nview=\033[2Jtree\nrefresh=0x10\n";
   Settings s;
   Settings_init(&s);
   Settings_parse(&s, T, sizeof T - 1, "rc");
   assert_int_equal(s.bad, 3);
   assert_non_null(strstr(s.warning, "rc:1: 'filter=port:nosuchservice': 'port:nosuchservice'"));
   assert_null(strchr(s.warning, '\033'));
   assert_string_equal(s.v.filter, "");
   assert_int_equal(s.v.delay_ds, 10);
}

static void test_set_and_format(void** state) {
   (void)state;
   static const char T[] = "# mine\nsort = rate\nfuture_key=42\njust words\nsort=conns\nview=flat";
   Settings s;
   Settings_init(&s);
   Settings_parse(&s, T, sizeof T - 1, "rc");
   s.text = strdup(T);
   s.len = sizeof T - 1;
   char err[200];
   assert_int_equal(Settings_set(&s, SET_VIEW, "flat", err, sizeof err), 0);
   assert_int_equal(s.changed, 0); /* the same value: not a change */
   assert_int_equal(Settings_set(&s, SET_SORT, "bytes", err, sizeof err), 0);
   assert_int_equal(Settings_set(&s, SET_SHOW_ALL, "yes", err, sizeof err), 0);
   assert_int_equal(Settings_set(&s, SET_COLORS, "purple", err, sizeof err), -1);
   assert_string_equal(err, "colors: not one of default, monochrome, high-contrast");
   assert_int_equal(Settings_set(&s, SET_COLUMNS, "pid,bogus", err, sizeof err), -1);
   assert_string_equal(err, "columns: 'bogus' is not a column (pid,user,conns,up,down,rtt,retr)");
   assert_int_equal(Settings_set(&s, SET_COLUMNS, "pid,pid", err, sizeof err), -1);
   assert_string_equal(err, "columns: 'pid' twice");
   assert_int_equal(Settings_set(&s, SET_COLUMNS, "pid,", err, sizeof err), -1);
   assert_string_equal(err, "columns: a comma at the end");
   size_t len;
   char* out = Settings_format(&s, &len);
   /* sort replaced where it first stood, its later line gone; the rest as it was */
   assert_string_equal(out, "# mine\nsort=bytes\nfuture_key=42\njust words\nview=flat\n"
                            "show_all=yes\n");
   assert_int_equal(len, strlen(out));
   free(out);
   Settings_free(&s);
}

static void test_save_and_load(void** state) {
   (void)state;
   char dir[] = "/tmp/vn-settings-XXXXXX";
   assert_non_null(mkdtemp(dir));
   setenv("XDG_CONFIG_HOME", dir, 1);
   char buf[512];
   const char* path = Settings_path(buf, sizeof buf);
   char want[600];
   snprintf(want, sizeof want, "%s/visnet/visnetrc", dir);
   assert_string_equal(path, want);
   Settings s;
   Settings_init(&s);
   char err[300] = "";
   assert_int_equal(Settings_load(&s, path, err, sizeof err), 0); /* none yet */
   assert_int_equal(s.present, 0);
   assert_int_equal(Settings_set(&s, SET_SORT, "age", err, sizeof err), 0);
   assert_int_equal(Settings_set(&s, SET_REFRESH, "0.5", err, sizeof err), 0);
   assert_int_equal(Settings_save(&s, path, err, sizeof err), 0);
   Settings_free(&s);
   Settings t;
   Settings_init(&t);
   assert_int_equal(Settings_load(&t, path, err, sizeof err), 0);
   assert_int_equal(t.v.sort, SORT_AGE);
   assert_int_equal(t.v.delay_ds, 5);
   assert_int_equal(t.bad, 0);
   assert_string_equal(t.text, "# visnet settings (visnet(1), SETTINGS)\nsort=age\nrefresh=0.5\n");
   Settings_free(&t);
   /* nothing left beside it: the temporary file was renamed */
   char vdir[600];
   snprintf(vdir, sizeof vdir, "%s/visnet", dir);
   DIR* d = opendir(vdir);
   assert_non_null(d);
   int files = 0;
   for (struct dirent* e; (e = readdir(d));)
      files += e->d_name[0] != '.';
   closedir(d);
   assert_int_equal(files, 1);
   struct stat st;
   assert_int_equal(stat(vdir, &st), 0);
   assert_int_equal(st.st_mode & 0777, 0700);
   /* a directory where the file should be: one line, -1 */
   assert_int_equal(unlink(path), 0);
   assert_int_equal(mkdir(path, 0700), 0);
   Settings_init(&t);
   assert_int_equal(Settings_load(&t, path, err, sizeof err), -1);
   assert_non_null(strstr(err, "not a regular file"));
   assert_int_equal(Settings_save(&t, path, err, sizeof err), -1);
   assert_non_null(strstr(err, "saving "));
   rmdir(path);
   rmdir(vdir);
   rmdir(dir);
   unsetenv("XDG_CONFIG_HOME");
}

static void test_path_from_home(void** state) {
   (void)state;
   char buf[256];
   unsetenv("XDG_CONFIG_HOME");
   setenv("HOME", "/home/ann", 1);
   assert_string_equal(Settings_path(buf, sizeof buf), "/home/ann/.config/visnet/visnetrc");
   setenv("XDG_CONFIG_HOME", "relative", 1); /* not absolute: ignored, as the spec says */
   assert_string_equal(Settings_path(buf, sizeof buf), "/home/ann/.config/visnet/visnetrc");
   unsetenv("XDG_CONFIG_HOME");
   unsetenv("HOME");
   assert_null(Settings_path(buf, sizeof buf));
}

int main(void) {
   const struct CMUnitTest tests[] = {
       cmocka_unit_test(test_parse),          cmocka_unit_test(test_bad_filter_and_controls),
       cmocka_unit_test(test_set_and_format), cmocka_unit_test(test_save_and_load),
       cmocka_unit_test(test_path_from_home),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
