/* Every call stackwire makes into libopenvswitch (see ovs_shim.h for the contract).
 *
 * Models: utilities/ovs-vsctl.c (an IDL client that reads once and leaves), utilities/ovs-ofctl.c
 * (dump-flows), lib/vconn.c (vconn_dump_flows, here with a deadline on every wait).
 *
 * Process-wide effects, made once on the first call:
 *  - Signals: lib/fatal-signal.c installs its own handler for SIGTERM, SIGINT, SIGHUP, SIGALRM and
 *    SIGSEGV when they are still at SIG_DFL, and that handler only notes the signal until the next
 *    poll_block() — a Ctrl-C while stackwire works outside OVS would be lost. So, before OVS
 *    initialises, each of those still at SIG_DFL gets our handler, which restores SIG_DFL and
 *    re-raises: the process ends exactly as it would have by default, and OVS leaves it alone.
 *    SIGPIPE is blocked around each OVS call (OVS writes to sockets with write(2)); a SIGPIPE
 *    raised meanwhile is consumed and shows up as the EPIPE OVS already handles.
 *  - vlog: console only (stderr), at WARN, in stackwire's log line format; syslog and file off. */
#include <config.h>

#include "ovs_shim.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "openvswitch/ofp-errors.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-print.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vconn.h"
#include "openvswitch/vlog.h"
#include "byte-order.h"
#include "fatal-signal.h"
#include "ovsdb-data.h"
#include "ovsdb-idl.h"
#include "ovsdb-types.h"
#include "socket-util.h"
#include "timeval.h"
#include "util.h"
#include "uuid.h"
#include "vswitch-idl.h"

/* ---- process-wide set-up ---- */

static pthread_t ovs_thread;
static int ovs_thread_set;
static pthread_mutex_t ovs_thread_mutex = PTHREAD_MUTEX_INITIALIZER;

static void
default_signal_handler(int sig)
{
    signal(sig, SIG_DFL);
    raise(sig);
}

static void
set_error(struct sw_ovs_error *err, const char *format, ...)
{
    if (!err) {
        return;
    }
    va_list args;
    va_start(args, format);
    vsnprintf(err->message, sizeof err->message, format, args);
    va_end(args);
}

static int vlog_threshold = VLL_WARN;

static void
apply_log_level(void)
{
    vlog_set_levels(NULL, VLF_SYSLOG, VLL_OFF);
    vlog_set_levels(NULL, VLF_FILE, VLL_OFF);
    vlog_set_levels(NULL, VLF_CONSOLE, vlog_threshold);
    vlog_set_pattern(VLF_CONSOLE, vlog_threshold >= VLL_WARN
                                  ? "stackwire: warning: ovs %c: %m"
                                  : "stackwire: debug: ovs %c %p: %m");
    /* timeval warns of an "unreasonably long poll interval" (and coverage then dumps its
     * counters) whenever more than a second passes between two polls — in a daemon a stall, in
     * stackwire merely the time spent between two reads. */
    static const char *const noisy[] = { "timeval", "coverage" };
    for (size_t i = 0; i < sizeof noisy / sizeof noisy[0]; i++) {
        struct vlog_module *module = vlog_module_from_name(noisy[i]);
        if (module) {
            vlog_set_levels(module, VLF_CONSOLE, vlog_threshold < VLL_ERR ? vlog_threshold : VLL_ERR);
        }
    }
}

/* Fixes the OVS thread on first use and sets up signals and vlog. Returns 0 or EBUSY. */
static int
enter(struct sw_ovs_error *err)
{
    pthread_mutex_lock(&ovs_thread_mutex);
    if (!ovs_thread_set) {
        static const int fatal[] = { SIGTERM, SIGINT, SIGHUP, SIGALRM, SIGSEGV };
        for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
            struct sigaction old;
            if (!sigaction(fatal[i], NULL, &old) && old.sa_handler == SIG_DFL
                && !(old.sa_flags & SA_SIGINFO)) {
                struct sigaction sa;
                memset(&sa, 0, sizeof sa);
                sa.sa_handler = default_signal_handler;
                sigemptyset(&sa.sa_mask);
                sigaction(fatal[i], &sa, NULL);
            }
        }
        ovs_set_program_name("stackwire", "");
        apply_log_level();
        fatal_signal_init();
        ovs_thread = pthread_self();
        ovs_thread_set = 1;
    } else if (!pthread_equal(ovs_thread, pthread_self())) {
        pthread_mutex_unlock(&ovs_thread_mutex);
        set_error(err, "libopenvswitch is used from another thread already "
                  "(every OVS call must come from one thread)");
        return EBUSY;
    }
    pthread_mutex_unlock(&ovs_thread_mutex);
    return 0;
}

