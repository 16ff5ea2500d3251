// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "fixerlocator.h"
#include "helperclient/helpertypes.h"
#include "polkitauthorizer.h"
#include "tracesession.h"

#include <QDBusContext>
#include <QDBusMessage>
#include <QDBusServiceWatcher>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <functional>
#include <memory>

namespace kmr {

// The object behind io.github.kmodrescue.Helper1 (its adaptor is generated from the interface XML).
//
// Every method: 1. polkit, on the caller's bus name, before anything is read or changed (the reply
// is delayed until polkit answers); 2. the typed arguments are validated; 3. the caller must still
// be on the bus; 4. the privileged work runs in a single worker thread, one request at a time.
// The helper quits when nothing is running and its last client has left, or after idleTimeoutMs
// without any request.
class HelperService : public QObject, protected QDBusContext
{
    Q_OBJECT
public:
    struct Options {
        FixerLocator::Options fixer;
        int idleTimeoutMs = 120 * 1000;
        int lastClientGraceMs = 1000;
    };
    explicit HelperService(Options options, QObject *parent = nullptr);
    ~HelperService() override;

public Q_SLOTS:
    kmr::UnloadResult Unload(const QString &module, const QStringList &holders, uint steps, bool overrideRealUse);
    QStringList ReadKernelLog();
    QStringList ReadKernelLogAfter(qulonglong sequence);
    void StartTrace(const QString &module);
    void StopTrace();
    QStringList ReadTraceEvents();

private:
    using Work = std::function<void(const QDBusMessage &msg)>;
    // polkit first; `work` runs on the main thread only when allowed and the caller is still there.
    void authorized(const QString &actionId, const QString &operation, const QString &module, Work work);
    void runSerialized(const QDBusMessage &msg, std::function<QDBusMessage()> job);
    void replyKernelLog(const QString &operation, std::function<QStringList(QString *error)> read);
    void replyError(const QDBusMessage &msg, const QString &name, const QString &text);
    void beginWork(const QString &client);
    void endWork();
    void clientGone(const QString &client);
    void maybeQuit();
    void leave();

    Options m_options;
    PolkitAuthorizer m_polkit;
    QDBusServiceWatcher m_clients;
    QThreadPool m_worker;
    QTimer m_idle;
    QTimer m_lastClient;
    int m_busy = 0;
    bool m_leaving = false;
    // The one refcount trace (issue 7) and the bus name that owns it.
    std::unique_ptr<TraceSession> m_trace;
    QString m_traceOwner;
};

} // namespace kmr
