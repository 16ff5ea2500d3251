// SPDX-License-Identifier: GPL-2.0-or-later
// The unload plan (core/diagnosis/unloadplan.h): which rungs of the ladder a stuck module gets,
// in which order, and when the plan refuses and says how to go on.
#include "diagnosis/unloadplan.h"

#include <QTest>

using namespace kmr;

static KernelFacts kernel(const QString &force = QStringLiteral("y"))
{
    KernelFacts k;
    k.forceUnload = Fact::of(force);
    k.modulesDisabled = Fact::of(QStringLiteral("0"));
    k.lockdown = Fact::of(QStringLiteral("none"));
    k.sigEnforce = Fact::of(QStringLiteral("N"));
    return k;
}

static Finding finding(FindingKind kind, QList<RemedyStep> steps, QStringList order = {})
{
    Finding f;
    f.kind = kind;
    f.severity = Severity::Blocker;
    f.steps = std::move(steps);
    f.unloadOrder = std::move(order);
    return f;
}

static Diagnosis diagnosis(const QString &name, ModuleState state, QList<Finding> findings)
{
    Diagnosis d;
    d.module = name;
    d.loaded = true;
    d.state = state;
    d.findings = std::move(findings);
    d.usersScanned = true;
    return d;
}

static QList<UnloadStep> kinds(const UnloadPlan &p)
{
    QList<UnloadStep> k;
    for (const PlannedStep &s : p.steps)
        k << s.kind;
    return k;
}

class TestUnloadPlan : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void leakedReference_data();
    void leakedReference();
    void initCrashedDefaultsToStubExit();
    void holdersOnlyTickedInDependencyOrder();
    void holderThatDoesNotHoldIsRefused();
    void realUseRefusedUnlessOverridden();
    void refusals_data();
    void refusals();
    void kernelForceLeftOutWhereItDoesNotHelp();
    void unknownStepBitsRefused();
};

void TestUnloadPlan::leakedReference_data()
{
    QTest::addColumn<QString>("force");
    QTest::addColumn<QList<UnloadStep>>("expected");
    QTest::newRow("force available") << QStringLiteral("y")
                                     << QList<UnloadStep> {StepPlainRmmod, StepKernelForce, StepFixerRefcount};
    QTest::newRow("no force unload") << QStringLiteral("n") << QList<UnloadStep> {StepPlainRmmod, StepFixerRefcount};
}

void TestUnloadPlan::leakedReference()
{
    QFETCH(QString, force);
    QFETCH(QList<UnloadStep>, expected);
    const Diagnosis d = diagnosis(QStringLiteral("kmr_victim"), ModuleState::Live,
        {finding(FindingKind::LeakedReference,
            {RemedyStep::ForcedUnload, RemedyStep::FixerResetRefcount, RemedyStep::Rmmod})});
    UnloadRequest r = defaultUnloadRequest(d, kernel(force));
    r.steps |= StepKernelForce; // even when asked for, a kernel without it gets no such step
    const UnloadPlan p = planUnload(d, kernel(force), r);
    QVERIFY2(!p.refused, qPrintable(p.refusal));
    QCOMPARE(kinds(p), expected);
    QVERIFY(p.taintsKernel());
    QCOMPARE(p.steps.last().fixerRepairs, QStringList {QStringLiteral("refcount")});
    QVERIFY(p.steps.first().risk == StepRisk::Low);
    QVERIFY(p.steps.last().risk == StepRisk::High);
    if (force == QLatin1String("n"))
        QVERIFY(p.notes.join(QLatin1Char(' ')).contains(QStringLiteral("CONFIG_MODULE_FORCE_UNLOAD")));
}

