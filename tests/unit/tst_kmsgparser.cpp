// SPDX-License-Identifier: GPL-2.0-or-later
// The /dev/kmsg record parser and reader: fields, escapes, continuation lines, gaps, refusal.
#include "kernellog/kmsgparser.h"
#include "kernellog/dmesgparser.h"
#include "kernellog/kernellogjson.h"
#include "kernellog/kmsgreader.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <sys/wait.h>
#include <unistd.h>

using namespace kmr::kernellog;

class TestKmsgParser : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void readsASavedLogInEitherForm();
    void parsesFields_data();
    void parsesFields();
    void decodesEscapes();
    void readsProperties();
    void rejectsMalformed_data();
    void rejectsMalformed();
    void readsLabCapture();
    void sequenceJumpBecomesGapRecord();
    void missingFileIsNotFound();
    void refusedOpenIsPermissionDenied();
    void largeNumbersSurviveJson();
};

void TestKmsgParser::parsesFields_data()
{
    QTest::addColumn<QByteArray>("record");
    QTest::addColumn<int>("priority");
    QTest::addColumn<int>("facility");
    QTest::addColumn<qint64>("sequence");
    QTest::addColumn<qint64>("usec");
    QTest::addColumn<char>("cont");
    QTest::addColumn<QString>("caller");
    QTest::addColumn<QString>("message");

    QTest::newRow("kernel warning") << QByteArray("4,408,15878663,-;Oops: 0002 [#1] PREEMPT SMP NOPTI\n") << 4 << 0
                                    << qint64(408) << qint64(15878663) << '-' << QString()
                                    << QStringLiteral("Oops: 0002 [#1] PREEMPT SMP NOPTI");
    QTest::newRow("user facility, lab marker")
        << QByteArray("12,402,15758236,-;kmr-lab: mark\n") << 4 << 1 << qint64(402) << qint64(15758236) << '-'
        << QString() << QStringLiteral("kmr-lab: mark");
    QTest::newRow("continuation start with caller")
        << QByteArray("6,9,1100000,c,caller=T1;partial") << 6 << 0 << qint64(9) << qint64(1100000) << 'c'
        << QStringLiteral("T1") << QStringLiteral("partial");
    QTest::newRow("continued, cpu caller") << QByteArray("6,10,1100100,+,caller=C3; more") << 6 << 0 << qint64(10)
                                           << qint64(1100100) << '+' << QStringLiteral("C3") << QStringLiteral(" more");
    QTest::newRow("unknown future fields ignored") << QByteArray("3,1,2,-,foo=bar,caller=T9,x;m") << 3 << 0 << qint64(1)
                                                   << qint64(2) << '-' << QStringLiteral("T9") << QStringLiteral("m");
    QTest::newRow("three fields (old kernels, no flags)")
        << QByteArray("6,1,2;m") << 6 << 0 << qint64(1) << qint64(2) << '-' << QString() << QStringLiteral("m");
    QTest::newRow("empty message") << QByteArray("6,5,7,-;\n") << 6 << 0 << qint64(5) << qint64(7) << '-' << QString()
                                   << QString();
}

void TestKmsgParser::parsesFields()
{
    QFETCH(QByteArray, record);
    KernelLogRecord r;
    QString error;
    QVERIFY2(parseKmsgRecord(record, &r, &error), qPrintable(error));
    QTEST(r.priority, "priority");
    QTEST(r.facility, "facility");
    QTEST(r.sequence, "sequence");
    QTEST(r.timestampUsec, "usec");
    QTEST(r.continuation, "cont");
    QTEST(r.callerId, "caller");
    QTEST(r.message, "message");
    QVERIFY(!r.isGap());
}

void TestKmsgParser::decodesEscapes()
{
    KernelLogRecord r;
    QVERIFY(parseKmsgRecord("6,1,1,-;caf\\xc3\\xa9\\x09tab \\x5c end \\xZZ \\x4", &r));
    QCOMPARE(r.message, QString::fromUtf8("café\ttab \\ end \\xZZ \\x4"));
    QCOMPARE(decodeKmsgEscapes("\\x41\\x5c\\x0a"), QByteArray("A\\\n"));
    // Bytes that are not UTF-8 become U+FFFD, never a crash.
    QVERIFY(parseKmsgRecord("6,1,1,-;bad \\xff\\xfe end", &r));
    QVERIFY(r.message.startsWith(QLatin1String("bad ")));
    QVERIFY(r.message.endsWith(QLatin1String(" end")));
    QVERIFY(r.message.contains(QChar(0xfffd)));
}