struct sigpipe_guard {
    sigset_t old_mask;
    int was_pending;
};

static void
sigpipe_block(struct sigpipe_guard *g)
{
    sigset_t pipe_set, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigpending(&pending);
    g->was_pending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &g->old_mask);
}

static void
sigpipe_restore(struct sigpipe_guard *g)
{
    sigset_t pipe_set, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigpending(&pending);
    if (!g->was_pending && sigismember(&pending, SIGPIPE)) {
        const struct timespec zero = { 0, 0 };
        while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR) {
            continue;
        }
    }
    pthread_sigmask(SIG_SETMASK, &g->old_mask, NULL);
}

void
sw_ovs_set_log_level(int level)
{
    static const enum vlog_level map[] = { VLL_DBG, VLL_INFO, VLL_WARN, VLL_ERR };
    if (level < 0) {
        level = 0;
    } else if (level > 3) {
        level = 3;
    }
    vlog_threshold = map[level];
    if (ovs_thread_set) {
        apply_log_level();
    }
}

/* ---- OVSDB ---- */

static void
atom_to_shim(const union ovsdb_atom *atom, enum ovsdb_atomic_type type,
             struct sw_ovs_atom *out, char *uuid_buf)
{
    memset(out, 0, sizeof *out);
    switch (type) {
    case OVSDB_TYPE_INTEGER:
        out->type = SW_OVS_ATOM_INTEGER;
        out->integer = atom->integer;
        break;
    case OVSDB_TYPE_REAL:
        out->type = SW_OVS_ATOM_REAL;
        out->real = atom->real;
        break;
    case OVSDB_TYPE_BOOLEAN:
        out->type = SW_OVS_ATOM_BOOLEAN;
        out->boolean = atom->boolean;
        break;
    case OVSDB_TYPE_STRING:
        out->type = SW_OVS_ATOM_STRING;
        out->string = json_string(atom->s);
        break;
    case OVSDB_TYPE_UUID:
        out->type = SW_OVS_ATOM_UUID;
        snprintf(uuid_buf, UUID_LEN + 1, UUID_FMT, UUID_ARGS(&atom->uuid));
        out->string = uuid_buf;
        break;
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        out->type = SW_OVS_ATOM_STRING;
        out->string = "";
        break;
    }
}

static const struct ovsdb_idl_table_class *
find_table(const char *name)
{
    for (size_t i = 0; i < OVSREC_N_TABLES; i++) {
        if (!strcmp(ovsrec_table_classes[i].name, name)) {
            return &ovsrec_table_classes[i];
        }
    }
    return NULL;
}

/* One requested table, resolved against the schema compiled into vswitch-idl. */
struct wanted_table {
    const struct ovsdb_idl_table_class *tc;
    const struct ovsdb_idl_column **columns;
    size_t n_columns;
};

