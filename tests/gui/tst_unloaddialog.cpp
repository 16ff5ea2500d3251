// SPDX-License-Identifier: GPL-2.0-or-later
// The Force Unload plan dialog (gui/unload/unloaddialog.h), offscreen: what it shows and what it
// lets the user do before anything is sent to the helper. The helper itself is tested in
// tests/system (real dbus-daemon and polkitd) and tests/vm (real kernels).
#include "unload/unloaddialog.h"

#include <QCheckBox>
#include <QLabel>
#include <QPushButton>
#include <QTest>

using namespace kmr;

static KernelFacts kernel()
{
    KernelFacts k;
    k.forceUnload = Fact::of(QStringLiteral("y"));
    k.modulesDisabled = Fact::of(QStringLiteral("0"));
    k.lockdown = Fact::of(QStringLiteral("none"));
    k.sigEnforce = Fact::of(QStringLiteral("N"));
    return k;
}

static Diagnosis diagnosis(
    const QString &name, ModuleState state, FindingKind kind, QList<RemedyStep> steps, QStringList order = {})
{
    Diagnosis d;
    d.module = name;
    d.loaded = true;
    d.state = state;
    d.usersScanned = true;
    Finding f;
    f.kind = kind;
    f.severity = Severity::Blocker;
    f.steps = std::move(steps);
    f.unloadOrder = std::move(order);
    d.findings << f;
    return d;
}

static QString allLabels(const QWidget &w)
{
    QStringList t;
    for (const QLabel *l : w.findChildren<QLabel *>())
        if (l->isVisibleTo(&w))
            t << l->text();
    return t.join(QLatin1Char('\n'));
}

static QCheckBox *box(const QWidget &w, const QString &startsWith)
{
    for (QCheckBox *c : w.findChildren<QCheckBox *>())
        if (c->text().startsWith(startsWith))
            return c;
    return nullptr;
}

class TestUnloadDialog : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void leakedReferenceShowsForcedStepsAndTaint();
    void realUseIsRefusedUntilOverridden();
    void holdersAreOfferedUnticked();
    void initCrashedTicksTheStubExit();
};

void TestUnloadDialog::leakedReferenceShowsForcedStepsAndTaint()
{
    UnloadDialog d(diagnosis(QStringLiteral("kmr_victim"), ModuleState::Live, FindingKind::LeakedReference,
                       {RemedyStep::ForcedUnload, RemedyStep::FixerResetRefcount, RemedyStep::Rmmod}),
        kernel());
    d.show();
    QVERIFY(d.runButton()->isEnabled());
    const QString text = allLabels(d);
    QVERIFY2(text.contains(QStringLiteral("rmmod kmr_victim")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("forced unload of kmr_victim")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("The kernel will be tainted")), qPrintable(text));
    QVERIFY(!d.overrideBox()->isVisible()); // nobody really uses it
    // Plain rmmod alone: no taint warning any more.
    for (QCheckBox *c : d.findChildren<QCheckBox *>())
        c->setChecked(c->text() == QLatin1String("Plain rmmod"));
    QVERIFY(!allLabels(d).contains(QStringLiteral("The kernel will be tainted")));
    QCOMPARE(d.request().steps, quint32(StepPlainRmmod));
}

void TestUnloadDialog::realUseIsRefusedUntilOverridden()
{
    Diagnosis diag = diagnosis(QStringLiteral("kmr_busychar"), ModuleState::Live, FindingKind::RealUse,
        {RemedyStep::StopUsers, RemedyStep::Rmmod});
    ModuleUser u;
    u.what = QStringLiteral("/dev/kmr_busychar (char 246:0)");
    u.pid = 225;
    u.command = QStringLiteral("sleep 3600");
    diag.users << u;
    UnloadDialog d(diag, kernel());
    d.show();
    QVERIFY(!d.runButton()->isEnabled());
    QVERIFY(allLabels(d).contains(QStringLiteral("really in use")));
    QVERIFY(allLabels(d).contains(QStringLiteral("/dev/kmr_busychar")));
    QVERIFY(d.overrideBox()->isVisible());
    d.overrideBox()->setChecked(true);
    QVERIFY(d.runButton()->isEnabled());
    QVERIFY(d.request().overrideRealUse);
}

void TestUnloadDialog::holdersAreOfferedUnticked()
{
    UnloadDialog d(diagnosis(QStringLiteral("kmr_provider"), ModuleState::Live, FindingKind::HeldByModules,
                       {RemedyStep::UnloadHolders, RemedyStep::Rmmod}, {QStringLiteral("kmr_consumer")}),
        kernel());
    d.show();
    QCheckBox *holder = box(d, QStringLiteral("kmr_consumer"));
    QVERIFY(holder);
    QVERIFY(!holder->isChecked());
    QVERIFY(d.request().holders.isEmpty());
    holder->setChecked(true);
    QCOMPARE(d.request().holders, QStringList {QStringLiteral("kmr_consumer")});
    QVERIFY(allLabels(d).contains(QStringLiteral("rmmod kmr_consumer (holds kmr_provider)")));
}

void TestUnloadDialog::initCrashedTicksTheStubExit()
{
    UnloadDialog d(diagnosis(QStringLiteral("kmr_initoops"), ModuleState::Loading, FindingKind::InitCrashed,
                       {RemedyStep::FixerSetLive, RemedyStep::FixerResetRefcount, RemedyStep::Rmmod}),
        kernel());
    QCheckBox *stub = box(d, QStringLiteral("Fixer: replace the exit"));
    QVERIFY(stub);
    QVERIFY(stub->isChecked());
    stub->setChecked(false);
    QVERIFY(allLabels(d).contains(QStringLiteral("tears down what the crashed init never built")));
}

QTEST_MAIN(TestUnloadDialog)
#include "tst_unloaddialog.moc"
