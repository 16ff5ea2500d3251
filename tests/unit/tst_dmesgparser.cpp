// SPDX-License-Identifier: GPL-2.0-or-later
// Saved kernel logs in the text forms people attach to bug reports.
#include "kernellog/dmesgparser.h"

#include <QTest>

using namespace kmr::kernellog;

class TestDmesgParser : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parsesLine_data();
    void parsesLine();
    void dropsAreGaps();
    void numbersLinesAndStripsCarriageReturns();
    void readsLabCaptures_data();
    void readsLabCaptures();
    void unreadableFileSaysWhy();
};

void TestDmesgParser::parsesLine_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<qint64>("usec");
    QTest::addColumn<QString>("caller");
    QTest::addColumn<int>("priority");
    QTest::addColumn<QString>("message");

    const QString m = QStringLiteral("BUG: kernel NULL pointer dereference, address: 0000000000000000");
    const QByteArray mb = m.toUtf8();
    QTest::newRow("dmesg") << QByteArray("[   19.027825] " + mb) << qint64(19027825) << QString() << -1 << m;
    QTest::newRow("no timestamp") << mb << qint64(-1) << QString() << -1 << m;
    QTest::newRow("console caller id") << QByteArray("[  584.319520][   T31] " + mb) << qint64(584319520)
                                       << QStringLiteral("T31") << -1 << m;
    QTest::newRow("dmesg caller id") << QByteArray("[  584.319520] [T31] " + mb) << qint64(584319520)
                                     << QStringLiteral("T31") << -1 << m;
    QTest::newRow("cpu caller id") << QByteArray("[    1.000001][    C1] " + mb) << qint64(1000001)
                                   << QStringLiteral("C1") << -1 << m;
    QTest::newRow("dmesg -r") << QByteArray("<1>[   19.027825] " + mb) << qint64(19027825) << QString() << 1 << m;
    QTest::newRow("dmesg -x") << QByteArray("kern  :alert : [   19.027825] " + mb) << qint64(19027825) << QString() << 1
                              << m;
    QTest::newRow("dmesg -T") << QByteArray("[Sun Nov 22 01:02:03 2026] " + mb) << qint64(-1) << QString() << -1 << m;
    QTest::newRow("journalctl -k") << QByteArray("Nov 22 01:02:03 testbox kernel: " + mb) << qint64(-1) << QString()
                                   << -1 << m;
    QTest::newRow("journalctl -k -o short-iso")
        << QByteArray("2026-11-22T01:02:03+0000 testbox kernel: " + mb) << qint64(-1) << QString() << -1 << m;
    QTest::newRow("journalctl with a kernel timestamp")
        << QByteArray("Nov 22 01:02:03 testbox kernel: [   19.027825] " + mb) << qint64(19027825) << QString() << -1
        << m;
    QTest::newRow("short fraction") << QByteArray("[5.5] x") << qint64(5500000) << QString() << -1
                                    << QStringLiteral("x");
    QTest::newRow("bracket that is not a timestamp")
        << QByteArray("[drm] Initialized") << qint64(-1) << QString() << -1 << QStringLiteral("[drm] Initialized");
    QTest::newRow("frame keeps its indent")
        << QByteArray("[   19.036445]  do_one_initcall+0x59/0x220") << qint64(19036445) << QString() << -1
        << QStringLiteral(" do_one_initcall+0x59/0x220");
    QTest::newRow("not UTF-8") << QByteArray("[    1.0] bad \xff\xfe end") << qint64(1000000) << QString() << -1
                               << QStringLiteral("bad \ufffd\ufffd end");
}

void TestDmesgParser::parsesLine()
{
    QFETCH(QByteArray, line);
    const KernelLogRecord r = parseDmesgLine(line, 7);
    QTEST(r.timestampUsec, "usec");
    QTEST(r.callerId, "caller");
    QTEST(r.priority, "priority");
    QTEST(r.message, "message");
    QCOMPARE(r.sourceLine, 7);
}

void TestDmesgParser::dropsAreGaps()
{
    const KernelLogRecord r = parseDmesgLine("** 12 printk messages dropped **");
    QVERIFY(r.isGap());
    QCOMPARE(r.gapSize, qint64(12));
}

void TestDmesgParser::numbersLinesAndStripsCarriageReturns()
{
    const KernelLog log = parseDmesgText("[    1.0] a\r\n[    2.0] b\r\n\nc");
    QCOMPARE(log.size(), 4);
    QCOMPARE(log[0].message, QStringLiteral("a"));
    QCOMPARE(log[1].sourceLine, 2);
    QCOMPARE(log[2].message, QString());
    QCOMPARE(log[3].message, QStringLiteral("c"));
}

void TestDmesgParser::readsLabCaptures_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("dmesg") << QStringLiteral("initoops-6.1.txt");
    QTest::newRow("serial console") << QStringLiteral("initoops-6.1.serial.txt");
}

void TestDmesgParser::readsLabCaptures()
{
    QFETCH(QString, file);
    QString error;
    const KernelLog log = readDmesgFile(QStringLiteral(KMR_FIXTURES "/kmsg/") + file, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(log.first().message, QStringLiteral("kmr-lab: mark capture-initoops-begin"));
    // Every kernel line has its timestamp, in order; a serial console also carries the shell's lines.
    qint64 last = -1;
    int kernelLines = 0;
    for (const KernelLogRecord &r : log) {
        if (r.timestampUsec < 0)
            continue;
        QVERIFY(r.timestampUsec >= last);
        last = r.timestampUsec;
        ++kernelLines;
    }
    QVERIFY(kernelLines > 40);
    QVERIFY(kernelLines >= log.size() - 2);
}

void TestDmesgParser::unreadableFileSaysWhy()
{
    QString error;
    const KernelLog log = readDmesgFile(QStringLiteral("/nonexistent/dmesg.txt"), &error);
    QVERIFY(log.isEmpty());
    QVERIFY(error.contains(QLatin1String("/nonexistent/dmesg.txt")));
}

QTEST_GUILESS_MAIN(TestDmesgParser)
#include "tst_dmesgparser.moc"
