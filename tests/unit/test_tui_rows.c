/* test_tui_rows.c: the rows of the tree screen (tui/rows.c) and the text
 * of a row (tui/rowtext.c), which need no terminal: the selection stays on
 * its item when rows move, collapsing folds exactly the subtree, a frozen
 * display keeps its text, rows carry the store's rates. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

#include "rows.h"
#include "rowtext.h"
#include "store.h"

static void apply(Store* s, Event e) {
   assert_int_equal(Store_apply(s, &e), 0);
}

/* pid 100 "web" with two connections; pid 200 "db" with one. */
static Store* twoProcs(void) {
   Store* s = Store_new(1000);
   assert_non_null(s);
   apply(s, TU_exec(100, 1, 100 * SEC, "web", 100 * SEC));
   apply(s, TU_exec(200, 1, 200 * SEC, "db", 200 * SEC));
   apply(s, TU_sock(EV_CONNECT, 100, 100 * SEC, "10.0.0.1", 40001, "10.0.0.9", 443, 300 * SEC));
   apply(s, TU_sock(EV_CONNECT, 100, 100 * SEC, "10.0.0.1", 40002, "10.0.0.8", 80, 300 * SEC));
   apply(s, TU_sock(EV_CONNECT, 200, 200 * SEC, "10.0.0.1", 40003, "10.0.0.7", 5432, 300 * SEC));
   return s;
}

static Rows rowsFor(Store* s) {
   Rows r;
   memset(&r, 0, sizeof r);
   r.topts.view = VIEW_FLAT;
   r.topts.sort = SORT_PID;
   r.topts.show_inactive = true;
   r.topts.all_procs = true;
   r.height = 4;
   r.dirty = true;
   Rows_ensure(&r, s);
   assert_null(Rows_takeError(&r));
   return r;
}

static int rowOf(const Rows* r, NodeKind kind, uint32_t pid) {
   for (size_t i = 0; i < r->n; i++) {
      const TreeNode* n = r->v[i].n;
      if (n->kind == kind && n->proc && n->proc->pid == pid)
         return (int)i;
   }
   return -1;
}

static void test_selection_follows_item(void** state) {
   (void)state;
   Store* s = twoProcs();
   Rows r = rowsFor(s);
   /* flat, by pid: web, its 2 remotes, their 2 sockets; db, 1 remote, 1 socket */
   assert_int_equal(r.n, 8);
   int db = rowOf(&r, NODE_PROC, 200);
   assert_int_equal(db, 5);
   Rows_choose(&r, (size_t)db);
   assert_int_equal(r.top, 2); /* a body of 4 rows shows rows 2..5 */
   /* a process with a smaller pid arrives: db's row moves down one block */
   apply(s, TU_exec(50, 1, 50 * SEC, "early", 400 * SEC));
   apply(s, TU_sock(EV_CONNECT, 50, 50 * SEC, "10.0.0.1", 40004, "10.0.0.6", 22, 400 * SEC));
   r.dirty = true;
   Rows_ensure(&r, s);
   assert_int_equal(r.n, 11);
   assert_int_equal(r.sel, 8);
   assert_int_equal(Rows_selected(&r)->proc->pid, 200);
   assert_int_equal(r.sel - r.top, 3); /* at the same place on screen */
   Rows_free(&r);
   /* until the user moves it, the selection stays on the first row */
   r = rowsFor(s);
   Rows_select(&r, 0);
   apply(s, TU_exec(40, 1, 40 * SEC, "earlier", 401 * SEC));
   apply(s, TU_sock(EV_CONNECT, 40, 40 * SEC, "10.0.0.1", 40005, "10.0.0.7", 22, 401 * SEC));
   r.dirty = true;
   Rows_ensure(&r, s);
   assert_int_equal(r.sel, 0);
   assert_int_equal(Rows_selected(&r)->proc->pid, 40);
   Rows_free(&r);
   Store_free(s);
}

static void test_collapse_folds_subtree(void** state) {
   (void)state;
   Store* s = twoProcs();
   Rows r = rowsFor(s);
   const TreeNode* web = r.v[rowOf(&r, NODE_PROC, 100)].n;
   Rows_setCollapsed(&r, web->key, true);
   assert_true(Rows_isCollapsed(&r, web->key));
   Rows_ensure(&r, s);
   assert_int_equal(r.n, 4); /* web's four rows below it are folded */
   Rows_setCollapsed(&r, r.v[0].key, false);
   Rows_ensure(&r, s);
   assert_int_equal(r.n, 8);
   Rows_free(&r);
   Store_free(s);
}

static void fmtRow(void* ctx, const TreeNode* n, Buf* b) {
   RowText_format(ctx, n, b);
}

/* Colour class bytes left out: the text as the screen shows it. */
static const char* plain(const char* s, char* out, size_t len) {
   size_t o = 0;
   for (; *s && o + 1 < len; s++)
      if ((unsigned char)*s >= CL__COUNT)
         out[o++] = *s;
   out[o] = '\0';
   return out;
}

static void test_freeze_and_text(void** state) {
   (void)state;
   Store* s = twoProcs();
   Rows r = rowsFor(s);
   RowText rt;
   memset(&rt, 0, sizeof rt);
   rt.utf8 = false;
   rt.now_ns = 305 * SEC;
   char text[LINE_CAP];
   Rows_freeze(&r, true, fmtRow, &rt);
   assert_true(r.frozen);
   assert_null(Rows_selected(&r));
   /* the store may change under a frozen display: the rows keep their text */
   apply(s, TU_exec(50, 1, 50 * SEC, "early", 400 * SEC));
   r.dirty = true;
   Rows_ensure(&r, s);
   assert_int_equal(r.n, 8);
   plain(r.v[4].text, text, sizeof text);
   assert_non_null(strstr(text, "`--> 10.0.0.9:https ESTABLISHED  tx 0B rx 0B  5s"));
   assert_int_equal(Rows_search(&r, "postgresql", 0, 1), 7); /* port 5432, by name */
   Rows_freeze(&r, false, fmtRow, &rt);
   Rows_ensure(&r, s);
   assert_int_equal(r.n, 9); /* early has no socket: one row */
   Users_free(&rt.users);
   Services_free(&rt.services);
   Rows_free(&r);
   Store_free(s);
}

/* Rows carry the store's rates: a process its own, in the tree view its
 * subtree's too. */
static void test_rows_carry_rates(void** state) {
   (void)state;
   Store* s = twoProcs();
   Store_updateRates(s, 300 * SEC); /* baselines */
   Event e = TU_sock(EV_BYTES, 100, 100 * SEC, "10.0.0.1", 40001, "10.0.0.9", 443, 301 * SEC);
   e.sock.tx = 3000;
   e.sock.rx = 1500;
   apply(s, e);
   Store_updateRates(s, 302 * SEC);
   Rows r = rowsFor(s);
   const TreeNode* web = r.v[rowOf(&r, NODE_PROC, 100)].n;
   assert_true(web->up == 1500.0f && web->down == 750.0f); /* bytes over 2 s */
   assert_true(r.v[rowOf(&r, NODE_PROC, 200)].n->up == 0.0f);
   Rows_free(&r);
   Store_free(s);
}

int main(void) {
   setlocale(LC_ALL, "C");
   const struct CMUnitTest tests[] = {
       cmocka_unit_test(test_selection_follows_item),
       cmocka_unit_test(test_collapse_folds_subtree),
       cmocka_unit_test(test_freeze_and_text),
       cmocka_unit_test(test_rows_carry_rates),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
