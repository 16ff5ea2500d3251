// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "refcount/kallsymsresolver.h"
#include "refcount/traceevent.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

namespace kmr {

// A module_get/module_put trace of one module, in a private tracefs instance
// (TRACEFS/instances/kmodrescue) so that nobody else's tracing is touched. Root only.
//
// The events' own output prints the call site with %ps (a symbol, no offset), so the session
// puts two event probes (eprobes, "kmodrescue/kmr_get" and "kmr_put") on module:module_get and
// module:module_put that print the raw ip; it resolves it through /proc/kallsyms to
// "sym+0xOFF/0xSIZE [mod]". Where eprobes are missing (CONFIG_EPROBE_EVENTS=n) it uses the
// instance's "fields" option (6.3+), else the plain events with the symbol as printed.
//
// stop() (and the destructor) put tracefs back as it was: events disabled, the instance
// removed, the eprobes deleted. removeStale() does the same for what a crashed helper left.
class TraceSession
{
public:
    struct Options {
        QString tracefs = QStringLiteral("/sys/kernel/tracing");
        QString root = QStringLiteral("/"); // for /proc/kallsyms and the lockdown file
        QString instance = QStringLiteral("kmodrescue");
        int bufferSizeKb = 0; // 0: the kernel's default
    };
    enum class Mode { Eprobe, Fields, Plain };

    TraceSession();
    explicit TraceSession(Options options);
    ~TraceSession();
    TraceSession(const TraceSession &) = delete;
    TraceSession &operator=(const TraceSession &) = delete;

    // Why tracing cannot work here (tracefs missing, lockdown), or empty when it may.
    static QString unavailableReason(const Options &options);
    // Removes a leftover instance and our eprobes (a crashed helper's). False with *why when
    // something of ours is there and could not be removed.
    static bool removeStale(const Options &options, QString *why);

    bool start(const QString &module, QString *why);
    bool isActive() const { return m_fd >= 0; }
    QString module() const { return m_module; }
    Mode mode() const { return m_mode; }

    // Everything trace_pipe holds now, parsed and resolved; never blocks.
    QList<TraceEvent> read(QString *why = nullptr);
    // The raw lines read, with call sites resolved (what the helper hands to its client).
    QList<QByteArray> readLines(QString *why = nullptr);
    // Sum of the instance's per_cpu/cpu*/stats "overrun": events lost because the reader was slow.
    qint64 overruns() const;
    int malformedLines() const { return m_parser.malformed(); }

    void stop();

private:
    QString instanceDir() const;
    Options m_options;
    QString m_module;
    Mode m_mode = Mode::Eprobe;
    int m_fd = -1;
    QByteArray m_partial;
    TraceEventParser m_parser;
    KallsymsResolver m_kallsyms;
    bool m_resolve = false;
    QHash<quint64, QString> m_resolved; // a trace has few call sites: resolve each once
};

} // namespace kmr
