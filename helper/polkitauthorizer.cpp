// SPDX-License-Identifier: GPL-2.0-or-later
#include "polkitauthorizer.h"

#include "helperlog.h"

#include <polkit/polkit.h>

namespace kmr {

struct PolkitAuthorizer::Pending {
    PolkitAuthorizer *self = nullptr;
    QString busName;
    QString actionId;
    Details details;
    bool interactive = false;
    Done done;
    GCancellable *cancellable = nullptr;
    bool finished = false;
};

PolkitAuthorizer::PolkitAuthorizer(QObject *parent)
    : QObject(parent)
{ }

PolkitAuthorizer::~PolkitAuthorizer()
{
    // Outstanding GLib callbacks still point at their Pending: cancel them and let the callbacks
    // free them; they no longer call back into us.
    for (Pending *p : std::as_const(m_pending)) {
        p->self = nullptr;
        g_cancellable_cancel(p->cancellable);
    }
}

void PolkitAuthorizer::check(
    const QString &busName, const QString &actionId, const Details &details, bool allowInteraction, Done done)
{
    auto *p = new Pending;
    p->self = this;
    p->busName = busName;
    p->actionId = actionId;
    p->details = details;
    p->interactive = allowInteraction;
    p->done = std::move(done);
    p->cancellable = g_cancellable_new();
    m_pending << p;
    if (busName.isEmpty()) { // a peer-to-peer message has no sender: nobody to authorize
        finish(p, Verdict::Denied, QStringLiteral("the message has no sender bus name"));
        return;
    }
    polkit_authority_get_async(
        p->cancellable, reinterpret_cast<GAsyncReadyCallback>(&PolkitAuthorizer::onAuthority), p);
}

void PolkitAuthorizer::onAuthority(GObject *, GAsyncResult *res, void *data)
{
    auto *p = static_cast<Pending *>(data);
    GError *error = nullptr;
    PolkitAuthority *authority = polkit_authority_get_finish(res, &error);
    if (!p->self) {
        if (authority)
            g_object_unref(authority);
        g_clear_error(&error);
        g_object_unref(p->cancellable);
        delete p;
        return;
    }
    if (!authority) {
        const QString why = QStringLiteral("polkit is not reachable: %1")
                                .arg(QString::fromUtf8(error ? error->message : "unknown error"));
        g_clear_error(&error);
        p->self->finish(p, Verdict::Denied, why);
        return;
    }
    const QByteArray sender = p->busName.toUtf8();
    PolkitSubject *subject = polkit_system_bus_name_new(sender.constData());
    PolkitDetails *details = polkit_details_new();
    for (const auto &kv : std::as_const(p->details))
        polkit_details_insert(details, kv.first.toUtf8().constData(), kv.second.toUtf8().constData());
    const auto flags = p->interactive ? POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION
                                      : POLKIT_CHECK_AUTHORIZATION_FLAGS_NONE;
    polkit_authority_check_authorization(authority, subject, p->actionId.toUtf8().constData(), details, flags,
        p->cancellable, reinterpret_cast<GAsyncReadyCallback>(&PolkitAuthorizer::onChecked), p);
    g_object_unref(details);
    g_object_unref(subject);
    g_object_unref(authority);
}

void PolkitAuthorizer::onChecked(GObject *source, GAsyncResult *res, void *data)
{
    auto *p = static_cast<Pending *>(data);
    GError *error = nullptr;
    PolkitAuthorizationResult *result
        = polkit_authority_check_authorization_finish(reinterpret_cast<PolkitAuthority *>(source), res, &error);
    Verdict verdict = Verdict::Denied;
    QString why;
    if (!result) {
        why = QStringLiteral("polkit check failed: %1")
                  .arg(QString::fromUtf8(error ? error->message : "unknown error"));
    } else if (polkit_authorization_result_get_is_authorized(result)) {
        verdict = Verdict::Allowed;
    } else if (polkit_authorization_result_get_is_challenge(result)) {
        if (p->interactive) {
            why = QStringLiteral("authentication is required and no authentication agent answered");
        } else {
            verdict = Verdict::InteractionRequired;
            why = QStringLiteral("authentication is required, and the caller did not allow interactive authorization");
        }
    } else if (polkit_authorization_result_get_dismissed(result)) {
        why = QStringLiteral("the authentication dialog was dismissed");
    } else {
        why = QStringLiteral("polkit denied %1").arg(p->actionId);
    }
    if (result)
        g_object_unref(result);
    g_clear_error(&error);
    if (!p->self) {
        g_object_unref(p->cancellable);
        delete p;
        return;
    }
    p->self->finish(p, verdict, why);
}

void PolkitAuthorizer::finish(Pending *p, Verdict verdict, const QString &why)
{
    m_pending.removeOne(p);
    Done done = std::move(p->done);
    g_object_unref(p->cancellable);
    delete p;
    done(verdict, why);
}

void PolkitAuthorizer::cancelFor(const QString &busName)
{
    for (Pending *p : std::as_const(m_pending))
        if (p->busName == busName)
            g_cancellable_cancel(p->cancellable); // its callback reports the cancellation: denied
}

} // namespace kmr
