// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// A thin client of kmodrescue-helper around the proxy generated from
// resources/io.github.kmodrescue.Helper1.xml: asynchronous calls with a long timeout (polkit may
// show a password dialog), and D-Bus errors turned into messages a user can act on.

#include "diagnosis/unloadplan.h"
#include "helperclient/helpertypes.h"

#include <QDBusConnection>
#include <QDBusError>
#include <QDBusPendingCall>
#include <QObject>
#include <QPointer>

class IoGithubKmodrescueHelper1Interface;
class QDBusPendingCallWatcher;

namespace kmr {

struct HelperFailure {
    enum class Kind {
        Denied, // polkit said no (or could not be asked)
        AuthorizationRequired, // polkit wants authentication, and the call did not allow asking for it
        InvalidInput, // a name or argument broke a rule
        NotLoaded, // the module is not loaded (or built in)
        Refused, // the helper's plan refused (real use, lockdown, ...)
        Unavailable, // the helper is not installed, could not start, or the bus refused the call
        Failed, // anything else, including no answer in time
    };
    Kind kind = Kind::Failed;
    QString dbusName; // the D-Bus error name as received
    QString message; // the helper's own words
    QString text() const; // what went wrong and what to do next
};
HelperFailure helperFailureFrom(const QDBusError &error);

class HelperClient : public QObject
{
    Q_OBJECT
public:
    static constexpr int TimeoutMs = 10 * 60 * 1000; // an authentication dialog can take minutes
    static inline const QString Service = QStringLiteral("io.github.kmodrescue.Helper1");
    static inline const QString Path = QStringLiteral("/io/github/kmodrescue/Helper1");

    explicit HelperClient(QObject *parent = nullptr); // the system bus
    HelperClient(const QDBusConnection &bus, QObject *parent = nullptr);
    ~HelperClient() override;

    // Whether polkit may ask the user for a password (an authentication agent must run).
    void setInteractive(bool interactive); // default: true

    void unload(const UnloadRequest &request);
    void readKernelLog();
    // Follow mode through the helper: the records numbered above `sequence`.
    void readKernelLogAfter(qint64 sequence);
    // Stop waiting for the pending call. What the helper already started still happens: a
    // running unload cannot be taken back, so the GUI says so.
    void cancel();
    bool busy() const { return m_pending != nullptr; }

Q_SIGNALS:
    void unloadFinished(const kmr::UnloadResult &result);
    void kernelLogRead(const QStringList &records);
    void kernelLogReadAfter(qint64 sequence, const QStringList &records);
    void failed(const kmr::HelperFailure &failure);

private:
    QDBusPendingCall call(const QString &method, const QVariantList &args);
    void watch(const QDBusPendingCall &call, std::function<void(QDBusPendingCallWatcher *)> onReply);

    IoGithubKmodrescueHelper1Interface *m_proxy = nullptr;
    QPointer<QDBusPendingCallWatcher> m_pending;
    bool m_interactive = true;
};

} // namespace kmr
