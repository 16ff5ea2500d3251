// SPDX-License-Identifier: GPL-2.0-or-later
// The diagnosis on fixture roots (tests/fixtures/diagnosis, made by make-fixtures.sh from the lab's
// real .ko builds): every case of "why won't it unload?".
#include "diagnosis/diagnosis.h"
#include "diagnosis/diagnosisjson.h"
#include "diagnosis/oopscitation.h"
#include "snapshot/snapshotreader.h"

#include <QTest>

using namespace kmr;

Q_DECLARE_METATYPE(kmr::FindingKind)
Q_DECLARE_METATYPE(kmr::Severity)
Q_DECLARE_METATYPE(QList<kmr::RemedyStep>)

namespace {

QString fixtureRoot(const char *name)
{
    return QStringLiteral(KMR_FIXTURES "/diagnosis/") + QLatin1String(name);
}

Snapshot readFixture(const QString &root)
{
    SnapshotReader::Options o;
    o.root = root;
    return SnapshotReader(o).read();
}

// Oops excerpts shaped like the ones the lab's test modules cause (titles as OopsExtractor gives them).
QList<OopsCitation> labOopses()
{
    OopsCitation init;
    init.id = QStringLiteral("oops-1");
    init.title = QStringLiteral("BUG: kernel NULL pointer dereference in kmr_initoops_init");
    init.faultingFunction = QStringLiteral("kmr_initoops_init");
    init.faultingModule = QStringLiteral("kmr_initoops");
    init.implicatedModules = {QStringLiteral("kmr_initoops")};
    init.callTrace = {QStringLiteral("kmr_initoops_init+0x11/0x1000 [kmr_initoops]"),
        QStringLiteral("do_one_initcall+0x41/0x210"), QStringLiteral("do_init_module+0x4c/0x240")};
    init.lines = {QStringLiteral("BUG: kernel NULL pointer dereference, address: 0000000000000000"),
        QStringLiteral("RIP: 0010:kmr_initoops_init+0x11/0x1000 [kmr_initoops]")};
    OopsCitation exit;
    exit.id = QStringLiteral("oops-2");
    exit.title = QStringLiteral("BUG: kernel NULL pointer dereference in kmr_exitoops_exit");
    exit.faultingFunction = QStringLiteral("kmr_exitoops_exit");
    exit.faultingModule = QStringLiteral("kmr_exitoops");
    exit.implicatedModules = {QStringLiteral("kmr_exitoops")};
    exit.callTrace = {QStringLiteral("kmr_exitoops_exit+0x11/0x20 [kmr_exitoops]"),
        QStringLiteral("__do_sys_delete_module+0x1a8/0x2e0")};
    OopsCitation other; // implicates nobody we ask about
    other.id = QStringLiteral("oops-3");
    other.title = QStringLiteral("WARNING in dev_watchdog");
    other.faultingFunction = QStringLiteral("dev_watchdog");
    return {other, init, exit};
}

QStringList stepNames(const QList<RemedyStep> &steps)
{
    QStringList out;
    for (RemedyStep s : steps)
        out << toString(s);
    return out;
}

} // namespace

