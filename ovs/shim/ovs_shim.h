/* The one door into libopenvswitch.
 *
 * Every call into Open vSwitch's C library lives in ovs_shim.c; this header is its whole API, in
 * plain C structs and callbacks, so no OVS header (several do not compile as C++) is visible to the
 * rest of stackwire. Data is lent to the callbacks: every pointer in a struct passed to a callback
 * is valid only during that call (copy what you keep).
 *
 * Threading: libopenvswitch keeps global state (poll loop, vlog, RCU, fatal signals). The first
 * call fixes the calling thread as the OVS thread; a call from any other thread fails with EBUSY.
 *
 * Errors: functions return 0 or a positive errno and fill `err` with one line that names the
 * socket or object ("unix:/var/run/openvswitch/db.sock: connection failed: No such file or
 * directory"). */
#ifndef STACKWIRE_OVS_SHIM_H
#define STACKWIRE_OVS_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One line of error text. */
struct sw_ovs_error {
    char message[512];
};

/* The atomic types of OVSDB (RFC 7047). */
enum sw_ovs_atom_type {
    SW_OVS_ATOM_INTEGER,
    SW_OVS_ATOM_REAL,
    SW_OVS_ATOM_BOOLEAN,
    SW_OVS_ATOM_STRING,
    SW_OVS_ATOM_UUID,
};

/* One OVSDB atom. `string` holds the string for STRING and the UUID's text for UUID. */
struct sw_ovs_atom {
    enum sw_ovs_atom_type type;
    int64_t integer;
    double real;
    int boolean;
    const char *string;
};

/* One column of one row: n atoms (a set; a scalar is a set of one) or n key/value pairs
 * (values != NULL: a map), in OVSDB's datum order (sorted by key). */
struct sw_ovs_cell {
    const char *column;
    size_t n;
    const struct sw_ovs_atom *keys;
    const struct sw_ovs_atom *values;
};

/* Called once per row of each requested table. */
struct sw_ovs_db_visitor {
    void *ctx;
    void (*row)(void *ctx, const char *table, const char *uuid,
                const struct sw_ovs_cell *cells, size_t n_cells);
};

/* One table to replicate: its name and the columns wanted (n_columns 0: every column). */
struct sw_ovs_table_request {
    const char *table;
    const char *const *columns;
    size_t n_columns;
};

/* Connects to the OVSDB server at `remote` ("unix:PATH"), replicates the requested tables and
 * columns of the Open_vSwitch database once, read-only, hands every row to the visitor (with the
 * requested columns only, in the order asked) and disconnects. Waits at most timeout_ms for the
 * connection and the initial contents. A column the server's schema lacks is reported empty. */
int sw_ovs_db_read(const char *remote, int timeout_ms,
                   const struct sw_ovs_table_request *tables, size_t n_tables,
                   const struct sw_ovs_db_visitor *visitor, struct sw_ovs_error *err);

/* One flow, decoded by ofputil from a flow stats reply. */
struct sw_ovs_flow {
    uint8_t table_id;
    uint16_t priority;
    uint64_t cookie;
    uint32_t duration_sec;
    uint32_t duration_nsec;
    uint16_t idle_timeout;  /* 0: none */
    uint16_t hard_timeout;  /* 0: none */
    int idle_age;           /* -1: not reported (OpenFlow 1.1+) */
    int hard_age;           /* -1: not reported */
    uint64_t n_packets;     /* UINT64_MAX: unknown */
    uint64_t n_bytes;       /* UINT64_MAX: unknown */
    uint16_t importance;
    const char *flags;      /* "send_flow_rem reset_counts " as ovs-ofctl prints them, or "" */
    const char *text;       /* the whole line as `ovs-ofctl dump-flows` prints it, sans the lead blank */
    const char *match;      /* the match as ovs-ofctl prints it, "priority=N," first unless default */
    size_t n_actions;       /* 0 for an empty action list ("actions=drop") */
    const char *const *actions; /* each action (or instruction) formatted on its own */
};

struct sw_ovs_flow_visitor {
    void *ctx;
    void (*flow)(void *ctx, const struct sw_ovs_flow *flow);
};

/* Dumps the flows of the OpenFlow switch at `vconn_name` ("unix:RUNDIR/BRIDGE.mgmt"), allowing
 * only OpenFlow version `ofp_version` (wire number: 0x04 for 1.3), of table `table` (-1: every
 * table), in two halves, so that the switch builds its replies while the caller does other work
 * (snapshots read OVSDB meanwhile). _start connects within timeout_ms and sends the flow stats
 * request; on success *dump is set and must go to exactly one of _finish (which receives every
 * reply and hands each flow to the visitor, in the switch's order, waiting up to its own
 * timeout_ms, then frees the dump) or _abandon (which frees it unread). On failure *dump is NULL
 * and err says why. Called from any thread but the OVS thread, _finish fails with EBUSY and both
 * leave the dump unfreed: its connection belongs to the OVS thread. (ovs::dump_flows is _start
 * then _finish under one deadline.) */
struct sw_ovs_flow_dump;
int sw_ovs_flow_dump_start(const char *vconn_name, int ofp_version, int table, int timeout_ms,
                           struct sw_ovs_flow_dump **dump, struct sw_ovs_error *err);
int sw_ovs_flow_dump_finish(struct sw_ovs_flow_dump *dump, int timeout_ms,
                            const struct sw_ovs_flow_visitor *visitor, struct sw_ovs_error *err);
void sw_ovs_flow_dump_abandon(struct sw_ovs_flow_dump *dump);

/* Sets the level below which OVS's own log messages are dropped: 0 debug, 1 info, 2 warn (the
 * default), 3 error. They go to stderr, formatted as stackwire's log lines, never to stdout. */
void sw_ovs_set_log_level(int level);

#ifdef __cplusplus
}
#endif

#endif /* STACKWIRE_OVS_SHIM_H */
