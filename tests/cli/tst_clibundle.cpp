// SPDX-License-Identifier: GPL-2.0-or-later
// kmodrescue-cli bundle and --bundle: a bundle written on one "machine" (a fixture root) gives the
// same list, diagnosis and oops output as that machine did; bad bundles exit 6 with the reason.
#include "clirun.h"

#include "../labtrace.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

class TestCliBundle : public QObject
{
    Q_OBJECT
    static CliRun run(const QStringList &args) { return runCli(args); }

    QTemporaryDir m_tmp;
    QString m_bundle;
    const QString m_root = QStringLiteral(KMR_FIXTURES "/roots/lab-6.1");
    const QString m_log = QStringLiteral(KMR_FIXTURES "/kmsg/all-6.1.kmsg");

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(QStringLiteral(KMR_CLI)), "kmodrescue-cli is not built");
        m_bundle = m_tmp.filePath("lab.tar.gz");
        const CliRun r = run({"--root", m_root, "bundle", "-o", m_bundle, "--log", m_log});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains(QByteArray(QByteArray("wrote ") + m_bundle.toUtf8())));
        QVERIFY(QFile::exists(m_bundle));
    }

    void listShowDiagnoseOopsMatchTheMachine_data()
    {
        QTest::addColumn<QStringList>("live");
        QTest::addColumn<QStringList>("fromBundle");
        QTest::newRow("list") << QStringList {"--root", m_root, "list"} << QStringList {"list"};
        QTest::newRow("show") << QStringList {"--root", m_root, "show", "kmr_victim"}
                              << QStringList {"show", "kmr_victim"};
        QTest::newRow("diagnose exitoops") << QStringList {"--root", m_root, "diagnose", "kmr_exitoops", "--log", m_log}
                                           << QStringList {"diagnose", "kmr_exitoops"};
        QTest::newRow("diagnose initoops") << QStringList {"--root", m_root, "diagnose", "kmr_initoops", "--log", m_log}
                                           << QStringList {"diagnose", "kmr_initoops"};
        QTest::newRow("oops") << QStringList {"oops", m_log} << QStringList {"oops"};
    }

    void listShowDiagnoseOopsMatchTheMachine()
    {
        QFETCH(QStringList, live);
        QFETCH(QStringList, fromBundle);
        const CliRun a = run(live);
        const CliRun b = run(QStringList {"--bundle", m_bundle} + fromBundle);
        QCOMPARE(b.exitCode, a.exitCode);
        QVERIFY2(b.err.isEmpty(), b.err.constData());
        QByteArray expected = a.out;
        expected.replace(m_log.toUtf8(), m_bundle.toUtf8()); // oops names its source
        QCOMPARE(QString::fromUtf8(b.out), QString::fromUtf8(expected));
    }

    void badBundleExitsSix()
    {
        const QString bad = m_tmp.filePath("bad.tar.gz");
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a bundle");
        f.close();
        for (const char *cmd : {"list", "oops"}) {
            const CliRun r = run({"--bundle", bad, QString::fromLatin1(cmd)});
            QCOMPARE(r.exitCode, 6);
            QVERIFY2(r.err.contains("not a kmodrescue bundle"), r.err.constData());
            QVERIFY2(r.err.endsWith(" Open the .tar.gz that `kmodrescue-cli bundle` or File > Export Diagnostic "
                                    "Bundle wrote.\n"),
                r.err.constData());
        }
        const CliRun d = run({"--bundle", bad, "diagnose", "kmr_victim"});
        QCOMPARE(d.exitCode, 6);
    }

    // Each path that cannot be opened: exit 6, the path, and what to do next.
    void unopenablePathSaysWhatToDo_data()
    {
        QTest::addColumn<QString>("option");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("expectedError");
        const QString missing = m_tmp.filePath("no-such-bundle.tar.gz");
        const QString noSos = m_tmp.filePath("no-such-sosreport.tar.xz");
        QTest::newRow("missing bundle") << "--bundle" << missing
                                        << missing + ": no such file or directory. Check the path and the name.";
        QTest::newRow("missing sosreport")
            << "--sosreport" << noSos << noSos + ": no such file or directory. Check the path and the name.";
        const QString root = QStringLiteral(KMR_FIXTURES "/roots/lab-6.1");
        QTest::newRow("a root tree, not a sosreport") << "--sosreport" << root
                                                      << root
                + ": not a sosreport: none of sos's own files (version.txt, sos_reports/, sos_commands/) is in it. "
                  "Open the .tar.xz that `sos report` wrote or the directory it unpacks to (a copied root tree opens "
                  "with --root DIR).";
    }
    void unopenablePathSaysWhatToDo()
    {
        QFETCH(QString, option);
        QFETCH(QString, path);
        QFETCH(QString, expectedError);
        const CliRun r = run({option, path, "list"});
        QCOMPARE(r.exitCode, 6);
        QCOMPARE(QString::fromUtf8(r.err), "kmodrescue-cli: cannot open " + expectedError + "\n");
        QVERIFY(r.out.isEmpty());
    }

    void showRedactionsWritesNothing()
    {
        const QString file = m_tmp.filePath("never.tar.gz");
        const CliRun r = run({"--root", m_root, "bundle", "kmr_exitoops", "--log", m_log, "--show-redactions"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("serial") || r.out.contains("nothing to redact"), r.out.constData());
        QVERIFY(!QFile::exists(file));
    }

    void usageErrors()
    {
        QCOMPARE(run({"--root", m_root, "bundle", "kmr_victim"}).exitCode, 2); // no -o
        QCOMPARE(run({"--root", m_root, "bundle", "no_such_mod", "-o", m_tmp.filePath("x.tar.gz")}).exitCode, 3);
        QVERIFY(!QFile::exists(m_tmp.filePath("x.tar.gz")));
    }

    void sampleIsTheLabsRecording()
    {
        const CliRun list = run({"--sample", "list"});
        QVERIFY2(list.exitCode == 0, list.err.constData());
        for (const char *m : {"kmr_busychar", "kmr_exitoops", "kmr_initoops", "kmr_refleak", "kmr_noexit"})
            QVERIFY2(list.out.contains(m), m);
        QVERIFY2(
            list.err.contains("SAMPLE: Sample recorded in the kmodrescue lab on Linux 6.12"), list.err.constData());
        QVERIFY(list.err.contains("not this machine"));
        // The recorded diagnosis: the process that holds the device, seen only on the lab's machine.
        const CliRun diag = run({"--sample", "diagnose", "kmr_busychar"});
        QVERIFY2(diag.exitCode == 0, diag.err.constData());
        QVERIFY2(diag.out.contains("(sleep 3600)"), diag.out.constData());
        const CliRun oops = run({"--sample", "oops"});
        QVERIFY(oops.out.contains("kmr_exitoops_exit") && oops.out.contains("kmr_initoops_init"));
    }

    void recordingsTravelInTheBundle()
    {
        const QString trace = m_tmp.filePath("refleak.trace");
        const QString unload = m_tmp.filePath("unload.json");
        QFile t(trace);
        QVERIFY(t.open(QIODevice::WriteOnly));
        t.write("# tracer: nop\n");
        for (const QString &l : kmr::testdata::kLabTrace612) // kmr-tracetool's form and trace_pipe's
            t.write((l.contains("module_put") ? "EVENT " : "") + l.toUtf8() + '\n');
        t.close();
        QFile u(unload);
        QVERIFY(u.open(QIODevice::WriteOnly));
        u.write(R"({"plan": {"module": "kmr_refleak", "refused": true}, "error": {"message": "refused"}})");
        u.close();
        const QString file = m_tmp.filePath("recorded.tar.gz");
        const CliRun r = run({"--root", m_root, "bundle", "kmr_refleak", "-o", file, "--watch", "0.3", "--rate", "20",
            "--trace-file", trace, "--unload-log", unload, "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.err.contains("sampling refcounts at 20 Hz for 0.3 s"), r.err.constData());
        for (const char *m : {"\"refcount/history.json\"", "\"refcount/trace.json\"", "\"unload/plan.json\""})
            QVERIFY2(r.out.contains(m), m);

        QVERIFY(t.open(QIODevice::WriteOnly | QIODevice::Truncate));
        t.write("no events here\n");
        t.close();
        const CliRun bad = run({"--root", m_root, "bundle", "kmr_refleak", "-o", file, "--trace-file", trace});
        QCOMPARE(bad.exitCode, 6);
        QVERIFY2(bad.err.contains("holds no module_get/module_put event"), bad.err.constData());
        const CliRun badLog = run({"--root", m_root, "bundle", "kmr_refleak", "-o", file, "--unload-log", trace});
        QCOMPARE(badLog.exitCode, 6);
        QVERIFY2(badLog.err.contains("is not an unload log"), badLog.err.constData());
        const CliRun badWatch = run({"--root", m_root, "bundle", "-o", file, "--watch", "soon"});
        QCOMPARE(badWatch.exitCode, 2);
        QVERIFY2(badWatch.err.contains("give seconds"), badWatch.err.constData());
    }

    // Who took the references: --trace-file, a bundle's own trace, and the diagnosis a bundle records.
    void diagnosisNamesTheTracedCallSites()
    {
        const QString trace = QStringLiteral(KMR_FIXTURES "/refcount/sample-refleak-6.12.trace");
        const QByteArray site = "3 taken at kmr_refleak_set_leak+0x5d/0xa0 [kmr_refleak]";
        const QString lab612 = QStringLiteral(KMR_FIXTURES "/roots/lab-6.12"); // the trace's kernel
        // The sample was recorded with its trace: its recorded diagnosis names the call site and the
        // count. Given the trace again, the sample's snapshot is diagnosed again, to the same finding.
        const QByteArray sentence = QByteArray("kmr_refleak is held by 3 references that kmr_refleak took and never "
                                               "gave back. Still held when the trace ended: ")
            + site;
        const CliRun recorded = run({"--sample", "diagnose", "kmr_refleak"});
        QVERIFY2(recorded.exitCode == 0, recorded.err.constData());
        QVERIFY2(recorded.out.contains(sentence), recorded.out.constData());
        const CliRun traced = run({"--sample", "diagnose", "kmr_refleak", "--trace-file", trace});
        QVERIFY2(traced.exitCode == 0, traced.err.constData());
        QVERIFY2(traced.out.contains(sentence), traced.out.constData());
        // ...and it is that new diagnosis, not the recorded one printed again (which looked for users).
        QVERIFY2(traced.out.contains("users looked for: not scanned"), traced.out.constData());
        // Another module's diagnosis says the trace is not of it.
        const CliRun other = run({"--root", lab612, "diagnose", "kmr_victim", "--trace-file", trace});
        QVERIFY2(other.out.contains("traces kmr_refleak, not kmr_victim"), other.out.constData());

        // A bundle of kmr_victim carrying kmr_refleak's trace: kmr_refleak has no recorded diagnosis,
        // so it is diagnosed from the bundle's snapshot with the bundle's trace.
        const QString victim = m_tmp.filePath("victim-traced.tar.gz");
        QVERIFY(run({"--root", lab612, "bundle", "kmr_victim", "-o", victim, "--trace-file", trace}).exitCode == 0);
        const CliRun fromTrace = run({"--bundle", victim, "diagnose", "kmr_refleak"});
        QVERIFY2(fromTrace.out.contains(site), fromTrace.out.constData());

        // Exported with the trace: the diagnosis recorded in the bundle (made with the system scan,
        // usersScanned) names the call site.
        const QString refleak = m_tmp.filePath("refleak-traced.tar.gz");
        QVERIFY(run({"--root", lab612, "bundle", "kmr_refleak", "-o", refleak, "--trace-file", trace}).exitCode == 0);
        const CliRun exported = run({"--bundle", refleak, "diagnose", "kmr_refleak", "--json"});
        QVERIFY2(exported.out.contains(site), exported.out.constData());
        QVERIFY2(exported.out.contains("\"usersScanned\": true"), exported.out.constData());
        const QString plain = m_tmp.filePath("refleak.tar.gz");
        QVERIFY(run({"--root", lab612, "bundle", "kmr_refleak", "-o", plain}).exitCode == 0);
        const CliRun untraced = run({"--bundle", plain, "diagnose", "kmr_refleak"});
        QVERIFY2(!untraced.out.contains("kmr_refleak_set_leak"), untraced.out.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliBundle)
#include "tst_clibundle.moc"