static void
visit_row(const struct ovsdb_idl_row *row, const struct wanted_table *wt,
          const struct sw_ovs_db_visitor *visitor)
{
    struct sw_ovs_cell *cells = xcalloc(wt->n_columns ? wt->n_columns : 1, sizeof *cells);
    /* Atoms (and the text of UUID atoms) for every cell of this row. */
    size_t total = 0;
    for (size_t c = 0; c < wt->n_columns; c++) {
        total += ovsdb_idl_read(row, wt->columns[c])->n;
    }
    struct sw_ovs_atom *keys = xcalloc(total ? total : 1, sizeof *keys);
    struct sw_ovs_atom *values = xcalloc(total ? total : 1, sizeof *values);
    char (*key_uuids)[UUID_LEN + 1] = xcalloc(total ? total : 1, sizeof *key_uuids);
    char (*value_uuids)[UUID_LEN + 1] = xcalloc(total ? total : 1, sizeof *value_uuids);

    size_t used = 0;
    for (size_t c = 0; c < wt->n_columns; c++) {
        const struct ovsdb_idl_column *column = wt->columns[c];
        const struct ovsdb_datum *datum = ovsdb_idl_read(row, column);
        const bool is_map = column->type.value.type != OVSDB_TYPE_VOID;
        cells[c].column = column->name;
        cells[c].n = datum->n;
        cells[c].keys = &keys[used];
        cells[c].values = is_map ? &values[used] : NULL;
        for (size_t i = 0; i < datum->n; i++, used++) {
            atom_to_shim(&datum->keys[i], column->type.key.type, &keys[used],
                         key_uuids[used]);
            if (is_map) {
                atom_to_shim(&datum->values[i], column->type.value.type, &values[used],
                             value_uuids[used]);
            }
        }
    }

    char uuid[UUID_LEN + 1];
    snprintf(uuid, sizeof uuid, UUID_FMT, UUID_ARGS(&row->uuid));
    visitor->row(visitor->ctx, wt->tc->name, uuid, cells, wt->n_columns);

    free(value_uuids);
    free(key_uuids);
    free(values);
    free(keys);
    free(cells);
}

static void
free_wanted(struct wanted_table *wanted, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(wanted[i].columns);
    }
    free(wanted);
}

/* Resolves the request; returns NULL (and fills err) when a table or column is unknown. */
static struct wanted_table *
resolve_request(const struct sw_ovs_table_request *tables, size_t n_tables,
                struct sw_ovs_error *err)
{
    struct wanted_table *wanted = xcalloc(n_tables ? n_tables : 1, sizeof *wanted);
    for (size_t i = 0; i < n_tables; i++) {
        const struct ovsdb_idl_table_class *tc = find_table(tables[i].table);
        if (!tc) {
            set_error(err, "OVSDB table '%s' is not in the Open_vSwitch schema", tables[i].table);
            free_wanted(wanted, i);
            return NULL;
        }
        wanted[i].tc = tc;
        const size_t n = tables[i].n_columns ? tables[i].n_columns : tc->n_columns;
        wanted[i].columns = xcalloc(n ? n : 1, sizeof *wanted[i].columns);
        wanted[i].n_columns = n;
        for (size_t c = 0; c < n; c++) {
            if (!tables[i].n_columns) {
                wanted[i].columns[c] = &tc->columns[c];
                continue;
            }
            for (size_t k = 0; k < tc->n_columns; k++) {
                if (!strcmp(tc->columns[k].name, tables[i].columns[c])) {
                    wanted[i].columns[c] = &tc->columns[k];
                    break;
                }
            }
            if (!wanted[i].columns[c]) {
                set_error(err, "OVSDB column '%s' is not in table '%s'", tables[i].columns[c],
                          tables[i].table);
                free_wanted(wanted, i + 1);
                return NULL;
            }
        }
    }
    return wanted;
}

