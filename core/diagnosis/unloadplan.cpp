// SPDX-License-Identifier: GPL-2.0-or-later
#include "diagnosis/unloadplan.h"

#include "helperclient/modulenamevalidator.h"

namespace kmr {

QString toString(StepRisk r)
{
    switch (r) {
    case StepRisk::Low:
        return QStringLiteral("low");
    case StepRisk::Medium:
        return QStringLiteral("medium");
    case StepRisk::High:
        return QStringLiteral("high");
    }
    return QStringLiteral("high");
}

bool UnloadPlan::taintsKernel() const
{
    for (const PlannedStep &s : steps)
        if (s.taints)
            return true;
    return false;
}

quint32 UnloadPlan::stepMask() const
{
    quint32 m = 0;
    for (const PlannedStep &s : steps) {
        if (s.kind == StepPlainRmmod || s.kind == StepHoldersFirst || s.kind == StepKernelForce) {
            m |= s.kind;
        } else {
            for (const QString &r : s.fixerRepairs)
                m |= r == QLatin1String("refcount") ? StepFixerRefcount
                    : r == QLatin1String("state")   ? StepFixerState
                                                    : StepFixerExit;
        }
    }
    return m;
}

QStringList UnloadPlan::describe() const
{
    QStringList out;
    if (refused) {
        out << QStringLiteral("Refused: ") + refusal;
        if (!howToGoOn.isEmpty())
            out << QStringLiteral("How to go on: ") + howToGoOn;
    }
    int n = 1;
    for (const PlannedStep &s : steps)
        out << QStringLiteral("%1. %2  [risk: %3] %4").arg(n++).arg(s.action, toString(s.risk), s.riskText);
    for (const QString &note : notes)
        out << QStringLiteral("Note: ") + note;
    if (taintsKernel())
        out << QStringLiteral("The kernel will be tainted (R: forced module removal).");
    return out;
}

QStringList fixerRepairs(quint32 steps)
{
    QStringList r;
    if (steps & StepFixerRefcount)
        r << QStringLiteral("refcount");
    if (steps & StepFixerState)
        r << QStringLiteral("state");
    if (steps & StepFixerExit)
        r << QStringLiteral("exit");
    return r;
}

static quint32 bitsFor(RemedyStep s)
{
    switch (s) {
    case RemedyStep::Rmmod:
        return StepPlainRmmod;
    case RemedyStep::UnloadHolders:
        return StepHoldersFirst;
    case RemedyStep::ForcedUnload:
        return StepKernelForce;
    case RemedyStep::FixerResetRefcount:
        return StepFixerRefcount;
    case RemedyStep::FixerSetLive:
        return StepFixerState;
    case RemedyStep::FixerStubExit:
        return StepFixerExit;
    case RemedyStep::StopUsers:
    case RemedyStep::Rebuild:
    case RemedyStep::Wait:
        return 0;
    }
    return 0;
}

UnloadRequest defaultUnloadRequest(const Diagnosis &diagnosis, const KernelFacts &kernel)
{
    UnloadRequest r;
    r.module = diagnosis.module;
    r.steps = StepPlainRmmod;
    for (const Finding &f : diagnosis.findings) {
        if (f.severity != Severity::Blocker || f.kind == FindingKind::RealUse
            || f.kind == FindingKind::ExitStillRunning)
            continue;
        for (RemedyStep s : f.steps)
            r.steps |= bitsFor(s);
    }
    r.steps &= ~quint32(StepHoldersFirst); // the user ticks holders
    if (kernel.forceUnload.known() && kernel.forceUnload.value == QLatin1String("n"))
        r.steps &= ~quint32(StepKernelForce);
    if (diagnosis.has(FindingKind::InitCrashed) || diagnosis.has(FindingKind::StuckLoading))
        r.steps |= StepFixerState | StepFixerExit;
    return r;
}

static UnloadPlan refuse(UnloadPlan p, const QString &why, const QString &how)
{
    p.refused = true;
    p.refusal = why;
    p.howToGoOn = how;
    p.steps.clear();
    return p;
}

static QString describeUser(const ModuleUser &u)
{
    QString s = u.what;
    if (u.pid > 0)
        s += QStringLiteral(" held by process %1 (%2)").arg(u.pid).arg(u.command);
    return s;
}

// The kernel's forced unload only skips the refcount and missing-exit checks of a Live module.
static bool kernelForceAddressesCause(const Diagnosis &d, bool overriding)
{
    if (d.state != ModuleState::Live)
        return false;
    return d.has(FindingKind::LeakedReference) || d.has(FindingKind::NoExitFunction)
        || (overriding && (d.has(FindingKind::RealUse) || !d.users.isEmpty()));
}

UnloadPlan planUnload(const Diagnosis &d, const KernelFacts &kernel, const UnloadRequest &req)
{
    UnloadPlan p;
    p.module = d.module;
    p.users = d.users;
    p.realUse = d.has(FindingKind::RealUse) || !d.users.isEmpty();
    if (const Finding *held = d.find(FindingKind::HeldByModules))
        for (const QString &h : held->unloadOrder)
            if (checkModuleNameSyntax(h).ok()) // never a marker such as "[permanent]"
                p.availableHolders << h;

    if ((req.steps & ~AllUnloadSteps) != 0)
        return refuse(p, QStringLiteral("unknown unload steps were asked for (0x%1)").arg(req.steps, 0, 16),
            QStringLiteral("update kmodrescue: the client and the helper do not match"));
    if (!d.loaded)
        return refuse(p, QStringLiteral("%1 is not loaded").arg(d.module), QStringLiteral("refresh the module list"));
    if (kernel.modulesDisabled.known() && kernel.modulesDisabled.value.trimmed() == QLatin1String("1"))
        return refuse(p,
            QStringLiteral("kernel.modules_disabled is 1: the kernel refuses to load or unload any module "
                           "until the next boot"),
            QStringLiteral("reboot; modules_disabled cannot be switched back off"));
    if (d.has(FindingKind::ExitStillRunning))
        return refuse(p,
            QStringLiteral("the exit function of %1 is still running (an rmmod waits in state D): changing "
                           "the module under it could crash the kernel")
                .arg(d.module),
            QStringLiteral("wait for the rmmod to finish; if it never does, only a reboot frees the module"));
    if (p.realUse && !req.overrideRealUse) {
        QStringList who;
        for (const ModuleUser &u : d.users)
            who << describeUser(u);
        if (who.isEmpty())
            who << QStringLiteral("the diagnosis found real users");
        return refuse(p, QStringLiteral("%1 is really in use: %2").arg(d.module, who.join(QStringLiteral("; "))),
            QStringLiteral("stop its users (close the files, unmount, bring the interfaces down), or tick "
                           "\"unload it anyway\" to override; whatever still uses it may then crash"));
    }
    if (p.realUse)
        p.notes
            << QStringLiteral("the user overrode the real-use refusal: whatever still uses %1 may crash").arg(d.module);

    // 1. Holders, deepest first, only those ticked.
    for (const QString &h : req.holders) {
        if (!p.availableHolders.contains(canonicalModuleName(h)))
            return refuse(p, QStringLiteral("%1 does not hold %2").arg(h, d.module),
                QStringLiteral("refresh the module list and tick only modules that hold it"));
    }
    QStringList ticked;
    for (const QString &h : p.availableHolders)
        for (const QString &t : req.holders)
            if (canonicalModuleName(t) == h && !ticked.contains(h))
                ticked << h;
    for (const QString &h : ticked) {
        PlannedStep s;
        s.kind = StepHoldersFirst;
        s.module = h;
        s.risk = StepRisk::Medium;
        s.action = QStringLiteral("rmmod %1 (holds %2)").arg(h, d.module);
        s.riskText = QStringLiteral("whatever %1 provides goes away with it").arg(h);
        p.steps << s;
    }
    if (ticked.size() < p.availableHolders.size())
        p.notes << QStringLiteral("%1 is still held by modules that are not ticked (%2): the steps below will fail "
                                  "while they hold it")
                       .arg(d.module, p.availableHolders.join(QStringLiteral(", ")));

    // 2. Plain rmmod.
    if (req.steps & StepPlainRmmod) {
        PlannedStep s;
        s.kind = StepPlainRmmod;
        s.module = d.module;
        s.risk = StepRisk::Low;
        s.action = QStringLiteral("rmmod %1").arg(d.module);
        s.riskText = QStringLiteral("the module's own exit runs; the kernel refuses if it is busy");
        p.steps << s;
    }

    // 3. The kernel's forced unload.
    if (req.steps & StepKernelForce) {
        if (kernel.forceUnload.known() && kernel.forceUnload.value == QLatin1String("n")) {
            p.notes << QStringLiteral(
                "the kernel's forced unload is not available (CONFIG_MODULE_FORCE_UNLOAD is not set)");
        } else if (!kernelForceAddressesCause(d, req.overrideRealUse)) {
            p.notes << QStringLiteral(
                "the kernel's forced unload is left out: it does not help here (it only skips the "
                "reference count and missing-exit checks of a Live module)");
        } else {
            PlannedStep s;
            s.kind = StepKernelForce;
            s.module = d.module;
            s.risk = StepRisk::High;
            s.action = QStringLiteral("forced unload of %1 (delete_module with O_TRUNC)").arg(d.module);
            s.riskText
                = QStringLiteral("the exit runs although references remain; code still using the module crashes");
            s.taints = true;
            if (!kernel.forceUnload.known())
                s.riskText += QStringLiteral("; whether the kernel has it is unknown (%1)").arg(kernel.forceUnload.why);
            p.steps << s;
        }
    }

    // 4. The fixer.
    const QStringList repairs = fixerRepairs(req.steps);
    if (!repairs.isEmpty()) {
        const bool lockdown = kernel.lockdown.known() && !kernel.lockdown.value.isEmpty()
            && kernel.lockdown.value != QLatin1String("none");
        const bool sigEnforce = kernel.sigEnforce.known() && kernel.sigEnforce.value.startsWith(QLatin1Char('Y'));
        if (lockdown || sigEnforce) {
            return refuse(p,
                QStringLiteral("the kernel only loads signed modules (%1), and kmodrescue_fixer is not signed "
                               "with a key it trusts")
                    .arg(lockdown ? QStringLiteral("lockdown: ") + kernel.lockdown.value
                                  : QStringLiteral("module.sig_enforce=Y")),
                QStringLiteral("sign the fixer with the machine owner key: install kmodrescue-fixer through "
                               "DKMS (it signs with /var/lib/dkms/mok.key), enrol the key with `mokutil "
                               "--import /var/lib/dkms/mok.pub`, reboot to confirm it, then try again; or "
                               "untick the fixer's repairs"));
        }
        PlannedStep s;
        s.kind = (req.steps & StepFixerRefcount) ? StepFixerRefcount
            : (req.steps & StepFixerState)       ? StepFixerState
                                                 : StepFixerExit;
        s.module = d.module;
        s.fixerRepairs = repairs;
        s.risk = StepRisk::High;
        s.action = QStringLiteral("load kmodrescue_fixer target=%1 repairs=%2, then rmmod %1")
                       .arg(d.module, repairs.join(QLatin1Char(',')));
        QStringList risk;
        if (repairs.contains(QLatin1String("refcount")))
            risk << QStringLiteral("references still held are forgotten: their holders crash when they use the module");
        if (repairs.contains(QLatin1String("state")))
            risk << QStringLiteral("a half-initialised module is treated as Live");
        if (repairs.contains(QLatin1String("exit")))
            risk << QStringLiteral("the module's exit does not run: what it would free stays allocated");
        else if (d.has(FindingKind::InitCrashed))
            risk << QStringLiteral("the real exit runs and tears down what the crashed init never built");
        s.riskText = risk.join(QStringLiteral("; "));
        s.taints = true;
        p.steps << s;
    }

    if (p.steps.isEmpty())
        return refuse(p, QStringLiteral("no step was chosen"), QStringLiteral("tick at least one step"));
    return p;
}

} // namespace kmr
