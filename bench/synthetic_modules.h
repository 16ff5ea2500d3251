// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// A synthetic snapshot of N loaded modules for the diagnosis and graph benchmarks: a layered
// dependency structure like a real system's (a few base libraries used by many, drivers using
// 0-3 others), every stuck kind represented, deterministic for a given N.
#include "snapshot/moduleinfo.h"

#include <QRandomGenerator>

namespace kmr::bench {

inline Snapshot syntheticSnapshot(int n)
{
    Snapshot s;
    s.source = QStringLiteral("synthetic");
    s.kernel.release = Fact::of(QStringLiteral("6.1.0-56-amd64"));
    s.kernel.compiler = Fact::of(QStringLiteral("gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0"));
    s.kernel.forceUnload = Fact::of(QStringLiteral("y"));
    s.kernel.lockdown = Fact::of(QStringLiteral("none"));
    s.kernel.sigEnforce = Fact::of(QStringLiteral("N"));
    s.kernel.modulesDisabled = Fact::of(QStringLiteral("0"));
    QRandomGenerator rng(20261122);
    QList<QStringList> holders(n);
    QList<QStringList> deps(n);
    for (int i = 1; i < n; ++i) {
        const int uses = int(rng.bounded(4)); // 0..3 modules of lower index
        for (int k = 0; k < uses; ++k) {
            // Prefer the first modules (base libraries) like a real system does.
            const int j = int(rng.bounded(qMax(1, i))) / (rng.bounded(3) == 0 ? 1 : 8);
            if (j == i || deps[i].contains(QString::number(j)))
                continue;
            deps[i] << QString::number(j);
        }
    }
    auto name = [](int i) { return QStringLiteral("mod_%1").arg(i, 4, 10, QLatin1Char('0')); };
    for (int i = 0; i < n; ++i)
        for (const QString &d : deps[i])
            holders[d.toInt()] << name(i);
    for (int i = 0; i < n; ++i) {
        ModuleInfo m;
        m.name = name(i);
        m.size = 16384 + 4096 * (i % 7);
        m.state = i % 97 == 5 ? ModuleState::Loading : i % 89 == 7 ? ModuleState::Unloading : ModuleState::Live;
        m.holders = holders[i];
        for (const QString &d : deps[i])
            m.dependencies << name(d.toInt());
        m.refcount = int(m.holders.size()) + (i % 53 == 3 ? 1 : 0); // some leaked references
        m.koPath
            = Fact::of(QStringLiteral("/lib/modules/6.1.0-56-amd64/kernel/drivers/") + m.name + QStringLiteral(".ko"));
        m.vermagic = Fact::of(QStringLiteral("6.1.0-56-amd64 SMP preempt mod_unload modversions "));
        m.compiler = Fact::of(i % 41 == 9 ? QStringLiteral("GCC: (Debian 11.3.0-12) 11.3.0")
                                          : QStringLiteral("GCC: (Debian 12.2.0-14+deb12u1) 12.2.0"));
        m.exit = i % 61 == 11 ? ExitPresence::Missing : ExitPresence::Present;
        s.modules << m;
    }
    return s;
}

} // namespace kmr::bench
