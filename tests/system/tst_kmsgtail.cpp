// SPDX-License-Identifier: GPL-2.0-or-later
// The helper's reply cap in follow mode (KmsgTail::readRecordsAfter, helper/kmsgtail.cpp) on the
// host kernel's own /dev/kmsg: the test writes marks into it as root, then reads them back the way
// the Kernel Log tab follows the log through ReadKernelLogAfter, each call asking from the last
// record of the one before, with a cap far below the helper's 1 MiB so that it matters.
// Label `system`: writing to /dev/kmsg (and reading it where kernel.dmesg_restrict=1) needs root.
#include "kmsgmark.h"
#include "kmsgtail.h"

#include <QRegularExpression>
#include <QTest>

#include <unistd.h>

using namespace kmr;

namespace {

struct Record {
    qint64 sequence = -1;
    qsizetype bytes = 0;
    QString text; // the message, without continuation lines
};
using Reply = QList<Record>;

// A whole /dev/kmsg record: "PRI,SEQ,USEC,FLAGS;message\n", then " KEY=value\n" lines.
bool parseWhole(const QString &raw, Record *r)
{
    static const QRegularExpression whole(QStringLiteral(R"(\A\d+,(\d+),\d+,[^;]*;([^\n]*)\n( [^\n]*\n)*\z)"));
    const QRegularExpressionMatch m = whole.match(raw);
    if (!m.hasMatch())
        return false;
    r->sequence = m.captured(1).toLongLong();
    r->bytes = raw.toUtf8().size(); // the kernel escapes every byte outside printable ASCII
    r->text = m.captured(2);
    return true;
}

qsizetype bytesOf(const Reply &reply)
{
    qsizetype n = 0;
    for (const Record &r : reply)
        n += r.bytes;
    return n;
}

QStringList textsWith(const QList<Reply> &replies, const QString &token)
{
    QStringList texts;
    for (const Reply &reply : replies)
        for (const Record &r : reply)
            if (r.text.contains(token))
                texts << r.text;
    return texts;
}

} // namespace

class TestKmsgTail : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void repliesAreWholeRecordsUpToTheCap_data();
    void repliesAreWholeRecordsUpToTheCap();
    void aRecordLargerThanTheCapComesAlone();

private:
    qint64 newestSequence();
    void followUntil(qint64 from, qsizetype maxBytes, const QString &lastMark, QList<Reply> *replies);
    void checkReplies(const QList<Reply> &replies, qint64 from, qsizetype maxBytes, const QString &lastMark);
    void writeAndReadBack(const QStringList &marks, const QString &token, qsizetype maxBytes, QList<Reply> *replies);
};

void TestKmsgTail::initTestCase()
{
    QVERIFY2(::geteuid() == 0, "run as root: the test writes marks into /dev/kmsg (ctest -L system as root)");
    QVERIFY2(writeKmsg(QStringLiteral("kmr-kmsgtail-test start")),
        "cannot write to /dev/kmsg: this kernel has no /dev/kmsg, or it is not writable here");
}

// The number of the newest record in the ring buffer now.
qint64 TestKmsgTail::newestSequence()
{
    QString error;
    const QStringList all = KmsgTail::readAllRecords(64 * 1024 * 1024, &error);
    Record r;
    if (!error.isEmpty() || all.isEmpty() || !parseWhole(all.last(), &r)) {
        qWarning("cannot read /dev/kmsg: %s", qPrintable(error));
        return -1;
    }
    return r.sequence;
}