int
sw_ovs_db_read(const char *remote, int timeout_ms,
               const struct sw_ovs_table_request *tables, size_t n_tables,
               const struct sw_ovs_db_visitor *visitor, struct sw_ovs_error *err)
{
    int error = enter(err);
    if (error) {
        return error;
    }
    struct wanted_table *wanted = resolve_request(tables, n_tables, err);
    if (!wanted) {
        return EINVAL;
    }

    struct sigpipe_guard guard;
    sigpipe_block(&guard);

    /* As ovs-vsctl: no retry (a dead server is an error, not a wait), no _Server monitoring. */
    struct ovsdb_idl *idl = ovsdb_idl_create_unconnected(&ovsrec_idl_class, false);
    ovsdb_idl_set_remote(idl, remote, false);
    ovsdb_idl_set_leader_only(idl, false);
    ovsdb_idl_set_db_change_aware(idl, false);
    for (size_t i = 0; i < n_tables; i++) {
        ovsdb_idl_add_table(idl, wanted[i].tc);
        for (size_t c = 0; c < wanted[i].n_columns; c++) {
            ovsdb_idl_add_column(idl, wanted[i].columns[c]);
        }
    }

    const long long int deadline = time_msec() + (timeout_ms >= 0 ? timeout_ms : 0);
    for (;;) {
        ovsdb_idl_run(idl);
        if (ovsdb_idl_has_ever_connected(idl)) {
            break;
        }
        if (!ovsdb_idl_is_alive(idl)) {
            error = ovsdb_idl_get_last_error(idl);
            if (error <= 0) {
                error = ECONNREFUSED;
            }
            set_error(err, "%s: database connection failed: %s", remote,
                      ovs_retval_to_string(error));
            break;
        }
        if (time_msec() >= deadline) {
            error = ETIMEDOUT;
            set_error(err, "%s: no answer from ovsdb-server within %d ms", remote, timeout_ms);
            break;
        }
        ovsdb_idl_wait(idl);
        poll_timer_wait_until(deadline);
        poll_block();
    }

    if (!error) {
        for (size_t i = 0; i < n_tables; i++) {
            for (const struct ovsdb_idl_row *row = ovsdb_idl_first_row(idl, wanted[i].tc);
                 row; row = ovsdb_idl_next_row(row)) {
                visit_row(row, &wanted[i], visitor);
            }
        }
    }

    ovsdb_idl_destroy(idl);
    sigpipe_restore(&guard);
    free_wanted(wanted, n_tables);
    return error;
}

/* ---- OpenFlow ---- */

static const char *
version_name(int ofp_version)
{
    switch (ofp_version) {
    case OFP10_VERSION: return "OpenFlow10";
    case OFP11_VERSION: return "OpenFlow11";
    case OFP12_VERSION: return "OpenFlow12";
    case OFP13_VERSION: return "OpenFlow13";
    case OFP14_VERSION: return "OpenFlow14";
    case OFP15_VERSION: return "OpenFlow15";
    default: return "OpenFlow?";
    }
}

