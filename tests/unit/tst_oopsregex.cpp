// SPDX-License-Identifier: GPL-2.0-or-later
// detail::Regex (kernellog/oopsregex.h): the extractor's patterns matched in a log's bytes. Its
// answers must be QRegularExpression's on the text's UTF-16 conversion, whichever way it took:
// the titles the extractor makes depend on them.
#include "kernellog/oopsregex.h"

#include <QTest>

#include <thread>

using namespace kmr::kernellog::detail;

namespace {

struct Answer {
    qsizetype start = -1;
    QStringList captures;
};

// QRegularExpression's own answer, the reference.
Answer reference(const QString &pattern, QByteArrayView subject)
{
    const QRegularExpressionMatch m = QRegularExpression(pattern).match(QString::fromUtf8(subject));
    Answer a;
    if (!m.hasMatch())
        return a;
    a.start = m.capturedStart();
    for (int i = 1; i <= m.lastCapturedIndex(); ++i)
        a.captures << m.captured(i);
    return a;
}

Answer bytes(const Regex &re, QByteArrayView subject)
{
    Answer a;
    a.start = re.match(Subject(subject), &a.captures);
    if (a.start < 0)
        a.captures.clear();
    return a;
}

} // namespace

class TestOopsRegex : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sameAnswerAsQRegularExpression_data();
    void sameAnswerAsQRegularExpression();
    void asciiIsTold();
    void sharedAcrossCopiesAndThreads();
};

void TestOopsRegex::sameAnswerAsQRegularExpression_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QByteArray>("subject");
    QTest::addColumn<bool>("ascii");

    const QString kasan = QStringLiteral(
        "BUG: KASAN: ([a-z\\-]+) in ([a-zA-Z0-9_]+)(?:\\.|\\+)(?:.*\\n)+?.*(Read|Write) (?:of size|at addr) "
        "(?:[0-9a-f]+)");
    const QByteArray report = "BUG: KASAN: slab-out-of-bounds in ip6_fragment+0x1a/0x30\n"
                              "Read of size 8 at addr ffff888012345678 by task syz-executor.0/1234\n";
    QTest::newRow("multi-line title, ASCII") << kasan << report << true;
    QTest::newRow("no match, ASCII") << kasan << QByteArray("BUG: KASAN: slab-out-of-bounds\nnothing\n") << true;
    // The same report with a non-ASCII character before the match: UTF-16 offsets, not bytes.
    QTest::newRow("multi-line title, UTF-8 before the match")
        << kasan << (QByteArray("caf\xc3\xa9 ") + report) << false;
    QTest::newRow("bytes that are not UTF-8") << kasan << (QByteArray("\xff\xfe ") + report) << false;
    // A group that takes no part in the match gives a null capture, the groups after it too.
    QTest::newRow("unset group in the middle") << QStringLiteral("(a)?(b)(c)?") << QByteArray("xbz") << true;
    QTest::newRow("alternation captures")
        << QStringLiteral("(?:IP|pc |PC is at):? (?:([a-zA-Z0-9_]+)(?:\\.|\\+)|0x[0-9a-f]+)")
        << QByteArray("RIP: 0010:kmr_initoops_init+0x15/0x1000 [kmr_initoops]") << true;
    QTest::newRow("empty subject") << QStringLiteral("^$") << QByteArray() << true;
    QTest::newRow("\\w and \\d stay ASCII on UTF-8")
        << QStringLiteral("(\\w+) (\\d+)") << QByteArray("\xc3\xa9t\xc3\xa9 42 ok") << false;
}

void TestOopsRegex::sameAnswerAsQRegularExpression()
{
    QFETCH(QString, pattern);
    QFETCH(QByteArray, subject);
    QFETCH(bool, ascii);
    QCOMPARE(Subject(subject).isAscii(), ascii);
    const Answer want = reference(pattern, subject);
    const Answer got = bytes(Regex(pattern), subject);
    QCOMPARE(got.start, want.start);
    QCOMPARE(got.captures, want.captures);
    for (qsizetype i = 0; i < want.captures.size(); ++i)
        QCOMPARE(got.captures[i].isNull(), want.captures[i].isNull());
}

void TestOopsRegex::asciiIsTold()
{
    // The high bit in any position of a word, and in the tail after the last whole word.
    for (int at = 0; at < 19; ++at) {
        QByteArray s(19, 'a');
        s[at] = char(0x80);
        QVERIFY2(!Subject(s).isAscii(), qPrintable(QString::number(at)));
    }
    QVERIFY(Subject(QByteArray(19, 'a')).isAscii());
    QVERIFY(Subject(QByteArrayView()).isAscii());
}

void TestOopsRegex::sharedAcrossCopiesAndThreads()
{
    const Regex re(QStringLiteral("in ([a-z_]+)"));
    const Regex copy = re; // shares the compiled pattern
    QStringList a, b;
    QCOMPARE(re.match(Subject("WARNING in foo_bar"), &a), 8);
    QCOMPARE(copy.match(Subject("WARNING in foo_bar"), &b), 8);
    QCOMPARE(a, b);
    QCOMPARE(a, QStringList {QStringLiteral("foo_bar")});
    // Each thread has its own match data.
    QStringList fromThread;
    qsizetype at = -2;
    std::thread t([&] { at = copy.match(Subject("x in baz"), &fromThread); });
    t.join();
    QCOMPARE(at, 2);
    QCOMPARE(fromThread, QStringList {QStringLiteral("baz")});
    QVERIFY(Regex().isEmpty());
    QCOMPARE(Regex().match(Subject("anything")), -1);
}

QTEST_GUILESS_MAIN(TestOopsRegex)
#include "tst_oopsregex.moc"
