// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The types that travel between kmodrescue-helper and its clients, as declared in
// resources/io.github.kmodrescue.Helper1.xml. Both the generated proxy (core) and the generated
// adaptor (helper) include this header.

#include <QDBusArgument>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace kmr {

// The rungs of the unload ladder, as bits of Unload's `steps` argument. Values are part of the
// D-Bus interface: never renumber.
enum UnloadStep : quint32 {
    StepPlainRmmod = 1u << 0,
    StepHoldersFirst = 1u << 1,
    StepKernelForce = 1u << 2, // delete_module(O_TRUNC), CONFIG_MODULE_FORCE_UNLOAD
    StepFixerRefcount = 1u << 3,
    StepFixerState = 1u << 4,
    StepFixerExit = 1u << 5,
};
constexpr quint32 AllUnloadSteps = 0x3f;
constexpr quint32 ForcedUnloadSteps = StepKernelForce | StepFixerRefcount | StepFixerState | StepFixerExit;
constexpr quint32 FixerUnloadSteps = StepFixerRefcount | StepFixerState | StepFixerExit;

// Error names the helper replies with. The message always names the rule or the cause.
namespace HelperError {
inline const QString NotAuthorized = QStringLiteral("io.github.kmodrescue.Error.NotAuthorized");
inline const QString InvalidName = QStringLiteral("io.github.kmodrescue.Error.InvalidName");
inline const QString BuiltIn = QStringLiteral("io.github.kmodrescue.Error.BuiltIn");
inline const QString NotLoaded = QStringLiteral("io.github.kmodrescue.Error.NotLoaded");
inline const QString InvalidArgument = QStringLiteral("io.github.kmodrescue.Error.InvalidArgument");
inline const QString Refused = QStringLiteral("io.github.kmodrescue.Error.Refused");
inline const QString FixerUnavailable = QStringLiteral("io.github.kmodrescue.Error.FixerUnavailable");
inline const QString Failed = QStringLiteral("io.github.kmodrescue.Error.Failed");
inline const QString NotImplemented = QStringLiteral("io.github.kmodrescue.Error.NotImplemented");
inline const QString CallerGone = QStringLiteral("io.github.kmodrescue.Error.CallerGone");
// polkit would ask for authentication, and the call did not allow interactive authorization (the
// D-Bus specification's name for it): the same call with interaction allowed may succeed.
inline const QString InteractiveAuthorizationRequired
    = QStringLiteral("org.freedesktop.DBus.Error.InteractiveAuthorizationRequired");
} // namespace HelperError

// What one step did. outcome: "done", "failed", "skipped", "refused".
struct UnloadStepResult {
    QString step; // "rmmod", "rmmod-holder", "kernel-force", "fixer"
    QString module; // the module the step acted on
    QString outcome;
    QString detail; // the errno text, the fixer's result line, why it was skipped
    QStringList kernelLog; // kernel log lines the step caused
    bool operator==(const UnloadStepResult &o) const = default;
};

struct UnloadResult {
    bool gone = false; // the target is no longer in /proc/modules
    QString finalState; // "gone", or the target's state after the last step ("live", "going", ...)
    QList<UnloadStepResult> steps;
    QStringList kernelLog; // every kernel log line caused while the request ran
    bool operator==(const UnloadResult &o) const = default;
};

QDBusArgument &operator<<(QDBusArgument &arg, const UnloadStepResult &s);
const QDBusArgument &operator>>(const QDBusArgument &arg, UnloadStepResult &s);
QDBusArgument &operator<<(QDBusArgument &arg, const UnloadResult &r);
const QDBusArgument &operator>>(const QDBusArgument &arg, UnloadResult &r);

// Call once before using the proxy or the adaptor.
void registerHelperTypes();

} // namespace kmr

Q_DECLARE_METATYPE(kmr::UnloadStepResult)
Q_DECLARE_METATYPE(kmr::UnloadResult)
