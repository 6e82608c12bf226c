/* event.c: names and address helpers of the event model. */
#include "event.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char* const TYPE_NAMES[EV__COUNT] = {
   [EV_NONE] = "none",       [EV_EXEC] = "exec",           [EV_FORK] = "fork",
   [EV_EXIT] = "exit",       [EV_PROC] = "proc",           [EV_CONNECT] = "connect",
   [EV_CONNECTED] = "connected", [EV_CONNECT_FAIL] = "connect_fail",
   [EV_ACCEPT] = "accept",   [EV_LISTEN] = "listen",       [EV_STATE] = "state",
   [EV_CLOSE] = "close",     [EV_BYTES] = "bytes",         [EV_UDP_PEER] = "udp_peer",
   [EV_SOCK] = "sock",
   [EV_OWNER] = "owner",
};

static const char* const STATE_NAMES[TCPS__COUNT] = {
   [0] = "UNKNOWN",
   [TCPS_ESTABLISHED] = "ESTABLISHED", [TCPS_SYN_SENT] = "SYN_SENT",
   [TCPS_SYN_RECV] = "SYN_RECV",       [TCPS_FIN_WAIT1] = "FIN_WAIT1",
   [TCPS_FIN_WAIT2] = "FIN_WAIT2",     [TCPS_TIME_WAIT] = "TIME_WAIT",
   [TCPS_CLOSE] = "CLOSE",             [TCPS_CLOSE_WAIT] = "CLOSE_WAIT",
   [TCPS_LAST_ACK] = "LAST_ACK",       [TCPS_LISTEN] = "LISTEN",
   [TCPS_CLOSING] = "CLOSING",         [TCPS_NEW_SYN_RECV] = "NEW_SYN_RECV",
};

const char* Event_typeName(EventType t) {
   return (unsigned)t < EV__COUNT ? TYPE_NAMES[t] : "invalid";
}

EventType Event_typeFromName(const char* name) {
   for (int t = 1; t < EV__COUNT; t++)
      if (strcmp(TYPE_NAMES[t], name) == 0)
         return (EventType)t;
   return EV_NONE;
}

const char* Event_tcpStateName(int state) {
   return (state >= 0 && state < TCPS__COUNT) ? STATE_NAMES[state] : "UNKNOWN";
}

const char* Event_dirName(int dir) {
   switch (dir) {
   case DIR_OUT: return "out";
   case DIR_IN: return "in";
   case DIR_LISTEN: return "listen";
   default: return "unknown";
   }
}

const char* Event_noOwnerName(int why) {
   switch (why) {
   case NOOWN_NONE: return "";
   case NOOWN_PERM: return "owner not visible (permission)";
   case NOOWN_NETNS: return "owner in another network namespace";
   case NOOWN_ORPHAN: return "held by no process";
   default: return "owner unknown";
   }
}

int Event_isSock(const Event* e) {
   return e->type >= EV_CONNECT && e->type <= EV_OWNER;
}

static const uint8_t V4_PREFIX[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

void Addr_fromV4(uint8_t out[16], uint32_t be_addr) {
   memcpy(out, V4_PREFIX, 12);
   memcpy(out + 12, &be_addr, 4);
}

int Addr_isV4(const uint8_t a[16]) {
   return memcmp(a, V4_PREFIX, 12) == 0;
}

int Addr_isZero(const uint8_t a[16]) {
   static const uint8_t zero[16];
   if (memcmp(a, zero, 16) == 0)
      return 1;
   return Addr_isV4(a) && memcmp(a + 12, zero, 4) == 0;
}

const char* Addr_format(const uint8_t a[16], char* buf, size_t len) {
   const char* r = Addr_isV4(a) ? inet_ntop(AF_INET, a + 12, buf, (socklen_t)len)
                                : inet_ntop(AF_INET6, a, buf, (socklen_t)len);
   if (!r && len)
      buf[0] = '\0';
   return buf;
}

int Addr_parse(const char* s, uint8_t out[16]) {
   struct in_addr v4;
   if (inet_pton(AF_INET, s, &v4) == 1) {
      Addr_fromV4(out, v4.s_addr);
      return 0;
   }
   return inet_pton(AF_INET6, s, out) == 1 ? 0 : -1;
}

const char* MapFull_format(const MapFull* m, char* buf, size_t len) {
   const struct {
      const char* name;
      uint64_t n;
   } t[] = {{"owners", m->owners}, {"udp_peers", m->udp_peers}, {"calls", m->calls}, {"seeds", m->seeds}};
   size_t used = 0;
   buf[0] = '\0';
   for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
      if (!t[i].n || used >= len)
         continue;
      int w = snprintf(buf + used, len - used, "%s%s %llu", used ? ", " : "", t[i].name,
                       (unsigned long long)t[i].n);
      used += w > 0 ? (size_t)w : 0;
   }
   return buf;
}
