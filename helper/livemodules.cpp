// SPDX-License-Identifier: GPL-2.0-or-later
#include "livemodules.h"

#include "snapshot/moduleinfo.h"

#include <QFile>
#include <QFileInfo>

#include <sys/utsname.h>

namespace kmr {

QString runningKernelRelease()
{
    struct utsname u { };
    if (uname(&u) != 0)
        return {};
    return QString::fromUtf8(u.release);
}

LiveModules LiveModules::read()
{
    LiveModules m;
    QFile f(QStringLiteral("/proc/modules"));
    if (!f.open(QIODevice::ReadOnly))
        return m;
    m.moduleSupport = true;
    const QList<QByteArray> lines = f.readAll().split('\n');
    for (const QByteArray &line : lines) {
        const int sp = line.indexOf(' ');
        if (sp > 0)
            m.loaded.insert(canonicalModuleName(QString::fromUtf8(line.left(sp))));
    }
    return m;
}

static QString canonical(QString s)
{
    return s.replace(QLatin1Char('-'), QLatin1Char('_'));
}

bool LiveModules::builtIn(const QString &name) const
{
    if (loaded.contains(name))
        return false;
    const QString sys = QStringLiteral("/sys/module/") + name;
    if (QFileInfo::exists(sys) && !QFileInfo::exists(sys + QStringLiteral("/initstate")))
        return true;
    QFile f(QStringLiteral("/lib/modules/%1/modules.builtin").arg(runningKernelRelease()));
    if (!f.open(QIODevice::ReadOnly))
        return false;
    while (!f.atEnd()) {
        const QString path = QString::fromUtf8(f.readLine().trimmed());
        QString base = path.section(QLatin1Char('/'), -1);
        if (base.endsWith(QLatin1String(".ko")))
            base.chop(3);
        if (canonical(base) == name)
            return true;
    }
    return false;
}

ModuleNameCheck LiveModules::check(const QString &name) const
{
    const ModuleNameCheck syntax = checkModuleNameSyntax(name);
    if (!syntax.ok())
        return syntax;
    QSet<QString> builtInSet;
    if (builtIn(syntax.canonical))
        builtInSet.insert(syntax.canonical);
    return checkModuleName(name, loaded, builtInSet, moduleSupport);
}

QString LiveModules::state(const QString &name)
{
    QFile f(QStringLiteral("/sys/module/%1/initstate").arg(name));
    if (!f.open(QIODevice::ReadOnly))
        return QStringLiteral("gone");
    return QString::fromUtf8(f.readAll().trimmed());
}

} // namespace kmr
