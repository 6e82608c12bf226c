/* ui.c: the UI's life: curses on and off the terminal, resize, and the
 * per-frame entry point called by the event loop. */
#include "ui_priv.h"

#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static Ui* g_open; /* for the atexit safety net */

uint64_t Ui_nowMs(void) {
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The clock of the store's timestamps: the frame's, else CLOCK_BOOTTIME. */
uint64_t Ui_nowNs(const Ui* ui) {
   if (ui->have_st && ui->st.now_ns)
      return ui->st.now_ns;
   struct timespec ts;
   clock_gettime(CLOCK_BOOTTIME, &ts);
   return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void Ui_message(Ui* ui, const char* fmt, ...) {
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(ui->msg, sizeof ui->msg, fmt, ap);
   va_end(ap);
   ui->msg_until_ms = Ui_nowMs() + 4000;
}

const char* Ui_userName(Ui* ui, uint32_t uid) {
   return Users_name(&ui->users, uid);
}

/* sudo drops SSH_CONNECTION from the environment; the shell that ran sudo
 * still has it: look for it in the environment of our ancestors. */
static bool ancestorSshEnv(char* out, size_t len) {
   pid_t pid = getppid();
   for (int depth = 0; depth < 16 && pid > 1; depth++) {
      char path[64], buf[8192];
      snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
      FILE* f = fopen(path, "re");
      if (f) {
         size_t n = fread(buf, 1, sizeof buf - 1, f);
         fclose(f);
         buf[n] = '\0';
         for (size_t i = 0; i < n; i += strlen(buf + i) + 1)
            if (strncmp(buf + i, "SSH_CONNECTION=", 15) == 0) {
               snprintf(out, len, "%s", buf + i + 15);
               return true;
            }
      }
      snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
      f = fopen(path, "re");
      if (!f)
         return false;
      size_t n = fread(buf, 1, sizeof buf - 1, f);
      fclose(f);
      buf[n] = '\0';
      const char* rp = strrchr(buf, ')'); /* the name may hold spaces and ')' */
      int ppid;
      if (!rp || sscanf(rp + 1, " %*c %d", &ppid) != 1)
         return false;
      pid = (pid_t)ppid;
   }
   return false;
}

/* SSH_CONNECTION is "client_ip client_port server_ip server_port". */
static void parseSsh(Ui* ui) {
   const char* env = getenv("SSH_CONNECTION");
   char found[256];
   if (!env && ancestorSshEnv(found, sizeof found))
      env = found;
   char cip[64], sip[64];
   unsigned cport, sport;
   if (!env || sscanf(env, "%63s %u %63s %u", cip, &cport, sip, &sport) != 4)
      return;
   if (Addr_parse(cip, ui->ssh_client) < 0 || Addr_parse(sip, ui->ssh_server) < 0 ||
       cport > 65535 || sport > 65535)
      return;
   ui->ssh_cport = (uint16_t)cport;
   ui->ssh_sport = (uint16_t)sport;
   ui->have_ssh = true;
}

static void setupColors(Ui* ui) {
   for (int i = 0; i < CL__COUNT; i++)
      ui->attr[i] = A_NORMAL;
   ui->attr[CL_PROC] = A_BOLD;
   ui->attr[CL_HEAD] = A_BOLD;
   ui->attr[CL_HERE] = A_BOLD;
   ui->attr[CL_WARN] = A_BOLD;
   if (!ui->color)
      return;
   start_color();
   /* -1 is the terminal's own colour, when it lets us keep it */
   short dflt = use_default_colors() == OK ? -1 : COLOR_WHITE;
   static const struct {
      int cls, fg, bg;
      attr_t extra;
   } MAP[] = {
       {CL_SECOND, COLOR_CYAN, -1, 0},
       {CL_PROC, -1, -1, A_BOLD},
       {CL_ADDR, COLOR_GREEN, -1, 0},
       {CL_PORT, COLOR_GREEN, -1, A_BOLD},
       {CL_STATE, COLOR_YELLOW, -1, 0},
       {CL_LISTEN, COLOR_MAGENTA, -1, A_BOLD},
       {CL_TREE, COLOR_BLUE, -1, A_BOLD},
       {CL_HERE, COLOR_RED, -1, A_BOLD},
       {CL_USER, -1, -1, 0},
       {CL_WARN, COLOR_RED, -1, A_BOLD},
       {CL_HEAD, COLOR_CYAN, -1, A_BOLD},
   };
   for (size_t i = 0; i < sizeof MAP / sizeof MAP[0]; i++) {
      short fg = MAP[i].fg < 0 ? dflt : (short)MAP[i].fg;
      short bg = MAP[i].bg < 0 ? (dflt < 0 ? -1 : COLOR_BLACK) : (short)MAP[i].bg;
      init_pair((short)MAP[i].cls, fg, bg);
      ui->attr[MAP[i].cls] = COLOR_PAIR(MAP[i].cls) | MAP[i].extra;
   }
   init_pair(PAIR_BAR, COLOR_BLACK, COLOR_CYAN);
   init_pair(PAIR_SEL, COLOR_BLACK, COLOR_CYAN);
   init_pair(PAIR_COLHDR, COLOR_BLACK, COLOR_GREEN);
}

static void atexitClose(void) {
   if (g_open)
      Ui_close(g_open);
}

Ui* Ui_open(const UiOpts* o, char* err, size_t errlen) {
   if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
      snprintf(err, errlen,
               "the terminal UI needs a terminal on stdin and stdout "
               "(use --once, --json or --headless otherwise)");
      return NULL;
   }
   Ui* ui = calloc(1, sizeof *ui);
   if (!ui) {
      snprintf(err, errlen, "out of memory");
      return NULL;
   }
   ui->opts = *o;
   setlocale(LC_ALL, "");
   ui->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
   ui->scr = newterm(NULL, stdout, stdin);
   if (!ui->scr) {
      const char* term = getenv("TERM");
      snprintf(err, errlen, "cannot start the terminal UI for TERM=%s", term ? term : "(unset)");
      free(ui);
      return NULL;
   }
   set_term(ui->scr);
   ui->active = true;
   const char* cup = tigetstr("cup");
   if (!cup || cup == (char*)-1) {
      const char* term = getenv("TERM");
      snprintf(err, errlen,
               "TERM=%s cannot move the cursor: the terminal UI needs one that "
               "can (use --once, --json or --headless otherwise)",
               term ? term : "(unset)");
      endwin();
      delscreen(ui->scr);
      free(ui);
      return NULL;
   }
   set_escdelay(25);
   cbreak(); /* keeps ISIG: Ctrl-C reaches the program's signalfd as SIGINT */
   noecho();
   nonl();
   intrflush(stdscr, FALSE);
   keypad(stdscr, TRUE);
   nodelay(stdscr, TRUE);
   leaveok(stdscr, TRUE);
   curs_set(0);
   ui->color = !o->no_color && has_colors();
   setupColors(ui);

   struct utsname un;
   if (uname(&un) == 0) {
      snprintf(ui->host, sizeof ui->host, "%s", un.nodename);
      snprintf(ui->kernel, sizeof ui->kernel, "%s", un.release);
   }
   parseSsh(ui);
   ui->topts.view = o->view;
   ui->topts.sort = o->sort;
   ui->topts.show_inactive = true;
   ui->topts.root_pid = o->pid;
   if (o->filter)
      snprintf(ui->filter, sizeof ui->filter, "%s", o->filter);
   ui->auto_prune = o->auto_prune;
   ui->dirty = true;
   g_open = ui;
   static bool registered;
   if (!registered && atexit(atexitClose) == 0)
      registered = true;
   return ui;
}

int Ui_inputFd(const Ui* ui) {
   (void)ui;
   return STDIN_FILENO;
}

bool Ui_wantsNames(const Ui* ui) {
   return ui && ui->dns;
}

size_t Ui_unnamed(Ui* ui, uint8_t (*out)[16], size_t max) {
   size_t n = ui->nunnamed < max ? ui->nunnamed : max;
   memcpy(out, ui->unnamed, n * 16);
   ui->nunnamed = 0;
   return n;
}

void Ui_namesUnavailable(Ui* ui, const char* why) {
   ui->dns = false;
   Ui_message(ui, "reverse DNS unavailable: %s", why);
}

void Ui_markDirty(Ui* ui) {
   ui->dirty = true;
}

static void autoPrune(Ui* ui, Store* s) {
   if (!ui->auto_prune || !ui->have_st || !ui->st.now_ns)
      return;
   PruneCount c = Store_pruneOlder(s, ui->st.now_ns, ui->opts.prune_after_s * 1000000000ull);
   if (c.socks || c.edges || c.procs)
      ui->dirty = true;
}

void Ui_draw(Ui* ui, Store* s, const UiStatus* st) {
   if (!ui || !ui->active)
      return;
   ui->store = s;
   if (st) {
      ui->st = *st;
      ui->have_st = true;
   }
   autoPrune(ui, s);
   Draw_frame(ui, s);
}

void Ui_redraw(Ui* ui) {
   if (ui && ui->active && ui->store)
      Draw_frame(ui, ui->store);
}

void Ui_onResize(Ui* ui) {
   if (!ui || !ui->active)
      return;
   struct winsize ws;
   if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0 &&
       (ws.ws_row != LINES || ws.ws_col != COLS))
      resizeterm(ws.ws_row, ws.ws_col);
   Ui_redraw(ui);
}

int Ui_onInput(Ui* ui, Store* s) {
   if (!ui || !ui->active)
      return 0;
   ui->store = s;
   Rows_ensure(ui, s);
   bool any = false;
   int ch;
   while ((ch = getch()) != ERR) {
      any = true;
      if (ch == KEY_RESIZE) {
         /* curses has resized already (resizeterm queues this key) */
         Ui_redraw(ui);
         continue;
      }
      if (Keys_handle(ui, s, ch))
         return 1;
   }
   if (any) {
      Draw_frame(ui, s);
      return 0;
   }
   /* readable but no key: the terminal is gone (hangup without SIGHUP);
    * quit rather than spin on an fd that stays readable */
   struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
   if (poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)))
      return 1;
   return 0;
}

void Ui_close(Ui* ui) {
   if (!ui)
      return;
   if (ui->active) {
      ui->active = false;
      curs_set(1);
      endwin();
      fflush(stdout);
   }
   if (g_open == ui)
      g_open = NULL;
}

void Ui_free(Ui* ui) {
   if (!ui)
      return;
   Ui_close(ui);
   Rows_freeAll(ui);
   Users_free(&ui->users);
   if (ui->scr)
      delscreen(ui->scr);
   free(ui);
}