void TestKmsgParser::readsProperties()
{
    KernelLogRecord r;
    QVERIFY(parseKmsgRecord("3,7,9,-;e1000: link down\n SUBSYSTEM=pci\n DEVICE=+pci:0000:00:03.0\n", &r));
    QCOMPARE(r.message, QStringLiteral("e1000: link down"));
    QCOMPARE(r.properties.size(), 2);
    QCOMPARE(r.property(QStringLiteral("SUBSYSTEM")), QStringLiteral("pci"));
    QCOMPARE(r.property(QStringLiteral("DEVICE")), QStringLiteral("+pci:0000:00:03.0"));
}

void TestKmsgParser::rejectsMalformed_data()
{
    QTest::addColumn<QByteArray>("record");
    QTest::newRow("no semicolon") << QByteArray("6,1,2,-");
    QTest::newRow("empty") << QByteArray("");
    QTest::newRow("letters for priority") << QByteArray("x,1,2,-;m");
    QTest::newRow("negative sequence") << QByteArray("6,-1,2,-;m");
    QTest::newRow("two fields") << QByteArray("6,1;m");
    QTest::newRow("huge number") << QByteArray("6,99999999999999999999999,2,-;m");
}

void TestKmsgParser::rejectsMalformed()
{
    QFETCH(QByteArray, record);
    KernelLogRecord r;
    QString error;
    QVERIFY(!parseKmsgRecord(record, &r, &error));
    QVERIFY(!error.isEmpty());
}

void TestKmsgParser::readsLabCapture()
{
    // A real capture from the lab: `dd if=/dev/kmsg iflag=nonblock` on Debian's 6.1 kernel.
    KmsgReader reader(QStringLiteral(KMR_FIXTURES "/kmsg/exitoops-6.1.kmsg"));
    QVERIFY2(reader.open(), qPrintable(reader.errorString()));
    const KernelLog log = reader.readAvailable();
    QCOMPARE(reader.error(), KernelLogError::None);
    QCOMPARE(reader.malformedRecords(), 0);
    QVERIFY(log.size() > 30);
    QCOMPARE(log.first().message, QStringLiteral("kmr-lab: mark capture-exitoops-begin"));
    QVERIFY(log.first().sequence > 0);
    QCOMPARE(log.first().facility, 1);
    for (qsizetype i = 1; i < log.size(); ++i) {
        QVERIFY(!log[i].isGap());
        QCOMPARE(log[i].sequence, log[i - 1].sequence + 1);
    }
    QVERIFY(log.at(2).message.startsWith(QLatin1String("BUG: kernel NULL pointer dereference")));
    QCOMPARE(log.at(2).priority, 1);
}

void TestKmsgParser::sequenceJumpBecomesGapRecord()
{
    // Records 12..14 were overwritten in this capture: a gap of 3, shown, not hidden.
    const KernelLog log = readKmsg(QStringLiteral(KMR_FIXTURES "/kmsg/hand-escapes-gap.kmsg"));
    QCOMPARE(log.size(), 10); // 9 records and the gap
    int gaps = 0;
    for (const KernelLogRecord &r : log) {
        if (r.isGap()) {
            ++gaps;
            QCOMPARE(r.gapSize, qint64(3));
            QCOMPARE(r.sequence, qint64(12));
        }
    }
    QCOMPARE(gaps, 1);
    QCOMPARE(log.first().property(QStringLiteral("SUBSYSTEM")), QStringLiteral("pci"));
    QCOMPARE(log.first().message, QString::fromUtf8("kmr_victim: name is \"café\ttab\" and a backslash \\ here"));
    QCOMPARE(toDmesgLine(log.at(4)), QStringLiteral("** 3 printk messages dropped **"));
}

void TestKmsgParser::missingFileIsNotFound()
{
    KmsgReader reader(QStringLiteral("/nonexistent/kmsg"));
    QVERIFY(!reader.open());
    QCOMPARE(reader.error(), KernelLogError::NotFound);
    QVERIFY(reader.errorString().contains(QLatin1String("/nonexistent/kmsg")));
}

