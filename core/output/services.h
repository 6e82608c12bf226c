/* services.h: service names of ports (/etc/services, as ss shows them),
 * for every output: the one cache of them, a uthash table its owner frees.
 * -n (numeric) callers do not ask. */
#ifndef VISNET_SERVICES_H
#define VISNET_SERVICES_H

#include <stdint.h>

typedef struct ServiceName_ ServiceName;

/* The name of port over proto (IPPROTO_TCP, IPPROTO_UDP), or NULL when
 * /etc/services has none; looked up once per port and protocol. */
const char* Services_name(ServiceName** cache, uint16_t port, uint8_t proto);
/* The port as shown: its service name if it has one and names are wanted
 * (cache not NULL), else the number. */
const char* Services_port(ServiceName** cache, uint16_t port, uint8_t proto, char* buf,
                          unsigned len);
void Services_free(ServiceName** cache);

#endif
