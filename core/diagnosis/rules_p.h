// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Internal to core/diagnosis: the rule set shared by diagnosisrules.cpp and kernelrules.cpp.

#include "diagnosis/diagnosisrules.h"
#include "diagnosis/systemscan.h"

#include <algorithm>

namespace kmr::rules {

inline QString sysModule(const QString &name, const char *file)
{
    return QStringLiteral("/sys/module/") + name + QLatin1Char('/') + QLatin1String(file);
}

inline Evidence fileEvidence(const QString &label, const QString &source, const QString &value)
{
    Evidence e;
    e.kind = Evidence::Kind::File;
    e.label = label;
    e.source = source;
    e.value = value;
    return e;
}

inline Evidence noteEvidence(const QString &label, const QString &value)
{
    Evidence e;
    e.label = label;
    e.value = value;
    return e;
}

inline Evidence oopsEvidence(const OopsCitation &o)
{
    Evidence e;
    e.kind = Evidence::Kind::Oops;
    e.label = QStringLiteral("kernel log");
    e.source = QStringLiteral("oops excerpt ") + o.id;
    e.value = o.title;
    e.oopsId = o.id;
    e.detail = o.lines;
    return e;
}

inline QString joinNames(const QStringList &names)
{
    if (names.size() <= 1)
        return names.join(QString());
    return names.mid(0, names.size() - 1).join(QStringLiteral(", ")) + QStringLiteral(" and ") + names.last();
}

inline bool implicates(const OopsCitation &o, const QString &name)
{
    if (canonicalModuleName(o.faultingModule) == name)
        return true;
    return std::any_of(o.implicatedModules.begin(), o.implicatedModules.end(),
        [&name](const QString &m) { return canonicalModuleName(m) == name; });
}

inline bool mentionsAny(const OopsCitation &o, std::initializer_list<const char *> words)
{
    return std::any_of(words.begin(), words.end(), [&o](const char *w) {
        const QLatin1String word(w);
        return o.faultingFunction.contains(word) || o.title.contains(word)
            || std::any_of(
                o.callTrace.begin(), o.callTrace.end(), [&word](const QString &f) { return f.contains(word); });
    });
}

// The latest oops that implicates the module and, preferably, its init (or exit) path.
inline const OopsCitation *findOops(const QList<OopsCitation> &oopses, const QString &name, bool init)
{
    const OopsCitation *any = nullptr;
    const OopsCitation *phase = nullptr;
    for (const OopsCitation &o : oopses) {
        if (!implicates(o, name))
            continue;
        any = &o;
        const bool matches = init ? mentionsAny(o, {"do_init_module", "do_one_initcall", "_init"})
                                  : mentionsAny(o, {"delete_module", "_exit", "cleanup_module", "_cleanup"});
        if (matches)
            phase = &o;
    }
    return phase ? phase : any;
}

inline QString lockdownMode(const QString &v)
{
    const int open = v.indexOf(QLatin1Char('['));
    const int close = v.indexOf(QLatin1Char(']'));
    if (open >= 0 && close > open)
        return v.mid(open + 1, close - open - 1);
    return v.trimmed();
}

struct Rules {
    const RuleInput &in;
    const ModuleInfo &m;
    Diagnosis &d;
    const KernelFacts &k = in.snapshot.kernel;

    bool forceUnloadAvailable() const { return k.forceUnload.known() && k.forceUnload.value == QLatin1String("y"); }

    void holders()
    {
        QStringList direct;
        for (const QString &h : m.holders)
            if (!h.startsWith(QLatin1Char('['))) // "[permanent]", "[unsafe]": /proc/modules markers
                direct << canonicalModuleName(h);
        if (direct.isEmpty())
            return;
        Finding f;
        f.kind = FindingKind::HeldByModules;
        f.severity = Severity::Blocker;
        QString warning;
        f.unloadOrder = holderUnloadOrder(in.snapshot, m.name, &warning);
        if (!warning.isEmpty())
            d.warnings << warning;
        f.sentence = m.name + QStringLiteral(" is held by ") + joinNames(direct)
            + (direct.size() == 1 ? QStringLiteral(", which uses it") : QStringLiteral(", which use it"))
            + QStringLiteral(": the kernel unloads no module while another module depends on it.");
        if (f.unloadOrder.size() > direct.size())
            f.sentence += QStringLiteral(" Those are held in turn, ") + QString::number(f.unloadOrder.size())
                + QStringLiteral(" modules in all.");
        f.evidence << fileEvidence(
            QStringLiteral("holders"), sysModule(m.name, "holders"), direct.join(QLatin1Char(' ')));
        for (const QString &h : f.unloadOrder) {
            const ModuleInfo *hm = in.snapshot.find(h);
            if (hm && !hm->holders.isEmpty())
                f.evidence << fileEvidence(
                    QStringLiteral("holders of ") + h, sysModule(h, "holders"), hm->holders.join(QLatin1Char(' ')));
        }
        f.remedy = QStringLiteral("Unload ") + joinNames(f.unloadOrder)
            + (f.unloadOrder.size() > 1 ? QStringLiteral(" first, in this order (deepest holder first), then ")
                                        : QStringLiteral(" first, then "))
            + m.name + QLatin1Char('.');
        f.steps = {RemedyStep::UnloadHolders, RemedyStep::Rmmod};
        d.findings << f;
    }

