// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace kmr {

// The kernel keeps MODULE_REF_BASE (1) in a live module's refcnt (kernel/module/main.c);
// /sys/module/NAME/refcnt and lsmod show refcnt - MODULE_REF_BASE. During init the loader's
// own reference is in both (do_init_module drops it with a module_put).
constexpr int kModuleRefBase = 1;

// One module:module_get or module:module_put event from tracefs.
struct TraceEvent {
    enum class Kind { Get, Put };
    Kind kind = Kind::Get;
    qint64 timestampNs = 0; // the trace clock (local: ns since boot)
    int pid = 0;
    int cpu = 0;
    QString task;
    QString module;
    quint64 ip = 0; // raw call-site address when the line carried it, else 0
    QString callSite; // "sym+0xoff/0xsize [mod]" when resolved, "sym [mod]" as %ps prints it
    int rawRefcnt = 0; // the counter as the event saw it, after the change
    // What lsmod would have shown right after the event.
    int lsmodRefcnt() const { return rawRefcnt - kModuleRefBase; }
    bool operator==(const TraceEvent &o) const = default;
};

// Parses trace / trace_pipe lines of the module_get / module_put events, in the forms the
// kernels print them:
//  - default (all kernels): "TASK-PID [CPU] FLAGS TS: module_get: NAME call_site=SYM [MOD] refcnt=N"
//    (%ps: a symbol without offset; our helper rewrites it to SYM+0xOFF/0xSIZE [MOD]);
//  - with the instance's "fields" option (6.3+): "...: module_get: ip=0xADDR (DEC) refcnt=0xN (N) name=NAME";
//  - event probes on those events (eprobe, for 6.1): "...: kmr_get: (module.module_get) ip=0xADDR refcnt=N
//  name=\"NAME\"".
// Lines of other events, comments and blanks are skipped; a line that claims to be one of
// these events but does not parse is counted in malformed with the reason.
class TraceEventParser
{
public:
    // Returns false for a line that is not a module_get/put event (event stays untouched).
    bool parseLine(const QByteArray &line, TraceEvent *event);
    QList<TraceEvent> parse(const QByteArray &text);

    int malformed() const { return m_malformed; }
    QString lastError() const { return m_lastError; }

private:
    bool fail(const QString &why, const QByteArray &line);
    int m_malformed = 0;
    QString m_lastError;
};

// Formats an event back into the default line form, with the resolved call site.
QByteArray formatTraceEvent(const TraceEvent &e);

} // namespace kmr
