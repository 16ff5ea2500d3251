// SPDX-License-Identifier: GPL-2.0-or-later
#include "diagnosis/diagnosisrules.h"

#include "diagnosis/rules_p.h"

#include <algorithm>

namespace kmr {

using namespace rules;

namespace {

QString usersSummary(const QList<ModuleUser> &users)
{
    QStringList parts;
    for (const ModuleUser &u : users.mid(0, 3)) {
        QString s = u.what;
        if (u.pid > 0)
            s += QStringLiteral(", open in pid ") + QString::number(u.pid)
                + (u.command.isEmpty() ? QString() : QStringLiteral(" (") + u.command + QLatin1Char(')'));
        parts << s;
    }
    if (users.size() > 3)
        parts << QString::number(users.size() - 3) + QStringLiteral(" more");
    return parts.join(QStringLiteral("; "));
}

// The traced call sites still holding references, most first: "3 taken at A; 1 taken at B".
QString takenAt(const QList<ReferenceTaker> &takers)
{
    QStringList parts;
    for (const ReferenceTaker &t : takers.mid(0, 3))
        parts << QString::number(t.imbalance) + QStringLiteral(" taken at ") + t.callSite;
    if (takers.size() > 3)
        parts << QString::number(takers.size() - 3) + QStringLiteral(" more call sites");
    return parts.join(QStringLiteral("; "));
}

// The LeakedReference sentence: who took the `extra` references, as far as the evidence says.
QString leakSentence(const QString &name, int extra, const QList<ReferenceTaker> &takers, bool scanned)
{
    QStringList takerModules;
    for (const ReferenceTaker &t : takers)
        if (!t.module.isEmpty() && !takerModules.contains(t.module))
            takerModules << t.module;
    const QString held = name + QStringLiteral(" is held by ")
        + (extra == 1 ? QStringLiteral("a reference") : QString::number(extra) + QStringLiteral(" references"));
    if (!takerModules.isEmpty())
        return held + QStringLiteral(" that ") + joinNames(takerModules)
            + QStringLiteral(" took and never gave back. Still held when the trace ended: ") + takenAt(takers)
            + QLatin1Char('.');
    if (!takers.isEmpty())
        return held + QStringLiteral(" taken and never given back. Still held when the trace ended: ") + takenAt(takers)
            + QLatin1Char('.');
    if (scanned)
        return held
            + QStringLiteral(" that no module, open file, mount or network interface accounts for: taken with "
                             "try_module_get and never given back.");
    // A bundle or sosreport without a recorded diagnosis: users could not be looked for here.
    return held
        + QStringLiteral(" that no module accounts for. Open files, mounts and network interfaces were not "
                         "looked for (this snapshot is not from the running system): on that machine, rule "
                         "out a real user (lsof, mount, ip link) before treating it as a leaked reference.");
}

} // namespace

void Rules::references()
{
    if (in.scan)
        d.users = findModuleUsers(*in.scan, m.name);
    d.usersScanned = in.scan != nullptr;
    const int realHolders = int(std::count_if(
        m.holders.begin(), m.holders.end(), [](const QString &h) { return !h.startsWith(QLatin1Char('[')); }));
    const int extra = m.refcount - realHolders;
    const bool absurd = m.refcount > 1000000;
    if (!d.users.isEmpty()) {
        Finding f;
        f.kind = FindingKind::RealUse;
        f.severity = extra > 0 && m.state == ModuleState::Live ? Severity::Blocker : Severity::Warning;
        f.sentence = m.name + QStringLiteral(" is really in use: ") + usersSummary(d.users) + QLatin1Char('.');
        if (extra > 0)
            f.sentence += QStringLiteral(" Its refcount (") + QString::number(m.refcount)
                + QStringLiteral(") counts those users.");
        else
            f.sentence += QStringLiteral(" Unloading it would take these away.");
        f.evidence << fileEvidence(
            QStringLiteral("refcount"), sysModule(m.name, "refcnt"), QString::number(m.refcount));
        for (const ModuleUser &u : d.users) {
            Evidence e = fileEvidence(u.kind == ModuleUser::Kind::DeviceNode ? QStringLiteral("open device node")
                    : u.kind == ModuleUser::Kind::Mount                      ? QStringLiteral("mount")
                                                                             : QStringLiteral("network interface"),
                u.source, u.what);
            if (u.pid > 0) {
                e.kind = Evidence::Kind::Process;
                e.pid = u.pid;
                e.value += QStringLiteral(", held by pid ") + QString::number(u.pid) + QStringLiteral(" (") + u.command
                    + QLatin1Char(')');
            }
            f.evidence << e;
        }
        f.remedy = QStringLiteral("Close those files (end the processes holding them), unmount, or bring the "
                                  "interfaces down; then rmmod works. Forcing it out while in use would crash the "
                                  "kernel the next time those files are touched: the unload plan refuses unless you "
                                  "override it.");
        f.steps = {RemedyStep::StopUsers, RemedyStep::Rmmod};
        d.findings << f;
        return;
    }
    if (extra <= 0 || m.state != ModuleState::Live || m.refcount < 0)
        return;
    Finding f;
    f.kind = FindingKind::LeakedReference;
    f.severity = Severity::Blocker;
    QList<ReferenceTaker> takers = in.takers.value(m.name);
    takers.removeIf([](const ReferenceTaker &t) { return t.imbalance <= 0; });
    f.sentence = leakSentence(m.name, extra, takers, in.scan != nullptr);
    if (absurd)
        f.sentence += QStringLiteral(" A refcount this absurd (") + QString::number(m.refcount)
            + QStringLiteral(") usually means the module's idea of the module structure differs from the kernel's, "
                             "as after a compiler mismatch.");
    f.evidence << fileEvidence(QStringLiteral("refcount"), sysModule(m.name, "refcnt"), QString::number(m.refcount));
    f.evidence << fileEvidence(QStringLiteral("holders"), sysModule(m.name, "holders"),
        m.holders.isEmpty() ? QStringLiteral("none") : m.holders.join(QLatin1Char(' ')));
    for (const ReferenceTaker &t : takers)
        f.evidence << noteEvidence(QStringLiteral("traced call site"),
            t.callSite + QStringLiteral(": ") + QString::number(t.imbalance)
                + QStringLiteral(" taken here, still held when the trace ended"));
    if (in.scan) {
        QString scanned = QString::number(in.scan->processes.size()) + QStringLiteral(" processes' open files, ")
            + QString::number(in.scan->mounts.size()) + QStringLiteral(" mounts, ")
            + QString::number(in.scan->interfaces.size()) + QStringLiteral(" network interfaces: none is its");
        if (in.scan->unreadableProcesses > 0)
            scanned += QStringLiteral(" (") + QString::number(in.scan->unreadableProcesses)
                + QStringLiteral(" processes of other users could not be looked at without root)");
        f.evidence << noteEvidence(QStringLiteral("users looked for"), scanned);
    } else {
        f.evidence << noteEvidence(QStringLiteral("users looked for"),
            QStringLiteral("not scanned (this snapshot is not from the running system)"));
    }
    f.remedy = QStringLiteral("Reset the refcount with the fixer")
        + (forceUnloadAvailable() ? QStringLiteral(" or force the unload (this kernel has the forced unload)")
                                  : QString())
        + QStringLiteral(", then rmmod. ")
        + (takers.isEmpty() ? QStringLiteral("To find the try_module_get without its module_put, trace module_get and "
                                             "module_put in the Refcount tab.")
                            : QStringLiteral("The fix belongs in the code at ") + takers.constFirst().callSite
                    + QStringLiteral(": it takes references (try_module_get) that it never gives back (module_put)."));
    if (forceUnloadAvailable())
        f.steps << RemedyStep::ForcedUnload;
    f.steps << RemedyStep::FixerResetRefcount << RemedyStep::Rmmod;
    d.findings << f;
}

Diagnosis diagnoseModule(const RuleInput &in, const QString &module)
{
    Diagnosis d;
    d.module = canonicalModuleName(module);
    const ModuleInfo *m = in.snapshot.find(module);
    if (!m) {
        Finding f;
        f.kind = FindingKind::NotLoaded;
        f.severity = Severity::Info;
        f.sentence = d.module + QStringLiteral(" is not loaded.");
        f.evidence << fileEvidence(QStringLiteral("loaded modules"), QStringLiteral("/proc/modules"),
            QString::number(in.snapshot.modules.size()) + QStringLiteral(" modules, not ") + d.module);
        d.findings << f;
        return d;
    }
    d.loaded = true;
    d.state = m->state;
    d.refcount = m->refcount;
    Rules r {in, *m, d};
    r.holders();
    r.state();
    r.exitFunction();
    r.references();
    r.compiler();
    r.vermagic();
    if (!d.stuck() && m->state == ModuleState::Live) {
        Finding f;
        f.kind = FindingKind::Unloadable;
        f.severity = Severity::Info;
        f.sentence = QStringLiteral("Nothing keeps ") + m->name
            + QStringLiteral(" loaded: it is Live, no module holds "
                             "it and its refcount is ")
            + QString::number(m->refcount) + QStringLiteral("; rmmod should remove it.");
        f.evidence << fileEvidence(
            QStringLiteral("refcount"), sysModule(m->name, "refcnt"), QString::number(m->refcount));
        f.remedy = QStringLiteral("rmmod ") + m->name;
        f.steps = {RemedyStep::Rmmod};
        d.findings << f;
    }
    r.repair();
    std::stable_sort(d.findings.begin(), d.findings.end(),
        [](const Finding &a, const Finding &b) { return int(a.severity) > int(b.severity); });
    return d;
}

} // namespace kmr
