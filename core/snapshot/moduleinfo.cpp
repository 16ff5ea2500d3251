// SPDX-License-Identifier: GPL-2.0-or-later
#include "snapshot/moduleinfo.h"

namespace kmr {

QString toString(ModuleState s)
{
    switch (s) {
    case ModuleState::Live:
        return QStringLiteral("Live");
    case ModuleState::Loading:
        return QStringLiteral("Loading");
    case ModuleState::Unloading:
        return QStringLiteral("Unloading");
    case ModuleState::Unknown:
        break;
    }
    return QStringLiteral("Unknown");
}

ModuleState moduleStateFromString(const QString &s)
{
    const QString l = s.trimmed().toLower();
    if (l == QLatin1String("live"))
        return ModuleState::Live;
    if (l == QLatin1String("loading") || l == QLatin1String("coming"))
        return ModuleState::Loading;
    if (l == QLatin1String("unloading") || l == QLatin1String("going"))
        return ModuleState::Unloading;
    return ModuleState::Unknown;
}

QString toString(ExitPresence e)
{
    switch (e) {
    case ExitPresence::Present:
        return QStringLiteral("present");
    case ExitPresence::Missing:
        return QStringLiteral("missing");
    case ExitPresence::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}

QString canonicalModuleName(const QString &name)
{
    QString n = name;
    n.replace(QLatin1Char('-'), QLatin1Char('_'));
    return n;
}

bool ModuleInfo::operator==(const ModuleInfo &o) const
{
    return name == o.name && size == o.size && refcount == o.refcount && state == o.state && holders == o.holders
        && dependencies == o.dependencies && taint == o.taint && address == o.address && koPath == o.koPath
        && vermagic == o.vermagic && srcversion == o.srcversion && signer == o.signer && compiler == o.compiler
        && exit == o.exit && exitWhy == o.exitWhy && outOfTree == o.outOfTree && warnings == o.warnings;
}

bool KernelFacts::operator==(const KernelFacts &o) const
{
    return release == o.release && version == o.version && compiler == o.compiler && ccVersionText == o.ccVersionText
        && taintMask == o.taintMask && taintKnown == o.taintKnown && taintLetters == o.taintLetters
        && modulesDisabled == o.modulesDisabled && lockdown == o.lockdown && sigEnforce == o.sigEnforce
        && forceUnload == o.forceUnload && configSource == o.configSource && moduleSupport == o.moduleSupport;
}

bool Snapshot::operator==(const Snapshot &o) const
{
    return takenMsecsSinceEpoch == o.takenMsecsSinceEpoch && source == o.source && kernel == o.kernel
        && modules == o.modules && warnings == o.warnings;
}

const ModuleInfo *Snapshot::find(const QString &name) const
{
    const QString want = canonicalModuleName(name);
    for (const ModuleInfo &m : modules) {
        if (m.name == want)
            return &m;
    }
    return nullptr;
}

} // namespace kmr
