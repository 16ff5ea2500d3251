// SPDX-License-Identifier: GPL-2.0-or-later
#include "helperclient/modulenamevalidator.h"

namespace kmr {

static ModuleNameCheck invalid(const QString &message)
{
    return ModuleNameCheck {ModuleNameCheck::Verdict::InvalidName, {}, message};
}

ModuleNameCheck checkModuleNameSyntax(const QString &name)
{
    if (name.isEmpty())
        return invalid(QStringLiteral("module name must not be empty"));
    // Count bytes as they came over the wire (UTF-8), before looking at characters: a 4 KiB
    // name is rejected for its length without scanning it.
    const qsizetype bytes = name.toUtf8().size();
    if (bytes > MaxModuleNameBytes)
        return invalid(
            QStringLiteral("module name may be at most %1 bytes (got %2)").arg(MaxModuleNameBytes).arg(bytes));
    for (const QChar c : name) {
        const char16_t u = c.unicode();
        const bool ok = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') || u == u'_'
            || u == u'-';
        if (!ok)
            return invalid(QStringLiteral("module name may only contain A-Z a-z 0-9 _ -"));
    }
    QString canonical = name;
    canonical.replace(QLatin1Char('-'), QLatin1Char('_'));
    if (canonical == QLatin1String(FixerModuleName))
        return invalid(
            QStringLiteral("module name may not be the fixer's own name (%1)").arg(QLatin1String(FixerModuleName)));
    return ModuleNameCheck {ModuleNameCheck::Verdict::Ok, canonical, {}};
}

ModuleNameCheck checkModuleName(
    const QString &name, const QSet<QString> &loaded, const QSet<QString> &builtIn, bool moduleSupport)
{
    ModuleNameCheck c = checkModuleNameSyntax(name);
    if (!c.ok())
        return c;
    if (builtIn.contains(c.canonical)) {
        c.verdict = ModuleNameCheck::Verdict::BuiltIn;
        c.message = QStringLiteral("module %1 is built into the kernel and cannot be unloaded").arg(c.canonical);
    } else if (!moduleSupport) {
        c.verdict = ModuleNameCheck::Verdict::NotLoaded;
        c.message
            = QStringLiteral("module %1 is not loaded: this kernel has no loadable module support (no /proc/modules)")
                  .arg(c.canonical);
    } else if (!loaded.contains(c.canonical)) {
        c.verdict = ModuleNameCheck::Verdict::NotLoaded;
        c.message = QStringLiteral("module %1 is not loaded (not in /proc/modules)").arg(c.canonical);
    }
    return c;
}

} // namespace kmr