    void state()
    {
        if (m.state == ModuleState::Loading) {
            Finding f;
            f.severity = Severity::Blocker;
            f.evidence << fileEvidence(
                QStringLiteral("state"), sysModule(m.name, "initstate"), QStringLiteral("coming"));
            const OopsCitation *o = findOops(in.oopses, m.name, true);
            if (o) {
                f.kind = FindingKind::InitCrashed;
                f.sentence = m.name + QStringLiteral(" is stuck Loading: its init crashed (") + o->title
                    + QStringLiteral("), so it never became Live, and the kernel unloads only Live modules.");
                f.evidence << oopsEvidence(*o);
                f.remedy = QStringLiteral("The fixer can mark it Live, drop the reference init still holds and replace "
                                          "its exit with a stub (its real exit would tear down what init never built); "
                                          "then rmmod removes it. The kernel will be tainted.");
                f.steps = {RemedyStep::FixerSetLive, RemedyStep::FixerStubExit, RemedyStep::FixerResetRefcount,
                    RemedyStep::Rmmod};
            } else {
                f.kind = FindingKind::StuckLoading;
                f.sentence = m.name
                    + QStringLiteral(" is stuck Loading: its init has not returned. No crash of it "
                                     "was found in the kernel log (the log may have been overwritten, "
                                     "or init is still running).");
                f.evidence << noteEvidence(QStringLiteral("kernel log"),
                    in.oopses.isEmpty() ? QStringLiteral("no oops excerpts given")
                                        : QString::number(in.oopses.size())
                            + QStringLiteral(" oops excerpts, none implicates ") + m.name);
                f.remedy = QStringLiteral("If init is still running (look for insmod or modprobe in state D), wait. "
                                          "Otherwise the fixer can mark it Live and stub its exit, then rmmod.");
                f.steps = {RemedyStep::Wait, RemedyStep::FixerSetLive, RemedyStep::FixerStubExit,
                    RemedyStep::FixerResetRefcount, RemedyStep::Rmmod};
            }
            d.findings << f;
        } else if (m.state == ModuleState::Unloading) {
            unloading();
        } else if (m.state == ModuleState::Unknown) {
            d.warnings << QStringLiteral("the state of ") + m.name + QStringLiteral(" could not be read");
        }
    }

