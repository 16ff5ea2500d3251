// SPDX-License-Identifier: GPL-2.0-or-later
#include "helperservice.h"

#include "helperclient/modulenamevalidator.h"
#include "helperlog.h"
#include "kmsgtail.h"
#include "livemodules.h"
#include "unloadexecutor.h"

#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>

namespace kmr {

static const QString ActionReadLog = QStringLiteral("io.github.kmodrescue.read-kernel-log");
static const QString ActionTrace = QStringLiteral("io.github.kmodrescue.trace");
static const QString ActionUnload = QStringLiteral("io.github.kmodrescue.unload");
static const QString ActionForceUnload = QStringLiteral("io.github.kmodrescue.force-unload");
static constexpr qsizetype MaxLogBytes = 16 * 1024 * 1024;
static constexpr qsizetype MaxFollowBytes = 1024 * 1024; // per ReadKernelLogAfter reply

HelperService::HelperService(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
    m_worker.setMaxThreadCount(1); // privileged operations never overlap
    m_worker.setExpiryTimeout(-1);
    m_clients.setConnection(QDBusConnection::systemBus());
    m_clients.setWatchMode(QDBusServiceWatcher::WatchForUnregistration);
    connect(&m_clients, &QDBusServiceWatcher::serviceUnregistered, this, &HelperService::clientGone);
    m_idle.setSingleShot(true);
    m_idle.setInterval(m_options.idleTimeoutMs);
    connect(&m_idle, &QTimer::timeout, this, [this] {
        if (m_busy == 0) {
            qCInfo(lcHelper) << "idle for" << m_options.idleTimeoutMs << "ms: exiting";
            leave();
        }
    });
    m_lastClient.setSingleShot(true);
    m_lastClient.setInterval(m_options.lastClientGraceMs);
    connect(&m_lastClient, &QTimer::timeout, this, [this] {
        if (m_busy == 0 && m_clients.watchedServices().isEmpty()) {
            qCInfo(lcHelper) << "no client left: exiting";
            leave();
        }
    });
    m_idle.start();
    // A crashed helper's trace instance and eprobes (issue 7).
    QString staleWhy;
    if (!TraceSession::removeStale(TraceSession::Options {}, &staleWhy))
        qCWarning(lcHelper) << "could not remove a stale trace:" << staleWhy;
}

HelperService::~HelperService()
{
    m_worker.waitForDone();
}

void HelperService::beginWork(const QString &client)
{
    ++m_busy;
    m_idle.stop();
    m_lastClient.stop();
    if (!client.isEmpty() && !m_clients.watchedServices().contains(client)) {
        m_clients.addWatchedService(client);
        // A client that left before the watch was in place sends no signal: look once (the bus
        // answers in order, so the watch is active by the time this answer comes).
        if (!QDBusConnection::systemBus().interface()->isServiceRegistered(client).value())
            m_clients.removeWatchedService(client);
    }
}

void HelperService::endWork()
{
    --m_busy;
    maybeQuit();
}

// Give the name back first, so that the next call activates a new helper, then answer whatever
// reached us before that, and quit when nothing is left to do.
void HelperService::leave()
{
    if (m_leaving)
        return;
    m_leaving = true;
    QDBusConnection::systemBus().unregisterService(QStringLiteral("io.github.kmodrescue.Helper1"));
    QTimer::singleShot(500, this, [this] {
        if (m_busy == 0)
            QCoreApplication::quit();
    });
}

void HelperService::maybeQuit()
{
    if (m_busy > 0)
        return;
    if (m_leaving) {
        QCoreApplication::quit();
        return;
    }
    m_idle.start();
    if (m_clients.watchedServices().isEmpty())
        m_lastClient.start();
}

void HelperService::clientGone(const QString &client)
{
    m_clients.removeWatchedService(client);
    m_polkit.cancelFor(client);
    if (m_trace && client == m_traceOwner) {
        qCInfo(lcHelper) << "trace owner" << client << "left: stopping the trace";
        m_trace.reset();
        m_traceOwner.clear();
    }
    maybeQuit();
}

void HelperService::replyError(const QDBusMessage &msg, const QString &name, const QString &text)
{
    qCInfo(lcHelper).noquote() << msg.member() << "from" << msg.service() << "->" << name << text;
    QDBusConnection::systemBus().send(msg.createErrorReply(name, text));
}

void HelperService::authorized(const QString &actionId, const QString &operation, const QString &module, Work work)
{
    setDelayedReply(true);
    const QDBusMessage msg = message();
    beginWork(msg.service());
    // The details name the module only when its syntax is valid: anything else is not shown to
    // an authentication agent.
    const QString shown = module.isNull()    ? QString()
        : checkModuleNameSyntax(module).ok() ? module
                                             : QStringLiteral("(invalid name)");
    PolkitAuthorizer::Details details {{QStringLiteral("operation"), operation}};
    if (!shown.isNull())
        details << qMakePair(QStringLiteral("module"), shown);
    const bool interactive = msg.isInteractiveAuthorizationAllowed();
    m_polkit.check(msg.service(), actionId, details, interactive,
        [this, msg, actionId, work, interactive](PolkitAuthorizer::Verdict verdict, const QString &why) {
            const QString refusal = QStringLiteral("not authorized for %1: %2").arg(actionId, why);
            if (verdict == PolkitAuthorizer::Verdict::InteractionRequired) {
                // The D-Bus specification's error for a call that would need interactive authorization.
                replyError(msg, HelperError::InteractiveAuthorizationRequired, refusal);
            } else if (verdict != PolkitAuthorizer::Verdict::Allowed) {
                replyError(msg, HelperError::NotAuthorized, refusal);
            } else if (!QDBusConnection::systemBus().interface()->isServiceRegistered(msg.service())) {
                qCInfo(lcHelper).noquote()
                    << msg.member() << "from" << msg.service() << "authorized, but the caller has left: nothing done";
            } else {
                qCInfo(lcHelper).noquote() << msg.member() << "from" << msg.service() << "authorized for" << actionId
                                           << (interactive ? "(interaction allowed)" : "(no interaction)");
                work(msg);
            }
            endWork();
        });
}

void HelperService::runSerialized(const QDBusMessage &msg, std::function<QDBusMessage()> job)
{
    beginWork(msg.service());
    m_worker.start([this, job] {
        const QDBusMessage reply = job();
        QMetaObject::invokeMethod(
            this,
            [this, reply] {
                QDBusConnection::systemBus().send(reply);
                endWork();
            },
            Qt::QueuedConnection);
    });
}

UnloadResult HelperService::Unload(const QString &module, const QStringList &holders, uint steps, bool overrideRealUse)
{
    const bool forced = (steps & ForcedUnloadSteps) != 0;
    authorized(forced ? ActionForceUnload : ActionUnload,
        forced ? QStringLiteral("force-unload") : QStringLiteral("unload"), module, [=, this](const QDBusMessage &msg) {
            if ((steps & ~AllUnloadSteps) != 0)
                return replyError(msg, HelperError::InvalidArgument,
                    QStringLiteral("steps may only contain the bits 0x%1 (got 0x%2)")
                        .arg(AllUnloadSteps, 0, 16)
                        .arg(steps, 0, 16));
            if (holders.size() > 64)
                return replyError(msg, HelperError::InvalidArgument, QStringLiteral("at most 64 holders may be given"));
            // Syntax of every name first, without touching the file system.
            const ModuleNameCheck syntax = checkModuleNameSyntax(module);
            if (!syntax.ok())
                return replyError(msg, HelperError::InvalidName, syntax.message);
            for (const QString &h : holders) {
                const ModuleNameCheck hs = checkModuleNameSyntax(h);
                if (!hs.ok())
                    return replyError(msg, HelperError::InvalidName, QStringLiteral("holder: ") + hs.message);
            }
            const LiveModules live = LiveModules::read();
            const ModuleNameCheck c = live.check(module);
            if (!c.ok())
                return replyError(msg,
                    c.verdict == ModuleNameCheck::Verdict::BuiltIn ? HelperError::BuiltIn : HelperError::NotLoaded,
                    c.message);
            QStringList canonicalHolders;
            for (const QString &h : holders) {
                const ModuleNameCheck hc = live.check(h);
                if (!hc.ok())
                    return replyError(msg,
                        hc.verdict == ModuleNameCheck::Verdict::BuiltIn ? HelperError::BuiltIn : HelperError::NotLoaded,
                        QStringLiteral("holder: ") + hc.message);
                canonicalHolders << hc.canonical;
            }
            const UnloadRequest request {c.canonical, canonicalHolders, steps, overrideRealUse};
            const FixerLocator::Options fixer = m_options.fixer;
            runSerialized(msg, [msg, request, fixer] {
                const UnloadExecutor::Outcome o = UnloadExecutor(fixer).run(request);
                if (!o.errorName.isEmpty()) {
                    qCInfo(lcHelper).noquote() << "Unload" << request.module << "->" << o.errorName << o.errorMessage;
                    return msg.createErrorReply(o.errorName, o.errorMessage);
                }
                qCInfo(lcHelper).noquote() << "Unload" << request.module << "-> final state" << o.result.finalState;
                return msg.createReply(QVariant::fromValue(o.result));
            });
        });
    return {};
}

// ReadKernelLog and ReadKernelLogAfter: the read-kernel-log action first (failing closed), then
// the records `read` returns, or its error.
void HelperService::replyKernelLog(const QString &operation, std::function<QStringList(QString *error)> read)
{
    authorized(ActionReadLog, operation, QString(), [this, read](const QDBusMessage &msg) {
        runSerialized(msg, [msg, read] {
            QString error;
            const QStringList records = read(&error);
            if (!error.isEmpty())
                return msg.createErrorReply(HelperError::Failed, error);
            return msg.createReply(records);
        });
    });
}

QStringList HelperService::ReadKernelLog()
{
    replyKernelLog(
        QStringLiteral("read-kernel-log"), [](QString *error) { return KmsgTail::readAllRecords(MaxLogBytes, error); });
    return {};
}

// Follow mode: the same action as ReadKernelLog, asked again on every call (polkit keeps an
// auth_admin_keep answer for a while, so a poll does not prompt each time).
QStringList HelperService::ReadKernelLogAfter(qulonglong sequence)
{
    replyKernelLog(QStringLiteral("follow-kernel-log"),
        [sequence](QString *error) { return KmsgTail::readRecordsAfter(sequence, MaxFollowBytes, error); });
    return {};
}

void HelperService::StartTrace(const QString &module)
{
    authorized(ActionTrace, QStringLiteral("trace"), module, [this, module](const QDBusMessage &msg) {
        const ModuleNameCheck syntax = checkModuleNameSyntax(module);
        if (!syntax.ok())
            return replyError(msg, HelperError::InvalidName, syntax.message);
        const ModuleNameCheck c = LiveModules::read().check(module);
        if (!c.ok())
            return replyError(msg,
                c.verdict == ModuleNameCheck::Verdict::BuiltIn ? HelperError::BuiltIn : HelperError::NotLoaded,
                c.message);
        if (m_trace && m_traceOwner != msg.service())
            return replyError(msg, HelperError::Refused,
                QStringLiteral("another client is tracing %1; one trace at a time").arg(m_trace->module()));
        m_trace = std::make_unique<TraceSession>();
        QString why;
        if (!m_trace->start(c.canonical, &why)) {
            m_trace.reset();
            return replyError(msg, HelperError::Failed, why);
        }
        m_traceOwner = msg.service();
        QDBusConnection::systemBus().send(msg.createReply());
    });
}

void HelperService::StopTrace()
{
    authorized(ActionTrace, QStringLiteral("stop-trace"), QString(), [this](const QDBusMessage &msg) {
        if (!m_trace || m_traceOwner != msg.service())
            return replyError(msg, HelperError::Refused, QStringLiteral("this client has no trace running"));
        m_trace.reset();
        m_traceOwner.clear();
        QDBusConnection::systemBus().send(msg.createReply());
    });
}

QStringList HelperService::ReadTraceEvents()
{
    authorized(ActionTrace, QStringLiteral("read-trace"), QString(), [this](const QDBusMessage &msg) {
        if (!m_trace || m_traceOwner != msg.service())
            return replyError(msg, HelperError::Refused, QStringLiteral("this client has no trace running"));
        QString why;
        const QList<TraceEvent> events = m_trace->read(&why);
        if (!why.isEmpty())
            return replyError(msg, HelperError::Failed, why);
        QStringList lines;
        lines.reserve(qMin<qsizetype>(events.size(), 100000));
        for (const TraceEvent &e : events) {
            if (lines.size() >= 100000)
                break; // the rest is lost to this client, never to memory
            lines << QString::fromUtf8(formatTraceEvent(e));
        }
        QDBusConnection::systemBus().send(msg.createReply(lines));
    });
    return {};
}

} // namespace kmr
