// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <QList>
#include <QObject>
#include <QPair>
#include <QString>

#include <functional>

// GLib's types, without pulling GLib's headers into Qt code.
struct _GObject;
struct _GAsyncResult;

namespace kmr {

// Asks polkitd, through libpolkit-gobject-1, whether the sender of a D-Bus message may perform an
// action. The subject is always the message's sender as a system-bus-name: never a PID and never
// anything the client says about itself.
//
// The check is asynchronous (an authentication dialog can take minutes). Its callback runs in
// GLib's default main context, which Qt's GLib event dispatcher iterates on the main thread: the
// helper refuses to start without that dispatcher (see main.cpp).
//
// Fail closed: an error, a challenge that could not be answered (no agent, or interaction not
// allowed), a dismissed dialog, polkitd being absent, or the caller leaving: none is "allowed".
// A challenge for a check that did not allow interaction is told apart (InteractionRequired), so
// that the caller can say "ask again, interactively" rather than "denied".
class PolkitAuthorizer : public QObject
{
    Q_OBJECT
public:
    using Details = QList<QPair<QString, QString>>;
    enum class Verdict {
        Allowed,
        Denied,
        InteractionRequired, // polkit would ask for authentication, and the check did not allow that
    };
    using Done = std::function<void(Verdict verdict, const QString &why)>;

    explicit PolkitAuthorizer(QObject *parent = nullptr);
    ~PolkitAuthorizer() override;

    void check(
        const QString &busName, const QString &actionId, const Details &details, bool allowInteraction, Done done);
    // The caller left the bus: its pending checks end as denied.
    void cancelFor(const QString &busName);
    int pending() const { return m_pending.size(); }

private:
    struct Pending;
    static void onAuthority(::_GObject *source, ::_GAsyncResult *res, void *data);
    static void onChecked(::_GObject *source, ::_GAsyncResult *res, void *data);
    void finish(Pending *p, Verdict verdict, const QString &why);

    QList<Pending *> m_pending;
};

} // namespace kmr