// Asks from `from` on, each time from the last record of the reply before, until the reply that
// holds lastMark. An empty reply before that fails the test: a caller would never get on.
void TestKmsgTail::followUntil(qint64 from, qsizetype maxBytes, const QString &lastMark, QList<Reply> *replies)
{
    qint64 after = from;
    for (int call = 0; call < 1000; ++call) {
        QString error;
        const QStringList raw = KmsgTail::readRecordsAfter(quint64(after), maxBytes, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY2(!raw.isEmpty(),
            qPrintable(QStringLiteral("call %1: nothing after record %2, but %3 is still unread: a caller "
                                      "that asks again from its last record would be stuck there")
                           .arg(call)
                           .arg(after)
                           .arg(lastMark)));
        Reply reply;
        for (const QString &s : raw) {
            Record r;
            QVERIFY2(parseWhole(s, &r), qPrintable(QStringLiteral("not a whole record: ") + s));
            reply << r;
        }
        replies->append(reply);
        after = reply.last().sequence;
        for (const Record &r : reply)
            if (r.text == lastMark)
                return;
    }
    QFAIL(qPrintable(QStringLiteral("%1 is still unread after 1000 calls").arg(lastMark)));
}

// Every reply within the cap (or one record alone), as full as the cap allows while the test's
// marks are being read, and all of them together the records after `from`, each once, in order.
void TestKmsgTail::checkReplies(const QList<Reply> &replies, qint64 from, qsizetype maxBytes, const QString &lastMark)
{
    qint64 expected = from + 1;
    bool marksRead = false;
    for (qsizetype i = 0; i < replies.size(); ++i) {
        const Reply &reply = replies[i];
        const QString where = QStringLiteral("reply %1 of %2").arg(i + 1).arg(replies.size());
        QVERIFY2(bytesOf(reply) <= maxBytes || reply.size() == 1,
            qPrintable(QStringLiteral("%1: %2 records, %3 bytes over a cap of %4")
                           .arg(where)
                           .arg(reply.size())
                           .arg(bytesOf(reply))
                           .arg(maxBytes)));
        for (const Record &r : reply) {
            // A jump is the ring buffer overwriting records while the test ran (a flood of
            // messages), or a record lost between two calls.
            QVERIFY2(r.sequence == expected,
                qPrintable(QStringLiteral("%1: record %2 where %3 was due").arg(where).arg(r.sequence).arg(expected)));
            ++expected;
            marksRead = marksRead || r.text == lastMark;
        }
        // Cut only where the next record would not have fitted (until the last mark, the next
        // record was in the buffer when this reply was read).
        if (!marksRead && i + 1 < replies.size())
            QVERIFY2(bytesOf(reply) + replies[i + 1].first().bytes > maxBytes,
                qPrintable(QStringLiteral("%1: %2 bytes, and the next record (%3 bytes) would have fitted in %4")
                               .arg(where)
                               .arg(bytesOf(reply))
                               .arg(replies[i + 1].first().bytes)
                               .arg(maxBytes)));
    }
}

// Writes the marks (each holds token), reads them back in replies of at most maxBytes and checks
// the replies and that every mark came once, in order.
void TestKmsgTail::writeAndReadBack(
    const QStringList &marks, const QString &token, qsizetype maxBytes, QList<Reply> *replies)
{
    const qint64 from = newestSequence();
    QVERIFY(from >= 0);
    for (const QString &m : marks)
        QVERIFY2(writeKmsg(m), "cannot write to /dev/kmsg (a message must be under 1 KiB)");
    followUntil(from, maxBytes, marks.last(), replies);
    if (QTest::currentTestFailed())
        return;
    checkReplies(*replies, from, maxBytes, marks.last());
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(textsWith(*replies, token), marks);
}

void TestKmsgTail::repliesAreWholeRecordsUpToTheCap_data()
{
    QTest::addColumn<qsizetype>("maxBytes");
    QTest::newRow("700 bytes: several records a reply") << qsizetype(700);
    QTest::newRow("1 byte: every record alone") << qsizetype(1);
}

void TestKmsgTail::repliesAreWholeRecordsUpToTheCap()
{
    QFETCH(qsizetype, maxBytes);
    // 40 marks of 40 to 100 bytes: a few KiB, far more than one reply holds.
    const QString token = uniqueMark(QStringLiteral("kmr-kmsgtail-test"));
    QStringList marks;
    for (int i = 0; i < 40; ++i)
        marks << QStringLiteral("%1 #%2 %3").arg(token).arg(i).arg(QString((i * 13) % 61, QLatin1Char('x')));
    QList<Reply> replies;
    writeAndReadBack(marks, token, maxBytes, &replies);
    if (QTest::currentTestFailed())
        return;
    QVERIFY2(replies.size() >= 5, qPrintable(QStringLiteral("%1 replies: the cap did not cut").arg(replies.size())));
}

void TestKmsgTail::aRecordLargerThanTheCapComesAlone()
{
    // A cap below one record: that record comes alone, over the cap, and the next call goes on
    // after it (an empty reply would leave the caller asking for the same record forever).
    constexpr qsizetype MaxBytes = 400;
    const QString token = uniqueMark(QStringLiteral("kmr-kmsgtail-test"));
    const QStringList marks {token + QStringLiteral(" small before"),
        token + QStringLiteral(" large ") + QString(900, QLatin1Char('y')), token + QStringLiteral(" small after")};
    QList<Reply> replies;
    writeAndReadBack(marks, token, MaxBytes, &replies);
    if (QTest::currentTestFailed())
        return;
    for (const Reply &reply : std::as_const(replies)) {
        for (const Record &r : reply) {
            if (r.text != marks[1])
                continue;
            QCOMPARE(reply.size(), 1);
            QVERIFY2(r.bytes > MaxBytes, qPrintable(QStringLiteral("the large record has %1 bytes").arg(r.bytes)));
        }
    }
}

QTEST_GUILESS_MAIN(TestKmsgTail)

#include "tst_kmsgtail.moc"
