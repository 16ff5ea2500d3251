// SPDX-License-Identifier: GPL-2.0-or-later
// Golden-output tests: the CLI's text and JSON on fixture trees, and its documented exit codes.
#include "clirun.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

class TestCli : public QObject
{
    Q_OBJECT
    static CliRun run(const QStringList &args) { return runCli(args); }
    static QByteArray normalize(QByteArray text)
    {
        // Machine-specific parts: where the fixtures live and when the snapshot was taken.
        text.replace(QByteArray(KMR_FIXTURES), "@FIXTURES@");
        text = QString::fromUtf8(text)
                   .replace(QRegularExpression(QStringLiteral("\"taken_ms\": \\d+")), QStringLiteral("\"taken_ms\": 0"))
                   .toUtf8();
        return text;
    }

private Q_SLOTS:
    void golden_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("golden");
        QTest::addColumn<int>("exitCode");
        const QString basic = QStringLiteral(KMR_FIXTURES "/roots/basic");
        QTest::newRow("list") << QStringList {"--root", basic, "list"} << "list-basic.txt" << 0;
        QTest::newRow("list json") << QStringList {"--root", basic, "list", "--json"} << "list-basic.json" << 0;
        QTest::newRow("show") << QStringList {"--root", basic, "show", "dummy"} << "show-dummy.txt" << 0;
        QTest::newRow("show dash name") << QStringList {"--root", basic, "show", "kmr-initoops"} << "show-initoops.txt"
                                        << 0;
        QTest::newRow("show json") << QStringList {"--root", basic, "show", "crc8", "--json"} << "show-crc8.json" << 0;
        QTest::newRow("show corrupt ko") << QStringList {"--root", basic, "show", "kmr_broken"} << "show-broken.txt"
                                         << 0;
        // The lab's real sos report (tests/fixtures/sosreport), unpacked, through --bundle and --sosreport.
        const QString sos = QStringLiteral(KMR_FIXTURES "/sosreport/lab-6.1");
        QTest::newRow("sosreport list") << QStringList {"--bundle", sos, "list"} << "list-sosreport.txt" << 0;
        QTest::newRow("sosreport diagnose exitoops")
            << QStringList {"--sosreport", sos, "diagnose", "kmr_exitoops"} << "diagnose-sosreport-exitoops.txt" << 0;
        QTest::newRow("sosreport diagnose provider")
            << QStringList {"--sosreport", sos, "diagnose", "kmr_provider"} << "diagnose-sosreport-provider.txt" << 0;
        // The sample bundle (recorded in the lab on 6.12 with its trace): kmr_refleak as recorded there, and diagnosed
        // again from its snapshot with its own get/put trace (tests/fixtures/refcount): the call site is named.
        QTest::newRow("sample diagnose refleak")
            << QStringList {"--sample", "diagnose", "kmr_refleak"} << "diagnose-sample-refleak.txt" << 0;
        QTest::newRow("sample diagnose refleak with its trace") << QStringList {"--sample", "diagnose", "kmr_refleak",
            "--trace-file", KMR_FIXTURES "/refcount/sample-refleak-6.12.trace"}
                                                                << "diagnose-sample-refleak-traced.txt" << 0;
        QTest::newRow("sosreport show overlay")
            << QStringList {"--sosreport", sos, "show", "overlay"} << "show-sosreport-overlay.txt" << 0;
    }
    void golden()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, golden);
        QFETCH(int, exitCode);
        const CliRun r = run(args);
        QVERIFY2(r.exitCode == exitCode, r.err.constData());
        const QByteArray actual = normalize(r.out);
        const QString path = QStringLiteral(KMR_GOLDEN "/") + golden;
        if (qEnvironmentVariableIsSet("KMR_UPDATE_GOLDEN")) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(actual);
            return;
        }
        QFile f(path);
        QVERIFY2(
            f.open(QIODevice::ReadOnly), qPrintable(path + QStringLiteral(" missing; run with KMR_UPDATE_GOLDEN=1")));
        const QByteArray expected = f.readAll();
        if (actual != expected) {
            const QList<QByteArray> a = actual.split('\n'), e = expected.split('\n');
            for (int i = 0; i < qMax(a.size(), e.size()); ++i) {
                if (a.value(i) != e.value(i))
                    QFAIL(qPrintable(QStringLiteral("%1 line %2:\n  expected: %3\n  actual:   %4")
                                         .arg(golden)
                                         .arg(i + 1)
                                         .arg(QString::fromUtf8(e.value(i)), QString::fromUtf8(a.value(i)))));
            }
        }
    }

    void jsonIsVersioned()
    {
        const CliRun r = run({"--root", QStringLiteral(KMR_FIXTURES "/roots/basic"), "list", "--json"});
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(o.value(QStringLiteral("schema")).toString(), QStringLiteral("kmodrescue.snapshot"));
        QCOMPARE(o.value(QStringLiteral("schema_version")).toInt(), 1);
    }

    void exitCodes_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        const QString basic = QStringLiteral(KMR_FIXTURES "/roots/basic");
        QTest::newRow("no command") << QStringList {} << 2 << "usage:";
        QTest::newRow("unknown command") << QStringList {"frobnicate"} << 2 << "unknown command 'frobnicate'";
        QTest::newRow("unknown option") << QStringList {"--bogus", "list"} << 2 << "unknown option --bogus";
        QTest::newRow("show without name")
            << QStringList {"--root", basic, "show"} << 2 << "usage: kmodrescue-cli show";
        QTest::newRow("not loaded") << QStringList {"--root", basic, "show", "nosuchmod"} << 3
                                    << "no module named 'nosuchmod'";
        QTest::newRow("path given") << QStringList {"--root", basic, "show", "/tmp/x.ko"} << 3 << "not a file path";
        QTest::newRow("root missing") << QStringList {"--root", "/nonexistent/kmr", "list"} << 2
                                      << "is not a directory";
        QTest::newRow("no module support") << QStringList {"--root", QStringLiteral(KMR_FIXTURES "/roots/nomodules"),
            "list"} << 4 << "no loadable module support";
        QTest::newRow("sosreport lacks parts")
            << QStringList {"--sosreport", KMR_FIXTURES "/sosreport/lab-6.1", "list"} << 0
            << "note: not in this sosreport: sysfs-holders: sysfs holders/ "
               "not collected by this sosreport";
        QTest::newRow("trace file missing") << QStringList {"--root", basic, "diagnose", "dummy", "--trace-file",
            "/nonexistent/kmr.trace"} << 6 << "kmodrescue-cli diagnose: cannot read the trace /nonexistent/kmr.trace";
        QTest::newRow("trace file without name")
            << QStringList {"--root", basic, "diagnose", "dummy", "--trace-file"} << 2 << "[--trace-file FILE]";
        QTest::newRow("not a sosreport") << QStringList {"--sosreport", KMR_FIXTURES "/roots/lab-6.1", "list"} << 6
                                         << "not a sosreport: none of sos's own files";
    }
    void exitCodes()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const CliRun r = run(args);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