void TestUnloadPlan::initCrashedDefaultsToStubExit()
{
    const Diagnosis d = diagnosis(QStringLiteral("kmr_initoops"), ModuleState::Loading,
        {finding(FindingKind::InitCrashed, {RemedyStep::FixerSetLive, RemedyStep::FixerResetRefcount})});
    const UnloadRequest r = defaultUnloadRequest(d, kernel());
    QVERIFY(r.steps & StepFixerExit);
    QVERIFY(r.steps & StepFixerState);
    const UnloadPlan p = planUnload(d, kernel(), r);
    QVERIFY2(!p.refused, qPrintable(p.refusal));
    QCOMPARE(p.steps.last().fixerRepairs,
        (QStringList {QStringLiteral("refcount"), QStringLiteral("state"), QStringLiteral("exit")}));
    // The kernel's forced unload cannot help a module that is not Live.
    QVERIFY(!kinds(p).contains(StepKernelForce));
    // The user may choose the real exit: the plan then warns what it will do.
    UnloadRequest own = r;
    own.steps &= ~quint32(StepFixerExit);
    const UnloadPlan q = planUnload(d, kernel(), own);
    QVERIFY(q.steps.last().riskText.contains(QStringLiteral("tears down what the crashed init never built")));
}

void TestUnloadPlan::holdersOnlyTickedInDependencyOrder()
{
    const Diagnosis d = diagnosis(QStringLiteral("kmr_provider"), ModuleState::Live,
        {finding(FindingKind::HeldByModules, {RemedyStep::UnloadHolders, RemedyStep::Rmmod},
            {QStringLiteral("kmr_top"), QStringLiteral("kmr_consumer")})});
    UnloadRequest r = defaultUnloadRequest(d, kernel());
    QVERIFY(r.holders.isEmpty()); // never ticked by default
    r.holders = {QStringLiteral("kmr-consumer"), QStringLiteral("kmr_top")};
    const UnloadPlan p = planUnload(d, kernel(), r);
    QVERIFY2(!p.refused, qPrintable(p.refusal));
    QCOMPARE(p.steps.size(), 3);
    QCOMPARE(p.steps.at(0).module, QStringLiteral("kmr_top"));
    QCOMPARE(p.steps.at(1).module, QStringLiteral("kmr_consumer"));
    QVERIFY(p.steps.at(2).kind == StepPlainRmmod);
    QVERIFY(!p.taintsKernel());
    r.holders = {QStringLiteral("kmr_consumer")};
    const UnloadPlan partial = planUnload(d, kernel(), r);
    QVERIFY(partial.notes.join(QLatin1Char(' ')).contains(QStringLiteral("not ticked")));
}

void TestUnloadPlan::holderThatDoesNotHoldIsRefused()
{
    const Diagnosis d = diagnosis(QStringLiteral("kmr_provider"), ModuleState::Live, {});
    UnloadRequest r;
    r.module = d.module;
    r.holders = {QStringLiteral("ext4")};
    const UnloadPlan p = planUnload(d, kernel(), r);
    QVERIFY(p.refused);
    QVERIFY(p.refusal.contains(QStringLiteral("ext4 does not hold kmr_provider")));
    QVERIFY(p.steps.isEmpty());
}

void TestUnloadPlan::realUseRefusedUnlessOverridden()
{
    Diagnosis d = diagnosis(QStringLiteral("kmr_busychar"), ModuleState::Live,
        {finding(FindingKind::RealUse, {RemedyStep::StopUsers, RemedyStep::Rmmod})});
    ModuleUser u;
    u.what = QStringLiteral("/dev/kmr_busychar (char 240:0)");
    u.pid = 1234;
    u.command = QStringLiteral("sleep 3600");
    d.users << u;
    UnloadRequest r = defaultUnloadRequest(d, kernel());
    r.steps |= StepKernelForce | StepFixerRefcount;
    const UnloadPlan p = planUnload(d, kernel(), r);
    QVERIFY(p.refused);
    QVERIFY2(p.refusal.contains(QStringLiteral("really in use"))
            && p.refusal.contains(QStringLiteral("/dev/kmr_busychar")) && p.refusal.contains(QStringLiteral("1234")),
        qPrintable(p.refusal));
    QVERIFY(p.howToGoOn.contains(QStringLiteral("override")));
    r.overrideRealUse = true;
    const UnloadPlan o = planUnload(d, kernel(), r);
    QVERIFY2(!o.refused, qPrintable(o.refusal));
    QVERIFY(kinds(o).contains(StepKernelForce));
    QVERIFY(o.notes.join(QLatin1Char(' ')).contains(QStringLiteral("overrode")));
}