    void unloading()
    {
        Finding f;
        f.severity = Severity::Blocker;
        f.evidence << fileEvidence(QStringLiteral("state"), sysModule(m.name, "initstate"), QStringLiteral("going"));
        const QList<ProcessInfo> unloaders = in.scan ? in.scan->unloaders(m.name) : QList<ProcessInfo> {};
        const OopsCitation *o = findOops(in.oopses, m.name, false);
        if (!unloaders.isEmpty()) {
            const ProcessInfo &p = unloaders.first();
            f.kind = FindingKind::ExitStillRunning;
            const QString pidText = QString::number(p.pid);
            f.sentence = m.name + QStringLiteral(" is stuck Unloading: its exit is still running, called by '")
                + p.commandLine() + QStringLiteral("' (pid ") + pidText + QStringLiteral("), which ")
                + (p.state == QLatin1Char('D') ? QStringLiteral("waits uninterruptibly in the kernel (state D)")
                                               : QStringLiteral("is in state ") + QString(p.state))
                + (p.wchan.isEmpty() ? QString() : QStringLiteral(" in ") + p.wchan) + QLatin1Char('.');
            for (const ProcessInfo &q : unloaders) {
                const QString base = QStringLiteral("/proc/") + QString::number(q.pid);
                Evidence pe;
                pe.kind = Evidence::Kind::Process;
                pe.label = QStringLiteral("unloading process");
                pe.source = base + QStringLiteral("/stat, ") + base + QStringLiteral("/cmdline");
                pe.value = q.commandLine() + QStringLiteral(" (state ") + QString(q.state) + QLatin1Char(')');
                pe.pid = q.pid;
                f.evidence << pe;
                if (!q.wchan.isEmpty())
                    f.evidence << fileEvidence(QStringLiteral("waiting in"), base + QStringLiteral("/wchan"), q.wchan);
                Evidence se = fileEvidence(QStringLiteral("kernel stack"), base + QStringLiteral("/stack"), {});
                if (q.stack.isEmpty()) {
                    se.needsHelper = true;
                    se.value = QStringLiteral("not readable here (") + q.stackWhy
                        + QStringLiteral("): only root reads a kernel stack; the helper can");
                } else {
                    se.value = q.stack.first();
                    se.detail = q.stack;
                }
                f.evidence << se;
            }
            if (o)
                f.evidence << oopsEvidence(*o);
            f.remedy = QStringLiteral("Nothing can be done safely while its exit runs: the fixer refuses such a "
                                      "module, and a forced unload would not stop the exit. Find what the exit waits "
                                      "for in its kernel stack and release it; if nothing can, only a reboot ends it.");
            f.steps = {RemedyStep::Wait};
        } else if (o) {
            f.kind = FindingKind::ExitCrashed;
            f.sentence = m.name + QStringLiteral(" is stuck Unloading: its exit crashed (") + o->title
                + QStringLiteral("), so the unload never finished.");
            f.evidence << oopsEvidence(*o);
            f.remedy = QStringLiteral("The fixer can set it Live again and replace the crashing exit with a stub; "
                                      "then rmmod removes it. What the exit had already torn down stays torn down. "
                                      "The kernel will be tainted.");
            f.steps = {
                RemedyStep::FixerSetLive, RemedyStep::FixerStubExit, RemedyStep::FixerResetRefcount, RemedyStep::Rmmod};
        } else {
            f.kind = FindingKind::StuckUnloading;
            f.sentence = m.name
                + QStringLiteral(" is stuck Unloading: no process is unloading it now and no crash "
                                 "of its exit was found in the kernel log.");
            f.evidence << noteEvidence(QStringLiteral("unloading processes"),
                in.scan ? QStringLiteral("none found") : QStringLiteral("not scanned"));
            f.remedy = QStringLiteral("Its exit most likely crashed before the log was read. The fixer can set it "
                                      "Live and stub its exit, then rmmod.");
            f.steps = {
                RemedyStep::FixerSetLive, RemedyStep::FixerStubExit, RemedyStep::FixerResetRefcount, RemedyStep::Rmmod};
        }
        d.findings << f;
    }

    void exitFunction()
    {
        if (m.exit == ExitPresence::Unknown) {
            d.warnings << QStringLiteral("could not tell whether ") + m.name + QStringLiteral(" has an exit function: ")
                    + (m.exitWhy.isEmpty() ? QStringLiteral("unknown") : m.exitWhy);
            return;
        }
        if (m.exit != ExitPresence::Missing)
            return;
        Finding f;
        f.kind = FindingKind::NoExitFunction;
        f.severity = Severity::Blocker;
        f.sentence = m.name
            + QStringLiteral(" has an init function and no exit function: the kernel refuses to "
                             "unload such a module (\"busy\") unless the unload is forced.");
        f.evidence << fileEvidence(QStringLiteral("exit function"),
            m.koPath.known() ? m.koPath.value + QStringLiteral(" (symbol table)") : QStringLiteral(".ko symbol table"),
            QStringLiteral("no cleanup_module"));
        if (forceUnloadAvailable()) {
            f.remedy = QStringLiteral("Force the unload (this kernel has the forced unload), or let the fixer give it "
                                      "a stub exit and rmmod it. Either taints the kernel.");
            f.steps = {RemedyStep::ForcedUnload, RemedyStep::FixerStubExit, RemedyStep::Rmmod};
        } else {
            f.remedy = QStringLiteral("The fixer can give it a stub exit; then rmmod removes it. The kernel will be "
                                      "tainted. Add a module_exit to the driver so the next build unloads.");
            f.steps = {RemedyStep::FixerStubExit, RemedyStep::Rmmod};
        }
        d.findings << f;
    }

    void references();
    void compiler();
    void vermagic();
    void repair();
};

} // namespace kmr::rules