void TestKmsgParser::refusedOpenIsPermissionDenied()
{
    // What kernel.dmesg_restrict=1 does to an unprivileged reader, produced for real: a file
    // only root may read, opened by a process that is not root (a child that drops to nobody
    // when the test runs as root).
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("kmsg"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("6,1,1,-;secret\n");
    f.close();
    QVERIFY(QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    QVERIFY(QFile::setPermissions(dir.path(),
        QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner | QFileDevice::ExeOther
            | QFileDevice::ExeGroup));

    const pid_t child = fork();
    QVERIFY(child >= 0);
    if (child == 0) {
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(3);
        KmsgReader reader(path);
        if (reader.open())
            _exit(1);
        _exit(reader.error() == KernelLogError::PermissionDenied
                    && reader.errorString().contains(QLatin1String("dmesg_restrict"))
                ? 0
                : 2);
    }
    int status = 0;
    QCOMPARE(waitpid(child, &status, 0), child);
    QVERIFY(WIFEXITED(status));
    QCOMPARE(WEXITSTATUS(status), 0);
}

QTEST_GUILESS_MAIN(TestKmsgParser)
// A saved log is read as a /dev/kmsg capture or as dmesg text, told apart by its first bytes (the
// CLI, the GUI's Open Log File, bundles and diagnoses all read it this way).
void TestKmsgParser::readsASavedLogInEitherForm()
{
    const QString kmsg = QStringLiteral(KMR_FIXTURES "/kmsg/exitoops-6.1.kmsg");
    const QString text = QStringLiteral(KMR_FIXTURES "/kmsg/exitoops-6.1.txt");
    QString error;
    const KernelLog fromCapture = readLogFile(kmsg, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(fromCapture.size() > 30);
    QVERIFY(fromCapture == readKmsg(kmsg));
    QVERIFY(fromCapture.first().sequence >= 0); // records, with their sequence numbers
    const KernelLog fromText = readLogFile(text, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(fromText == readDmesgFile(text));
    QCOMPARE(fromText.first().sequence, -1); // dmesg text has none
    QVERIFY(looksLikeKmsgCapture("6,339,5140900,-;msg"));
    QVERIFY(!looksLikeKmsgCapture("[    5.140900] msg"));
    QVERIFY(readLogFile(QStringLiteral("/nonexistent/kernel.log"), &error).isEmpty());
    QVERIFY2(error.contains(QLatin1String("cannot read /nonexistent/kernel.log")), qPrintable(error));
}

// A record's sequence number and timestamp are 64-bit: a bundle's JSON keeps them exact beyond
// 2^53, where a double would round them (the kmsg fuzzer found 55000055555555558 coming back as
// ...560), and a gap keeps its size.
void TestKmsgParser::largeNumbersSurviveJson()
{
    KernelLogRecord r;
    QString error;
    QVERIFY2(parseKmsgRecord("6,55000055555555558,9007199254740993,-;big\n", &r, &error), qPrintable(error));
    QCOMPARE(r.sequence, Q_INT64_C(55000055555555558));
    const QByteArray text = QJsonDocument(toJson(r)).toJson(QJsonDocument::Compact);
    QVERIFY2(text.contains("\"seq\":55000055555555558"), text.constData());
    const KernelLogRecord back = recordFromJson(QJsonDocument::fromJson(text).object());
    QCOMPARE(back.sequence, Q_INT64_C(55000055555555558));
    QCOMPARE(back.timestampUsec, Q_INT64_C(9007199254740993));
    QVERIFY(back == r);

    KernelLogRecord gap;
    gap.kind = KernelLogRecord::Kind::Gap;
    gap.gapSize = Q_INT64_C(9007199254740995);
    gap.sequence = Q_INT64_C(9007199254740997);
    const KernelLogRecord gapBack
        = recordFromJson(QJsonDocument::fromJson(QJsonDocument(toJson(gap)).toJson()).object());
    QCOMPARE(gapBack.gapSize, gap.gapSize);
    QCOMPARE(gapBack.sequence, gap.sequence);
}

#include "tst_kmsgparser.moc"
