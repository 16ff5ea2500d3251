// SPDX-License-Identifier: GPL-2.0-or-later
#include "helperclient/helperclient.h"

#include "helper1_interface.h"

#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>

namespace kmr {

QString HelperFailure::text() const
{
    switch (kind) {
    case Kind::Denied:
        return QStringLiteral("Not authorized: %1. Ask an administrator to allow it (polkit), or run an "
                              "authentication agent so that polkit can ask for a password.")
            .arg(message);
    case Kind::AuthorizationRequired:
        return QStringLiteral("Authorization required: %1. Try again in a way that lets polkit ask for your "
                              "password (an authentication agent must run).")
            .arg(message);
    case Kind::InvalidInput:
        return QStringLiteral("Rejected: %1.").arg(message);
    case Kind::NotLoaded:
        return QStringLiteral("%1. Refresh the module list.").arg(message);
    case Kind::Refused:
        return QStringLiteral("Refused: %1").arg(message);
    case Kind::Unavailable:
        return QStringLiteral("The kmodrescue helper is not available: %1. Check that the kmodrescue package is "
                              "installed completely (its D-Bus service io.github.kmodrescue.Helper1 and polkit "
                              "actions) and that the system bus runs.")
            .arg(message);
    case Kind::Failed:
        break;
    }
    return QStringLiteral("The helper failed: %1").arg(message);
}

HelperFailure helperFailureFrom(const QDBusError &error)
{
    HelperFailure f;
    f.dbusName = error.name();
    f.message = error.message();
    const QString &n = f.dbusName;
    if (n == HelperError::NotAuthorized)
        f.kind = HelperFailure::Kind::Denied;
    else if (n == HelperError::InteractiveAuthorizationRequired)
        f.kind = HelperFailure::Kind::AuthorizationRequired;
    else if (n == HelperError::InvalidName || n == HelperError::InvalidArgument)
        f.kind = HelperFailure::Kind::InvalidInput;
    else if (n == HelperError::NotLoaded || n == HelperError::BuiltIn)
        f.kind = HelperFailure::Kind::NotLoaded;
    else if (n == HelperError::Refused)
        f.kind = HelperFailure::Kind::Refused;
    else if (n == QLatin1String("org.freedesktop.DBus.Error.ServiceUnknown")
        || n.startsWith(QLatin1String("org.freedesktop.DBus.Error.Spawn."))
        || n == QLatin1String("org.freedesktop.DBus.Error.AccessDenied")
        || n == QLatin1String("org.freedesktop.DBus.Error.Disconnected")
        || n == QLatin1String("org.freedesktop.DBus.Error.NoServer")
        || n == QLatin1String("org.freedesktop.DBus.Error.UnknownMethod")) {
        f.kind = HelperFailure::Kind::Unavailable;
    } else if (n == QLatin1String("org.freedesktop.DBus.Error.NoReply")
        || n == QLatin1String("org.freedesktop.DBus.Error.Timeout")) {
        f.kind = HelperFailure::Kind::Failed;
        f.message = QStringLiteral("no answer from the helper within %1 minutes (%2)")
                        .arg(HelperClient::TimeoutMs / 60000)
                        .arg(error.message());
    }
    return f;
}

HelperClient::HelperClient(QObject *parent)
    : HelperClient(QDBusConnection::systemBus(), parent)
{ }

HelperClient::HelperClient(const QDBusConnection &bus, QObject *parent)
    : QObject(parent)
{
    registerHelperTypes();
    m_proxy = new IoGithubKmodrescueHelper1Interface(Service, Path, bus, this);
    m_proxy->setTimeout(TimeoutMs);
}

HelperClient::~HelperClient() = default;

void HelperClient::setInteractive(bool interactive)
{
    m_interactive = interactive;
}

// Qt 6.4's generated proxy (QDBusAbstractInterface) cannot set the "interactive authorization
// allowed" flag, only QDBusMessage can: so the calls are built here, with the proxy's own service,
// path and interface, and its reply types.
QDBusPendingCall HelperClient::call(const QString &method, const QVariantList &args)
{
    QDBusMessage m = QDBusMessage::createMethodCall(m_proxy->service(), m_proxy->path(), m_proxy->interface(), method);
    m.setArguments(args);
    m.setInteractiveAuthorizationAllowed(m_interactive);
    return m_proxy->connection().asyncCall(m, TimeoutMs);
}

void HelperClient::watch(const QDBusPendingCall &call, std::function<void(QDBusPendingCallWatcher *)> onReply)
{
    cancel();
    auto *w = new QDBusPendingCallWatcher(call, this);
    m_pending = w;
    connect(w, &QDBusPendingCallWatcher::finished, this, [this, w, onReply] {
        if (m_pending == w)
            m_pending = nullptr;
        w->deleteLater();
        if (w->isError())
            Q_EMIT failed(helperFailureFrom(w->error()));
        else
            onReply(w);
    });
}

void HelperClient::unload(const UnloadRequest &r)
{
    watch(call(QStringLiteral("Unload"), {r.module, r.holders, uint(r.steps), r.overrideRealUse}),
        [this](QDBusPendingCallWatcher *w) {
            QDBusPendingReply<UnloadResult> reply = *w;
            Q_EMIT unloadFinished(reply.value());
        });
}

void HelperClient::readKernelLog()
{
    watch(call(QStringLiteral("ReadKernelLog"), {}), [this](QDBusPendingCallWatcher *w) {
        QDBusPendingReply<QStringList> reply = *w;
        Q_EMIT kernelLogRead(reply.value());
    });
}

void HelperClient::readKernelLogAfter(qint64 sequence)
{
    watch(call(QStringLiteral("ReadKernelLogAfter"), {QVariant::fromValue(qulonglong(std::max<qint64>(sequence, 0)))}),
        [this, sequence](QDBusPendingCallWatcher *w) {
            QDBusPendingReply<QStringList> reply = *w;
            Q_EMIT kernelLogReadAfter(sequence, reply.value());
        });
}

void HelperClient::cancel()
{
    if (m_pending) {
        QDBusPendingCallWatcher *w = m_pending;
        m_pending = nullptr;
        w->disconnect(this);
        w->deleteLater();
    }
}

} // namespace kmr
