// SPDX-License-Identifier: GPL-2.0-or-later
#include "helperclient/helpertypes.h"

#include <QDBusMetaType>

namespace kmr {

QDBusArgument &operator<<(QDBusArgument &arg, const UnloadStepResult &s)
{
    arg.beginStructure();
    arg << s.step << s.module << s.outcome << s.detail << s.kernelLog;
    arg.endStructure();
    return arg;
}

const QDBusArgument &operator>>(const QDBusArgument &arg, UnloadStepResult &s)
{
    arg.beginStructure();
    arg >> s.step >> s.module >> s.outcome >> s.detail >> s.kernelLog;
    arg.endStructure();
    return arg;
}

QDBusArgument &operator<<(QDBusArgument &arg, const UnloadResult &r)
{
    arg.beginStructure();
    arg << r.gone << r.finalState << r.steps << r.kernelLog;
    arg.endStructure();
    return arg;
}

const QDBusArgument &operator>>(const QDBusArgument &arg, UnloadResult &r)
{
    arg.beginStructure();
    arg >> r.gone >> r.finalState >> r.steps >> r.kernelLog;
    arg.endStructure();
    return arg;
}

void registerHelperTypes()
{
    static const bool once = [] {
        qDBusRegisterMetaType<UnloadStepResult>();
        qDBusRegisterMetaType<QList<UnloadStepResult>>();
        qDBusRegisterMetaType<UnloadResult>();
        return true;
    }();
    Q_UNUSED(once);
}

} // namespace kmr