/* Waits, until `deadline`, for one message from `vconn`. */
static int
recv_until(struct vconn *vconn, long long int deadline, struct ofpbuf **msgp)
{
    for (;;) {
        int retval = vconn_recv(vconn, msgp);
        if (retval != EAGAIN) {
            return retval;
        }
        if (time_msec() >= deadline) {
            return ETIMEDOUT;
        }
        vconn_run(vconn);
        vconn_run_wait(vconn);
        vconn_recv_wait(vconn);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

static int
send_until(struct vconn *vconn, long long int deadline, struct ofpbuf *msg)
{
    for (;;) {
        int retval = vconn_send(vconn, msg);
        if (retval != EAGAIN) {
            if (retval) {
                ofpbuf_delete(msg);
            }
            return retval;
        }
        if (time_msec() >= deadline) {
            ofpbuf_delete(msg);
            return ETIMEDOUT;
        }
        vconn_run(vconn);
        vconn_run_wait(vconn);
        vconn_send_wait(vconn);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

static void
report_flow(const struct ofputil_flow_stats *fs, const struct sw_ovs_flow_visitor *visitor,
            struct ds *text, struct ds *match, struct ds *flags, struct ds *actions)
{
    ds_clear(text);
    ofputil_flow_stats_format(text, fs, NULL, NULL, true);
    ds_clear(match);
    match_format(&fs->match, NULL, match, fs->priority);
    ds_clear(flags);
    ofputil_flow_mod_flags_format(flags, fs->flags);

    /* Each action formatted alone, from the decoded ofpacts: the action boundaries come from
     * ofputil, not from splitting text. Offsets into `actions`, which may be reallocated. */
    size_t n = 0;
    const struct ofpact *a;
    OFPACT_FOR_EACH (a, fs->ofpacts, fs->ofpacts_len) {
        n++;
    }
    size_t *offsets = xcalloc(n ? n : 1, sizeof *offsets);
    const char **pointers = xcalloc(n ? n : 1, sizeof *pointers);
    ds_clear(actions);
    size_t i = 0;
    OFPACT_FOR_EACH (a, fs->ofpacts, fs->ofpacts_len) {
        offsets[i++] = actions->length;
        const struct ofpact_format_params fp = { .port_map = NULL, .table_map = NULL,
                                                 .s = actions };
        ofpacts_format(a, OFPACT_ALIGN(a->len), &fp);
        ds_put_char(actions, '\0');
    }
    for (i = 0; i < n; i++) {
        pointers[i] = actions->string + offsets[i];
    }

    const struct sw_ovs_flow flow = {
        .table_id = fs->table_id,
        .priority = fs->priority,
        .cookie = ntohll(fs->cookie),
        .duration_sec = fs->duration_sec,
        .duration_nsec = fs->duration_nsec,
        .idle_timeout = fs->idle_timeout,
        .hard_timeout = fs->hard_timeout,
        .idle_age = fs->idle_age,
        .hard_age = fs->hard_age,
        .n_packets = fs->packet_count,
        .n_bytes = fs->byte_count,
        .importance = fs->importance,
        .flags = ds_cstr(flags),
        .text = ds_cstr(text),
        .match = ds_cstr(match),
        .n_actions = n,
        .actions = pointers,
    };
    visitor->flow(visitor->ctx, &flow);
    free(pointers);
    free(offsets);
}

/* Sends the flow stats request; *xid gets its transaction id. */
static int
send_flow_stats_request(struct vconn *vconn, const char *name, int table, long long int deadline,
                        ovs_be32 *xid, struct sw_ovs_error *err)
{
    const enum ofputil_protocol protocol
        = ofputil_protocol_from_ofp_version(vconn_get_version(vconn));
    struct ofputil_flow_stats_request fsr;
    memset(&fsr, 0, sizeof fsr);
    fsr.aggregate = false;
    match_init_catchall(&fsr.match);
    fsr.cookie = fsr.cookie_mask = htonll(0);
    fsr.out_port = OFPP_ANY;
    fsr.out_group = OFPG_ANY;
    fsr.table_id = table < 0 ? 0xff : (uint8_t) table;

    struct ofpbuf *request = ofputil_encode_flow_stats_request(&fsr, protocol);
    *xid = ((const struct ofp_header *) request->data)->xid;
    int error = send_until(vconn, deadline, request);
    if (error) {
        set_error(err, "%s: sending the flow stats request failed: %s", name,
                  ovs_retval_to_string(error));
    }
    return error;
}

/* Receives every reply to the request `xid` and hands each flow to the visitor. */
static int
receive_flows(struct vconn *vconn, const char *name, ovs_be32 xid, long long int deadline,
              int timeout_ms, const struct sw_ovs_flow_visitor *visitor,
              struct sw_ovs_error *err)
{
    int error = 0;
    struct ds text = DS_EMPTY_INITIALIZER, match = DS_EMPTY_INITIALIZER;
    struct ds flags = DS_EMPTY_INITIALIZER, actions = DS_EMPTY_INITIALIZER;
    struct ofpbuf ofpacts;
    ofpbuf_init(&ofpacts, 64);
    bool more = true;
    while (more && !error) {
        struct ofpbuf *reply = NULL;
        error = recv_until(vconn, deadline, &reply);
        if (error) {
            if (error == ETIMEDOUT) {
                set_error(err, "%s: no flow stats reply within %d ms", name, timeout_ms);
            } else {
                set_error(err, "%s: receiving flow stats failed: %s", name,
                          ovs_retval_to_string(error));
            }
            break;
        }
        const struct ofp_header *oh = reply->data;
        if (oh->xid != xid) {
            ofpbuf_delete(reply);
            continue;
        }
        enum ofptype type;
        enum ofperr ofp_error = ofptype_decode(&type, oh);
        if (!ofp_error && type == OFPTYPE_ERROR) {
            char *s = ofp_to_string(oh, ntohs(oh->length), NULL, NULL, 1);
            set_error(err, "%s: the switch refused the flow stats request: %s", name, s);
            free(s);
            ofpbuf_delete(reply);
            error = EPROTO;
            break;
        }
        if (ofp_error || type != OFPTYPE_FLOW_STATS_REPLY) {
            set_error(err, "%s: unexpected reply to the flow stats request", name);
            ofpbuf_delete(reply);
            error = EPROTO;
            break;
        }
        more = ofpmp_more(oh);
        for (;;) {
            struct ofputil_flow_stats fs;
            int retval = ofputil_decode_flow_stats_reply(&fs, reply, true, &ofpacts);
            if (retval == EOF) {
                break;
            }
            if (retval) {
                set_error(err, "%s: undecodable flow stats reply: %s", name,
                          ofperr_to_string(retval));
                error = EPROTO;
                break;
            }
            report_flow(&fs, visitor, &text, &match, &flags, &actions);
        }
        ofpbuf_delete(reply);
    }
    ofpbuf_uninit(&ofpacts);
    ds_destroy(&actions);
    ds_destroy(&flags);
    ds_destroy(&match);
    ds_destroy(&text);
    return error;
}

struct sw_ovs_flow_dump {
    struct vconn *vconn;
    char *name;
    ovs_be32 xid;
};

static void
flow_dump_free(struct sw_ovs_flow_dump *dump)
{
    if (dump) {
        vconn_close(dump->vconn);
        free(dump->name);
        free(dump);
    }
}

int
sw_ovs_flow_dump_start(const char *vconn_name, int ofp_version, int table, int timeout_ms,
                       struct sw_ovs_flow_dump **dumpp, struct sw_ovs_error *err)
{
    *dumpp = NULL;
    int error = enter(err);
    if (error) {
        return error;
    }
    if (ofp_version < OFP10_VERSION || ofp_version > OFP15_VERSION) {
        set_error(err, "OpenFlow version 0x%02x is not one OVS speaks", ofp_version);
        return EINVAL;
    }
    if (table > 254) {
        set_error(err, "table %d: OpenFlow tables are numbered 0 to 254", table);
        return EINVAL;
    }

    struct sigpipe_guard guard;
    sigpipe_block(&guard);

    const long long int deadline = time_msec() + (timeout_ms >= 0 ? timeout_ms : 0);
    struct sw_ovs_flow_dump *dump = xzalloc(sizeof *dump);
    dump->name = xstrdup(vconn_name);
    error = vconn_open(vconn_name, 1u << ofp_version, DSCP_DEFAULT, &dump->vconn);
    if (!error) {
        const long long int left = deadline - time_msec();
        error = vconn_connect_block(dump->vconn, left > 0 ? left : 0);
    }
    if (error) {
        if (error == ETIMEDOUT) {
            set_error(err, "%s: no OpenFlow answer within %d ms", vconn_name, timeout_ms);
        } else if (error == EPROTO || error == EPIPE || error == ECONNRESET) {
            /* ovs-vswitchd hangs up after a hello whose version the bridge does not allow. */
            set_error(err, "%s: OpenFlow handshake failed (%s): the bridge may not allow %s "
                      "(see its protocols column)", vconn_name, ovs_retval_to_string(error),
                      version_name(ofp_version));
        } else {
            set_error(err, "%s: connection failed: %s", vconn_name,
                      ovs_retval_to_string(error));
        }
    } else {
        error = send_flow_stats_request(dump->vconn, vconn_name, table, deadline, &dump->xid, err);
    }
    sigpipe_restore(&guard);
    if (error) {
        flow_dump_free(dump);
        return error;
    }
    *dumpp = dump;
    return 0;
}

int
sw_ovs_flow_dump_finish(struct sw_ovs_flow_dump *dump, int timeout_ms,
                        const struct sw_ovs_flow_visitor *visitor, struct sw_ovs_error *err)
{
    int error = enter(err);
    if (error) {
        /* Not the OVS thread: as in _abandon, the dump is leaked rather than closed here. */
        return error;
    }
    struct sigpipe_guard guard;
    sigpipe_block(&guard);
    const long long int deadline = time_msec() + (timeout_ms >= 0 ? timeout_ms : 0);
    error = receive_flows(dump->vconn, dump->name, dump->xid, deadline, timeout_ms, visitor, err);
    flow_dump_free(dump);
    sigpipe_restore(&guard);
    return error;
}

void
sw_ovs_flow_dump_abandon(struct sw_ovs_flow_dump *dump)
{
    struct sw_ovs_error err;
    if (!dump) {
        return;
    }
    if (enter(&err)) {
        /* Not the OVS thread: closing the vconn here would break the one-thread rule; the
         * caller broke it first, and the connection is leaked rather than raced. */
        return;
    }
    struct sigpipe_guard guard;
    sigpipe_block(&guard);
    flow_dump_free(dump);
    sigpipe_restore(&guard);
}