class TestDiagnosis : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fixturesExist()
    {
        for (const char *r : {"lab61", "locked", "rootview"})
            QVERIFY2(QFileInfo::exists(fixtureRoot(r) + QStringLiteral("/proc/modules")),
                qPrintable(QStringLiteral("missing fixture root ") + fixtureRoot(r)
                    + QStringLiteral(": run tests/fixtures/diagnosis/make-fixtures.sh")));
    }

    void diagnose_data()
    {
        QTest::addColumn<QString>("root");
        QTest::addColumn<QString>("module");
        QTest::addColumn<FindingKind>("kind");
        QTest::addColumn<Severity>("severity");
        QTest::addColumn<QList<RemedyStep>>("steps");
        QTest::addColumn<QString>("sentencePart"); // what the plain sentence must say
        QTest::addColumn<QString>("evidencePart"); // a value or source among the evidence
        QTest::addColumn<bool>("stuck");

        using S = RemedyStep;
        const QString lab = fixtureRoot("lab61");
        QTest::newRow("held by a holder") << lab << "kmr_provider" << FindingKind::HeldByModules << Severity::Blocker
                                          << QList<S> {S::UnloadHolders, S::Rmmod} << "held by kmr_consumer"
                                          << "/sys/module/kmr_provider/holders" << true;
        QTest::newRow("init crashed") << lab << "kmr_initoops" << FindingKind::InitCrashed << Severity::Blocker
                                      << QList<S> {S::FixerSetLive, S::FixerStubExit, S::FixerResetRefcount, S::Rmmod}
                                      << "in kmr_initoops_init"
                                      << "oops-1" << true;
        QTest::newRow("exit crashed") << lab << "kmr_exitoops" << FindingKind::ExitCrashed << Severity::Blocker
                                      << QList<S> {S::FixerSetLive, S::FixerStubExit, S::FixerResetRefcount, S::Rmmod}
                                      << "its exit crashed"
                                      << "oops-2" << true;
        QTest::newRow("exit still runs") << lab << "kmr_exithang" << FindingKind::ExitStillRunning << Severity::Blocker
                                         << QList<S> {S::Wait} << "state D"
                                         << "/proc/4343/wchan" << true;
        QTest::newRow("exit still runs, root view")
            << fixtureRoot("rootview") << "kmr-exithang" << FindingKind::ExitStillRunning << Severity::Blocker
            << QList<S> {S::Wait} << "pid 4343"
            << "kmr_exithang_exit+0x24/0x40 [kmr_exithang]" << true;
        QTest::newRow("no exit function")
            << lab << "kmr_noexit" << FindingKind::NoExitFunction << Severity::Blocker
            << QList<S> {S::ForcedUnload, S::FixerStubExit, S::Rmmod} << "no exit function"
            << "no cleanup_module" << true;
        QTest::newRow("no exit, no forced unload")
            << fixtureRoot("locked") << "kmr_noexit" << FindingKind::NoExitFunction << Severity::Blocker
            << QList<S> {S::FixerStubExit, S::Rmmod} << "no exit function"
            << "no cleanup_module" << true;
        QTest::newRow("self reference leaked")
            << lab << "kmr_selfref" << FindingKind::LeakedReference << Severity::Blocker
            << QList<S> {S::ForcedUnload, S::FixerResetRefcount, S::Rmmod} << "held by a reference"
            << "/sys/module/kmr_selfref/refcnt" << true;
        QTest::newRow("three references leaked")
            << lab << "kmr_refleak" << FindingKind::LeakedReference << Severity::Blocker
            << QList<S> {S::ForcedUnload, S::FixerResetRefcount, S::Rmmod} << "held by 3 references"
            << "none is its" << true;
        QTest::newRow("victim of another module's leak")
            << lab << "kmr_victim" << FindingKind::LeakedReference << Severity::Blocker
            << QList<S> {S::ForcedUnload, S::FixerResetRefcount, S::Rmmod} << "never given back"
            << "none" << true;
        QTest::newRow("leak, no forced unload")
            << fixtureRoot("locked") << "kmr_selfref" << FindingKind::LeakedReference << Severity::Blocker
            << QList<S> {S::FixerResetRefcount, S::Rmmod} << "held by a reference"
            << "1" << true;
        QTest::newRow("open device node")
            << lab << "kmr_busychar" << FindingKind::RealUse << Severity::Blocker << QList<S> {S::StopUsers, S::Rmmod}
            << "/dev/kmr_busychar (char 240:0), open in pid 4242"
            << "/proc/4242/fd/3" << true;
        QTest::newRow("mounted file system") << lab << "kmrfs" << FindingKind::RealUse << Severity::Blocker
                                             << QList<S> {S::StopUsers, S::Rmmod} << "/mnt/kmr (kmrfs"
                                             << "/proc/4444/cwd" << true;
        QTest::newRow("network interface") << lab << "kmr_net" << FindingKind::RealUse << Severity::Warning
                                           << QList<S> {S::StopUsers, S::Rmmod} << "kmrnet0 (up)"
                                           << "/sys/class/net/kmrnet0/device/driver/module" << false;
        QTest::newRow("compiler mismatch")
            << lab << "kmr_oldcc" << FindingKind::CompilerMismatch << Severity::Warning << QList<S> {S::Rebuild}
            << "built with GCC 11.3.0, the running kernel with GCC 12.2.0"
            << "GCC: (Debian 11.3.0-12) 11.3.0" << false;
        QTest::newRow("vermagic mismatch") << lab << "kmr_refloop" << FindingKind::VermagicMismatch << Severity::Warning
                                           << QList<S> {S::Rebuild} << "built for kernel 6.12.117+deb12-amd64"
                                           << "6.1.0-56-amd64" << false;
        QTest::newRow("clean module") << lab << "kmr_fresh" << FindingKind::Unloadable << Severity::Info
                                      << QList<S> {S::Rmmod} << "rmmod should remove it"
                                      << "0" << false;
        QTest::newRow("holder itself is free") << lab << "kmr_consumer" << FindingKind::Unloadable << Severity::Info
                                               << QList<S> {S::Rmmod} << "Nothing keeps kmr_consumer"
                                               << "0" << false;
        QTest::newRow("forced unload available") << lab << "kmr_noexit" << FindingKind::ForcedUnload << Severity::Info
                                                 << QList<S> {S::ForcedUnload} << "CONFIG_MODULE_FORCE_UNLOAD=y"
                                                 << "y" << true;
        QTest::newRow("forced unload missing") << fixtureRoot("locked") << "kmr_selfref" << FindingKind::ForcedUnload
                                               << Severity::Info << QList<S> {} << "no forced unload"
                                               << "n" << true;
        QTest::newRow("modules_disabled") << fixtureRoot("locked") << "kmr_selfref" << FindingKind::RepairBlocked
                                          << Severity::Blocker << QList<S> {} << "modules_disabled is 1"
                                          << "/proc/sys/kernel/modules_disabled" << true;
        QTest::newRow("not loaded") << lab << "kmr_nosuch" << FindingKind::NotLoaded << Severity::Info << QList<S> {}
                                    << "kmr_nosuch is not loaded"
                                    << "/proc/modules" << false;
    }

    void diagnose()
    {
        QFETCH(QString, root);
        QFETCH(QString, module);
        QFETCH(FindingKind, kind);
        QFETCH(Severity, severity);
        QFETCH(QList<RemedyStep>, steps);
        QFETCH(QString, sentencePart);
        QFETCH(QString, evidencePart);
        QFETCH(bool, stuck);

        const Snapshot s = readFixture(root);
        Diagnoser::Options o;
        o.root = root;
        Diagnoser diagnoser(s, o);
        diagnoser.setOopses(labOopses());
        const Diagnosis d = diagnoser.diagnose(module);
        QStringList kinds;
        for (const Finding &f : d.findings)
            kinds << toString(f.kind) + QLatin1Char(':') + f.sentence;
        const Finding *f = d.find(kind);
        QVERIFY2(f,
            qPrintable(QStringLiteral("no ") + toString(kind) + QStringLiteral(" finding; got: ")
                + kinds.join(QStringLiteral(" | "))));
        QCOMPARE(toString(f->severity), toString(severity));
        QCOMPARE(stepNames(f->steps), stepNames(steps));
        QVERIFY2(f->sentence.contains(sentencePart), qPrintable(f->sentence));
        bool found = false;
        QStringList ev;
        for (const Evidence &e : f->evidence) {
            ev << e.source + QStringLiteral(" = ") + e.value + QStringLiteral(" / ") + e.detail.join(QLatin1Char(';'));
            found = found || e.value.contains(evidencePart) || e.source.contains(evidencePart)
                || e.oopsId == evidencePart || e.detail.contains(evidencePart);
        }
        QVERIFY2(found,
            qPrintable(QStringLiteral("no evidence with '") + evidencePart + QStringLiteral("': ")
                + ev.join(QStringLiteral(" | "))));
        QCOMPARE(d.stuck(), stuck);
        if (stuck && kind != FindingKind::NotLoaded)
            QVERIFY2(d.findings.first().severity == Severity::Blocker, "blockers come first");
        if (f->severity != Severity::Info || f->kind == FindingKind::Unloadable)
            QVERIFY2(!f->remedy.isEmpty(), "every problem says what to do");
    }

    void compilerMatchGivesNoFinding()
    {
        // Built with the kernel's own compiler: "GCC: (Debian 12.2.0-14+deb12u1) 12.2.0" against
        // /proc/version's "gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0".
        const Snapshot s = readFixture(fixtureRoot("lab61"));
        const ModuleInfo *m = s.find(QStringLiteral("kmr_fresh"));
        QVERIFY(m);
        QVERIFY2(m->compiler.known(), qPrintable(m->compiler.display()));
        Diagnoser d(s, Diagnoser::Options {fixtureRoot("lab61"), true});
        for (const char *name : {"kmr_fresh", "kmr_provider", "kmr_noexit", "kmr_busychar"})
            QVERIFY2(!d.diagnose(QLatin1String(name)).has(FindingKind::CompilerMismatch), name);
    }

    void exitHangStackNeedsHelper()
    {
        const Snapshot s = readFixture(fixtureRoot("lab61"));
        Diagnoser d(s, Diagnoser::Options {fixtureRoot("lab61"), true});
        const Diagnosis diag = d.diagnose(QStringLiteral("kmr_exithang"));
        const Finding *f = diag.find(FindingKind::ExitStillRunning);
        QVERIFY(f);
        bool needsHelper = false;
        for (const Evidence &e : f->evidence)
            needsHelper = needsHelper || (e.needsHelper && e.source == QLatin1String("/proc/4343/stack"));
        QVERIFY2(needsHelper, "an unreadable kernel stack is marked as needing the helper");
    }

    void holderUnloadOrderIsDeepestFirst()
    {
        // a is held by b and c; b is held by d; d is held by c.  Unload c, d, b first (c before d, d before b).
        Snapshot s;
        auto add = [&s](const char *name, QStringList holders) {
            ModuleInfo m;
            m.name = QLatin1String(name);
            m.state = ModuleState::Live;
            m.holders = holders;
            m.refcount = int(holders.size());
            s.modules << m;
        };
        add("a", {QStringLiteral("b"), QStringLiteral("c")});
        add("b", {QStringLiteral("d")});
        add("c", {});
        add("d", {QStringLiteral("c")});
        QString warning;
        const QStringList order = holderUnloadOrder(s, QStringLiteral("a"), &warning);
        QCOMPARE(order.size(), 3);
        QVERIFY(warning.isEmpty());
        QVERIFY(order.indexOf(QStringLiteral("c")) < order.indexOf(QStringLiteral("d")));
        QVERIFY(order.indexOf(QStringLiteral("d")) < order.indexOf(QStringLiteral("b")));
        Diagnoser diag(s, Diagnoser::Options {QStringLiteral("/nonexistent"), false});
        const Diagnosis da = diag.diagnose(QStringLiteral("a"));
        const Finding *f = da.find(FindingKind::HeldByModules);
        QVERIFY(f);
        QCOMPARE(f->unloadOrder, order);
        QVERIFY2(f->remedy.contains(QStringLiteral("in this order")), qPrintable(f->remedy));

        // A cycle (cannot happen in a sane kernel, but a bundle may say anything) is reported, not looped on.
        s.modules[2].holders = {QStringLiteral("a")};
        holderUnloadOrder(s, QStringLiteral("a"), &warning);
        QVERIFY2(warning.contains(QStringLiteral("cycle")), qPrintable(warning));
    }

    void leakTakerIsNamed()
    {
        const Snapshot s = readFixture(fixtureRoot("lab61"));
        Diagnoser d(s, Diagnoser::Options {fixtureRoot("lab61"), true});
        d.setReferenceTakers(QStringLiteral("kmr_victim"),
            {ReferenceTaker {QStringLiteral("kmr_leaker"), QStringLiteral("kmr_leaker_init+0x1c [kmr_leaker]"), 1}});
        const Diagnosis diag = d.diagnose(QStringLiteral("kmr_victim"));
        const Finding *f = diag.find(FindingKind::LeakedReference);
        QVERIFY(f);
        QCOMPARE(f->sentence,
            QStringLiteral("kmr_victim is held by a reference that kmr_leaker took and never gave back. Still held "
                           "when the trace ended: 1 taken at kmr_leaker_init+0x1c [kmr_leaker]."));
        QVERIFY2(f->remedy.contains("The fix belongs in the code at kmr_leaker_init+0x1c [kmr_leaker]"),
            qPrintable(f->remedy));
        // A call site that gave back all it took is no taker: the sentence and remedy stay general.
        d.setReferenceTakers(QStringLiteral("kmr_victim"),
            {ReferenceTaker {QStringLiteral("kmr_leaker"), QStringLiteral("kmr_leaker_init+0x1c [kmr_leaker]"), 0}});
        const Diagnosis balanced = d.diagnose(QStringLiteral("kmr_victim"));
        const Finding *none = balanced.find(FindingKind::LeakedReference);
        QVERIFY(none);
        QVERIFY2(!none->sentence.contains("kmr_leaker"), qPrintable(none->sentence));
        QVERIFY2(
            none->remedy.contains("trace module_get and module_put in the Refcount tab"), qPrintable(none->remedy));
    }

    void absurdRefcountPointsAtCompiler()
    {
        Snapshot s = readFixture(fixtureRoot("lab61"));
        for (ModuleInfo &m : s.modules)
            if (m.name == QLatin1String("kmr_oldcc"))
                m.refcount = 19660798;
        Diagnoser d(s, Diagnoser::Options {fixtureRoot("lab61"), true});
        const Diagnosis diag = d.diagnose(QStringLiteral("kmr_oldcc"));
        const Finding *leak = diag.find(FindingKind::LeakedReference);
        QVERIFY(leak);
        QVERIFY2(leak->sentence.contains(QStringLiteral("compiler mismatch")), qPrintable(leak->sentence));
        const Finding *cc = diag.find(FindingKind::CompilerMismatch);
        QVERIFY(cc);
        QVERIFY(cc->sentence.contains(QStringLiteral("19660798")));
    }

    void withoutSystemScan()
    {
        // A snapshot from another machine: users cannot be looked for, and the diagnosis says so.
        const Snapshot s = readFixture(fixtureRoot("lab61"));
        Diagnoser d(s, Diagnoser::Options {fixtureRoot("lab61"), false});
        const Diagnosis diag = d.diagnose(QStringLiteral("kmr_busychar"));
        QVERIFY(!diag.usersScanned);
        const Finding *f = diag.find(FindingKind::LeakedReference);
        QVERIFY(f);
        QVERIFY(std::any_of(f->evidence.begin(), f->evidence.end(),
            [](const Evidence &e) { return e.value.contains(QStringLiteral("not scanned")); }));
        // kmr_busychar is really held by an open file on that machine: the sentence must not claim
        // that no open file accounts for the reference, only that nobody looked.
        QVERIFY2(!f->sentence.contains(QStringLiteral("open file, mount or network interface accounts for")),
            qPrintable(f->sentence));
        QVERIFY2(f->sentence.contains(QStringLiteral("were not looked for")), qPrintable(f->sentence));
    }

    void lockdownAndSignatures()
    {
        const Snapshot s = readFixture(fixtureRoot("locked"));
        Diagnoser d(s, Diagnoser::Options {fixtureRoot("locked"), true});
        const Diagnosis diag = d.diagnose(QStringLiteral("kmr_noexit"));
        int blocked = 0;
        for (const Finding &f : diag.findings) {
            if (f.kind != FindingKind::RepairBlocked)
                continue;
            ++blocked;
            if (f.severity == Severity::Warning) {
                QVERIFY2(f.sentence.contains(QStringLiteral("lockdown (integrity)")), qPrintable(f.sentence));
                QVERIFY2(f.sentence.contains(QStringLiteral("signature enforcement")), qPrintable(f.sentence));
                QVERIFY(f.remedy.contains(QStringLiteral("mokutil")));
            }
        }
        QCOMPARE(blocked, 2);
    }

    void realOopsFromTheLab_data()
    {
        QTest::addColumn<QString>("log");
        QTest::addColumn<QString>("module");
        QTest::addColumn<FindingKind>("kind");
        QTest::addColumn<QString>("function");
        for (const char *k : {"6.1", "6.12"}) {
            const QString kernel = QLatin1String(k);
            QTest::addRow("init oops %s", k) << QStringLiteral("initoops-") + kernel + QStringLiteral(".txt")
                                             << "kmr_initoops" << FindingKind::InitCrashed << "kmr_initoops_init";
            QTest::addRow("exit oops %s", k) << QStringLiteral("exitoops-") + kernel + QStringLiteral(".txt")
                                             << "kmr_exitoops" << FindingKind::ExitCrashed << "kmr_exitoops_exit";
            QTest::addRow("exit oops %s, raw kmsg", k)
                << QStringLiteral("exitoops-") + kernel + QStringLiteral(".kmsg") << "kmr_exitoops"
                << FindingKind::ExitCrashed << "kmr_exitoops_exit";
        }
    }

    void realOopsFromTheLab()
    {
        // Kernel logs the lab captured on real 6.1 and 6.12 kernels (tests/fixtures/kmsg), read by
        // core/kernellog and cited by the diagnosis.
        QFETCH(QString, log);
        QFETCH(QString, module);
        QFETCH(FindingKind, kind);
        QFETCH(QString, function);
        const QString path = QStringLiteral(KMR_FIXTURES "/kmsg/") + log;
        QVERIFY2(QFileInfo::exists(path),
            qPrintable(path + QStringLiteral(" is missing (tests/vm/capture-fixtures makes it)")));
        QString why;
        const QList<OopsCitation> oopses = readOopsCitations(QStringLiteral("/"), path, &why);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        QVERIFY(!oopses.isEmpty());
        const Snapshot s = readFixture(fixtureRoot("lab61"));
        Diagnoser d(s, Diagnoser::Options {fixtureRoot("lab61"), true});
        d.setOopses(oopses);
        const Diagnosis diag = d.diagnose(module);
        const Finding *f = diag.find(kind);
        QVERIFY2(f, qPrintable(toString(kind) + QStringLiteral(" not found for ") + module));
        QVERIFY2(f->sentence.contains(function), qPrintable(f->sentence));
        const auto oops = std::find_if(
            f->evidence.begin(), f->evidence.end(), [](const Evidence &e) { return e.kind == Evidence::Kind::Oops; });
        QVERIFY(oops != f->evidence.end());
        QVERIFY(oops->oopsId.startsWith(QStringLiteral("oops-")));
        QVERIFY2(oops->detail.join(QLatin1Char('\n')).contains(QStringLiteral("RIP: 0010:") + function),
            qPrintable(oops->detail.join(QLatin1Char('\n'))));
    }

    void jsonRoundTrip()
    {
        const Snapshot s = readFixture(fixtureRoot("lab61"));
        Diagnoser d(s, Diagnoser::Options {fixtureRoot("lab61"), true});
        d.setOopses(labOopses());
        const QList<Diagnosis> all = d.diagnoseAll();
        QCOMPARE(all.size(), s.modules.size());
        for (const Diagnosis &diag : all) {
            const QJsonObject o = toJson(diag);
            QCOMPARE(o.value(QStringLiteral("version")).toInt(), DiagnosisSchemaVersion);
            Diagnosis back;
            QString error;
            QVERIFY2(fromJson(o, &back, &error), qPrintable(error));
            QCOMPARE(back, diag);
        }
        QJsonObject bad = toJson(all.first());
        bad.insert(QStringLiteral("version"), 99);
        Diagnosis out;
        QString error;
        QVERIFY(!fromJson(bad, &out, &error));
        QVERIFY2(error.contains(QStringLiteral("version 99")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestDiagnosis)
#include "tst_diagnosis.moc"