void TestUnloadPlan::refusals_data()
{
    QTest::addColumn<QString>("what");
    QTest::addColumn<QString>("refusal");
    QTest::addColumn<QString>("howToGoOn");
    QTest::newRow("modules_disabled") << QStringLiteral("modules_disabled") << QStringLiteral("modules_disabled is 1")
                                      << QStringLiteral("reboot");
    QTest::newRow("lockdown") << QStringLiteral("lockdown") << QStringLiteral("lockdown: integrity")
                              << QStringLiteral("mokutil --import");
    QTest::newRow("sig_enforce") << QStringLiteral("sig_enforce") << QStringLiteral("module.sig_enforce=Y")
                                 << QStringLiteral("DKMS");
    QTest::newRow("exit still running") << QStringLiteral("exit running") << QStringLiteral("still running")
                                        << QStringLiteral("wait for the rmmod");
    QTest::newRow("not loaded") << QStringLiteral("not loaded") << QStringLiteral("is not loaded")
                                << QStringLiteral("refresh");
}

void TestUnloadPlan::refusals()
{
    QFETCH(QString, what);
    QFETCH(QString, refusal);
    QFETCH(QString, howToGoOn);
    KernelFacts k = kernel();
    Diagnosis d = diagnosis(QStringLiteral("kmr_noexit"), ModuleState::Live,
        {finding(FindingKind::NoExitFunction, {RemedyStep::ForcedUnload, RemedyStep::FixerStubExit})});
    if (what == QLatin1String("modules_disabled"))
        k.modulesDisabled = Fact::of(QStringLiteral("1"));
    else if (what == QLatin1String("lockdown"))
        k.lockdown = Fact::of(QStringLiteral("integrity"));
    else if (what == QLatin1String("sig_enforce"))
        k.sigEnforce = Fact::of(QStringLiteral("Y"));
    else if (what == QLatin1String("exit running"))
        d.findings << finding(FindingKind::ExitStillRunning, {RemedyStep::Wait});
    else
        d.loaded = false;
    const UnloadPlan p = planUnload(d, k, defaultUnloadRequest(d, k));
    QVERIFY(p.refused);
    QVERIFY(p.steps.isEmpty());
    QVERIFY2(p.refusal.contains(refusal), qPrintable(p.refusal));
    QVERIFY2(p.howToGoOn.contains(howToGoOn), qPrintable(p.howToGoOn));
}

void TestUnloadPlan::kernelForceLeftOutWhereItDoesNotHelp()
{
    const Diagnosis d = diagnosis(QStringLiteral("kmr_exitoops"), ModuleState::Unloading,
        {finding(FindingKind::ExitCrashed, {RemedyStep::FixerSetLive, RemedyStep::FixerStubExit})});
    UnloadRequest r = defaultUnloadRequest(d, kernel());
    r.steps |= StepKernelForce;
    const UnloadPlan p = planUnload(d, kernel(), r);
    QVERIFY(!kinds(p).contains(StepKernelForce));
    QVERIFY(p.notes.join(QLatin1Char(' ')).contains(QStringLiteral("does not help here")));
}

void TestUnloadPlan::unknownStepBitsRefused()
{
    const Diagnosis d = diagnosis(QStringLiteral("kmr_a"), ModuleState::Live, {});
    UnloadRequest r;
    r.module = d.module;
    r.steps = 0x40;
    QVERIFY(planUnload(d, kernel(), r).refused);
    r.steps = 0;
    const UnloadPlan none = planUnload(d, kernel(), r);
    QVERIFY(none.refused);
    QVERIFY(none.refusal.contains(QStringLiteral("no step")));
}

QTEST_GUILESS_MAIN(TestUnloadPlan)
#include "tst_unloadplan.moc"
