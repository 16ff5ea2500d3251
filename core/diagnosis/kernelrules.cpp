// SPDX-License-Identifier: GPL-2.0-or-later
// Rules about the module against its kernel: compiler, vermagic, and what stands in the way of a repair.
#include "diagnosis/compilerid.h"
#include "diagnosis/rules_p.h"

namespace kmr::rules {

void Rules::compiler()
{
    if (!m.compiler.known() || m.compiler.value.isEmpty())
        return;
    const bool fromVersion = k.compiler.known() && !k.compiler.value.isEmpty();
    const Fact &kernelText = fromVersion ? k.compiler : k.ccVersionText;
    if (!kernelText.known() || kernelText.value.isEmpty()) {
        d.warnings << QStringLiteral("the kernel's compiler is unknown (") + k.compiler.display()
                + QStringLiteral("): the module's compiler was not compared");
        return;
    }
    const CompilerId mod = parseCompilerId(m.compiler.value);
    const CompilerId ker = parseCompilerId(kernelText.value);
    const CompilerMatch match = compareCompilers(mod, ker);
    if (match == CompilerMatch::Same)
        return;
    if (match == CompilerMatch::Unknown) {
        d.warnings << QStringLiteral("could not compare compilers: '") + m.compiler.value + QStringLiteral("' and '")
                + kernelText.value + QLatin1Char('\'');
        return;
    }
    Finding f;
    f.kind = FindingKind::CompilerMismatch;
    f.severity = match == CompilerMatch::Different ? Severity::Warning : Severity::Info;
    f.sentence = m.name + QStringLiteral(" was built with ") + mod.display()
        + QStringLiteral(", the running kernel with ") + ker.display() + QLatin1Char('.');
    if (match == CompilerMatch::Different)
        f.sentence += QStringLiteral(" Modules built with another compiler than their kernel are a known cause of a "
                                     "busy rmmod and absurd refcounts (19660798 was seen from GCC 7.3 modules on a "
                                     "GCC 4.8.5 kernel).");
    else
        f.sentence += QStringLiteral(" Same major version: a minor difference rarely matters.");
    f.evidence << fileEvidence(QStringLiteral("module compiler"),
        (m.koPath.known() ? m.koPath.value : m.name) + QStringLiteral(" (.comment)"), m.compiler.value);
    f.evidence << fileEvidence(QStringLiteral("kernel compiler"),
        fromVersion ? QStringLiteral("/proc/version")
                    : QStringLiteral("CONFIG_CC_VERSION_TEXT (") + k.configSource.value + QLatin1Char(')'),
        kernelText.value);
    f.remedy = QStringLiteral("Rebuild ") + m.name + QStringLiteral(" with the kernel's own compiler (") + ker.display()
        + QStringLiteral("), e.g. make CC=")
        + (ker.family == QLatin1String("gcc") ? QStringLiteral("gcc-") : QStringLiteral("clang-"))
        + QString::number(ker.major) + QStringLiteral(" -C /lib/modules/$(uname -r)/build M=$PWD.");
    f.steps = {RemedyStep::Rebuild};
    d.findings << f;
}

void Rules::vermagic()
{
    if (!m.vermagic.known() || m.vermagic.value.isEmpty() || !k.release.known())
        return;
    const QString release = m.vermagic.value.section(QLatin1Char(' '), 0, 0, QString::SectionSkipEmpty);
    if (release == k.release.value)
        return;
    Finding f;
    f.kind = FindingKind::VermagicMismatch;
    f.severity = Severity::Warning;
    f.sentence = m.name + QStringLiteral(" was built for kernel ") + release + QStringLiteral(", not for the running ")
        + k.release.value
        + QStringLiteral(": it was loaded by force or from the wrong tree, and its view of kernel "
                         "structures may be wrong.");
    f.evidence << fileEvidence(QStringLiteral("vermagic"),
        (m.koPath.known() ? m.koPath.value : m.name) + QStringLiteral(" (modinfo)"), m.vermagic.value);
    f.evidence << fileEvidence(
        QStringLiteral("kernel release"), QStringLiteral("/proc/sys/kernel/osrelease"), k.release.value);
    f.remedy = QStringLiteral("Rebuild it against the running kernel's headers (/lib/modules/") + k.release.value
        + QStringLiteral("/build).");
    f.steps = {RemedyStep::Rebuild};
    d.findings << f;
}

void Rules::repair()
{
    if (k.modulesDisabled.known() && k.modulesDisabled.value == QLatin1String("1")) {
        Finding f;
        f.kind = FindingKind::RepairBlocked;
        f.severity = Severity::Blocker;
        f.sentence = QStringLiteral("kernel.modules_disabled is 1: until the next boot the kernel loads and unloads no "
                                    "module, neither ")
            + m.name + QStringLiteral(" nor the fixer.");
        f.evidence << fileEvidence(QStringLiteral("modules_disabled"),
            QStringLiteral("/proc/sys/kernel/modules_disabled"), k.modulesDisabled.value);
        f.remedy = QStringLiteral("Nothing can be done before a reboot; it cannot be set back to 0.");
        d.findings << f;
    }
    if (!d.stuck())
        return;
    Finding fu;
    fu.kind = FindingKind::ForcedUnload;
    fu.severity = Severity::Info;
    if (!k.forceUnload.known()) {
        fu.sentence = QStringLiteral("Whether the kernel has the forced unload is unknown (") + k.forceUnload.why
            + QStringLiteral("): the fixer does not need it.");
    } else if (k.forceUnload.value == QLatin1String("y")) {
        fu.sentence = QStringLiteral("The kernel has the forced unload (CONFIG_MODULE_FORCE_UNLOAD=y): it can remove "
                                     "a Live module with a wrong refcount or no exit, and taints the kernel. It does "
                                     "not help a module that is held, or not Live.");
        fu.steps = {RemedyStep::ForcedUnload};
    } else {
        fu.sentence = QStringLiteral("The kernel has no forced unload (CONFIG_MODULE_FORCE_UNLOAD is not set): the "
                                     "fixer does what it would.");
    }
    fu.evidence << fileEvidence(QStringLiteral("CONFIG_MODULE_FORCE_UNLOAD"),
        k.configSource.known() ? k.configSource.value : QStringLiteral("kernel config"), k.forceUnload.display());
    d.findings << fu;

    QList<Evidence> blockers;
    QStringList reasons;
    const QString mode = k.lockdown.known() ? lockdownMode(k.lockdown.value) : QString();
    if (!mode.isEmpty() && mode != QLatin1String("none")) {
        blockers << fileEvidence(
            QStringLiteral("lockdown"), QStringLiteral("/sys/kernel/security/lockdown"), k.lockdown.value);
        reasons << QStringLiteral("lockdown (") + mode + QLatin1Char(')');
    }
    if (k.sigEnforce.known() && k.sigEnforce.value.startsWith(QLatin1Char('Y'))) {
        blockers << fileEvidence(QStringLiteral("signature enforcement"),
            QStringLiteral("/sys/module/module/parameters/sig_enforce"), k.sigEnforce.value);
        reasons << QStringLiteral("module signature enforcement");
    }
    if (!blockers.isEmpty()) {
        Finding f;
        f.kind = FindingKind::RepairBlocked;
        f.severity = Severity::Warning;
        f.sentence = joinNames(reasons)
            + QStringLiteral(" rejects unsigned modules: the fixer loads only when signed "
                             "with a key the kernel trusts.");
        f.evidence = blockers;
        f.remedy = QStringLiteral("Let DKMS build and sign the fixer with the machine owner's key and enroll it with "
                                  "mokutil --import (one reboot), or use the forced unload where it suffices.");
        d.findings << f;
    }
}

} // namespace kmr::rules
