// SPDX-License-Identifier: GPL-2.0-or-later
// Who took the references a module still holds: a recorded get/put trace (the sample bundle's,
// recorded in the lab on 6.12 while kmr_refleak leaked 3 references) read from a file or a
// bundle, turned into the diagnosis' ReferenceTakers, and the leak finding that names them.
#include "bundle/bundlecontents.h"
#include "bundle/bundlerecordings.h"
#include "diagnosis/referencetakers.h"
#include "refcount/tracefile.h"

#include "../labtrace.h"

#include <QTemporaryDir>
#include <QTest>

using namespace kmr;

namespace {

const QString kLeakSite = QStringLiteral("kmr_refleak_set_leak+0x5d/0xa0 [kmr_refleak]");
const QString kSampleTrace = QStringLiteral(KMR_FIXTURES "/refcount/sample-refleak-6.12.trace");

bundle::BundleContents openSample()
{
    bundle::BundleContents c;
    bundle::BundleError error = bundle::BundleError::None;
    QString message;
    if (!bundle::openBundle(
            QStringLiteral(KMR_SOURCE_DIR "/resources/samples/sample.kmrbundle.tar.gz"), &c, &error, &message))
        qFatal("the sample bundle resources/samples/sample.kmrbundle.tar.gz cannot be opened: %s", qPrintable(message));
    return c;
}

} // namespace

class TestReferenceTakers : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;

private Q_SLOTS:
    void rowsStillHoldingAreTakers()
    {
        LeakRow leak {QStringLiteral("kmr_leaker_take+0x1c/0x40 [kmr-leaker]"), 3, 1, 2};
        LeakRow balanced {QStringLiteral("kmr_leaker_ok+0x10/0x20 [kmr_leaker]"), 4, 4, 0};
        LeakRow core {QStringLiteral("do_init_module+0x4c/0x240"), 1, 0, 1};
        const QList<ReferenceTaker> t = referenceTakers(QList<LeakRow> {leak, balanced, core});
        QCOMPARE(t.size(), 2);
        QCOMPARE(t.at(0).module, QStringLiteral("kmr_leaker")); // '_' form
        QCOMPARE(t.at(0).callSite, leak.callSite);
        QCOMPARE(t.at(0).imbalance, 2); // still held, not gets minus puts
        QCOMPARE(t.at(1).module, QString()); // core kernel code: no [module]
        QCOMPARE(t.at(1).imbalance, 1);
    }

    void sampleTraceFileIsTheSamplesTrace()
    {
        RecordedTrace fromFile;
        QString why;
        QVERIFY2(readTraceFile(kSampleTrace, &fromFile, &why), qPrintable(why));
        RecordedTrace fromBundle;
        QVERIFY2(bundle::recordedTrace(openSample(), &fromBundle, &why), qPrintable(why));
        QCOMPARE(fromBundle.events.size(), 13);
        QCOMPARE(fromFile.module, fromBundle.module);
        QVERIFY(fromFile.events == fromBundle.events);
    }

    void sampleTraceNamesTheLeakingCallSite()
    {
        const bundle::BundleContents sample = openSample();
        RecordedTrace trace;
        QString why;
        QVERIFY2(bundle::recordedTrace(sample, &trace, &why), qPrintable(why));
        const QList<ReferenceTaker> takers = referenceTakers(trace);
        QCOMPARE(takers.size(), 1); // the balanced get/put sites hold nothing
        QCOMPARE(takers.first(), (ReferenceTaker {QStringLiteral("kmr_refleak"), kLeakSite, 3}));

        // The sample's snapshot, diagnosed here (as for a bundle: no system scan).
        Diagnoser with(sample.snapshot, Diagnoser::Options {QString(), false});
        with.setReferenceTakers(trace.module, takers);
        const Diagnosis traced = with.diagnose(QStringLiteral("kmr_refleak"));
        const Finding *f = traced.find(FindingKind::LeakedReference);
        QVERIFY(f);
        QCOMPARE(f->sentence,
            QStringLiteral("kmr_refleak is held by 3 references that kmr_refleak took and never gave back. Still held "
                           "when the trace ended: 3 taken at kmr_refleak_set_leak+0x5d/0xa0 [kmr_refleak]."));
        bool cited = false;
        for (const Evidence &e : f->evidence)
            cited = cited
                || (e.label == QLatin1String("traced call site")
                    && e.value == kLeakSite + QStringLiteral(": 3 taken here, still held when the trace ended"));
        QVERIFY(cited);

        Diagnoser without(sample.snapshot, Diagnoser::Options {QString(), false});
        const Diagnosis untraced = without.diagnose(QStringLiteral("kmr_refleak"));
        const Finding *g = untraced.find(FindingKind::LeakedReference);
        QVERIFY(g);
        QVERIFY2(!g->sentence.contains(QStringLiteral("kmr_refleak_set_leak")), qPrintable(g->sentence));
        for (const Evidence &e : g->evidence)
            QVERIFY2(e.label != QLatin1String("traced call site"), qPrintable(e.value));
    }

    void anotherModulesTraceNamesNothing()
    {
        RecordedTrace trace;
        QString why;
        QVERIFY(readTraceFile(kSampleTrace, &trace, &why));
        trace.module = QStringLiteral("kmr_victim"); // its events are kmr_refleak's: none counts
        QVERIFY(referenceTakers(trace).isEmpty());
    }

    void unreadableOrEmptyTraceSaysWhatToGive()
    {
        RecordedTrace t;
        QString why;
        QVERIFY(!readTraceFile(m_tmp.filePath("missing.trace"), &t, &why));
        QVERIFY2(why.startsWith("cannot read the trace " + m_tmp.filePath("missing.trace")), qPrintable(why));
        const QString empty = m_tmp.filePath("empty.trace");
        QFile f(empty);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("# tracer: nop\nsh-1 [000] ..... 1.000000: module_get: kmr_x refcnt=2\n");
        f.close();
        QVERIFY(!readTraceFile(empty, &t, &why));
        QVERIFY2(why.contains("holds no module_get/module_put event"), qPrintable(why));
        QVERIFY2(why.contains("trace_pipe"), qPrintable(why));
        QVERIFY(t.events.isEmpty());
    }

    void tracetoolLinesAreRead()
    {
        // kmr-tracetool prefixes its lines with "EVENT ": the lab's 6.12 trace, 3 leaked.
        const QString file = m_tmp.filePath("tool.trace");
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        for (const QString &l : testdata::kLabTrace612)
            f.write("EVENT " + l.toUtf8() + '\n');
        f.close();
        RecordedTrace t;
        QString why;
        QVERIFY2(readTraceFile(file, &t, &why), qPrintable(why));
        QCOMPARE(t.events.size(), testdata::kLabTrace612.size());
        QCOMPARE(t.module, QStringLiteral("kmr_refleak"));
        QCOMPARE(referenceTakers(t).value(0).imbalance, 3);
    }
};

QTEST_GUILESS_MAIN(TestReferenceTakers)
#include "tst_referencetakers.moc"
