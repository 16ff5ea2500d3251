// SPDX-License-Identifier: GPL-2.0-or-later
// detail::Regex (kernellog/oopsregex.h): the extractor's patterns matched in a log's bytes. Its
// answers must be QRegularExpression's on the text's UTF-16 conversion, whichever way it took:
// the titles the extractor makes depend on them.
#include "kernellog/oopsregex.h"

#include <QTest>

#include <cstring>
#include <memory>
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
    void patternSetAnswersAsTheAlternation_data();
    void patternSetAnswersAsTheAlternation();
    void topLevelAlternatives_data();
    void topLevelAlternatives();
    void requiredAlternatives_data();
    void requiredAlternatives();
    void maxLinesSpanned_data();
    void maxLinesSpanned();
    void firstLinesMatchAsTheWholeText();
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
    QTest::newRow("empty subject, no match") << QStringLiteral("a") << QByteArray() << true;
    QTest::newRow("empty subject, empty capture") << QStringLiteral("(x*)(y)?") << QByteArray() << true;
    // UTF-8 is matched in its bytes too: offsets and captures in UTF-16 all the same.
    QTest::newRow("4-byte character before the match: two UTF-16 units")
        << QStringLiteral("in ([a-z_]+)") << QByteArray("\xf0\x9f\x98\x80 WARNING in foo_bar") << false;
    QTest::newRow("non-ASCII capture") << QStringLiteral("task (\\S+) blocked")
                                       << QByteArray("INFO: task k\xc3\xa9w\xe2\x82\xac:12 blocked") << false;
    QTest::newRow("empty and unset captures in UTF-8")
        << QStringLiteral("\xe9(x*)(y)?(z*)") << QByteArray("caf\xc3\xa9 ok") << false;
    QTest::newRow("overlong encoding is not UTF-8")
        << QStringLiteral("(a.)") << QByteArray("\xc0\xaf a\xc0\xaf") << false;
    QTest::newRow("encoded surrogate is not UTF-8")
        << QStringLiteral("b(.)") << QByteArray("ab\xed\xa0\x80 b\xc3\xa9") << false;
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
    // JIT compiled or interpreted.
    for (const Regex &re : {Regex(pattern), Regex(pattern, Regex::Jit::No)}) {
        const Answer got = bytes(re, subject);
        QCOMPARE(got.start, want.start);
        QCOMPARE(got.captures, want.captures);
        for (qsizetype i = 0; i < want.captures.size(); ++i)
            QCOMPARE(got.captures[i].isNull(), want.captures[i].isNull());
        // The views into the bytes: the same start and texts on ASCII, no answer on other text.
        Regex::Views views;
        const qsizetype start = re.matchAscii(Subject(subject), &views);
        if (!ascii) {
            QCOMPARE(start, Regex::kUnanswered);
            continue;
        }
        QCOMPARE(start, want.start);
        QStringList texts;
        for (const QByteArrayView v : std::as_const(views))
            texts << QString::fromLatin1(v);
        QCOMPARE(texts, want.start < 0 ? QStringList() : want.captures);
    }
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
    // Every length up to 200 (blocks of 64 and 16 bytes, words, a tail), a high bit at every place,
    // read from a buffer of exactly that size.
    for (int size = 0; size <= 200; ++size) {
        const std::unique_ptr<char[]> text(new char[size_t(size)]);
        std::memset(text.get(), 'a', size_t(size));
        QVERIFY(Subject(QByteArrayView(text.get(), size)).isAscii());
        for (int at = 0; at < size; ++at) {
            text[at] = char(0xc3);
            QVERIFY2(!Subject(QByteArrayView(text.get(), size)).isAscii(),
                qPrintable(QStringLiteral("%1 of %2").arg(at).arg(size)));
            text[at] = '\x7f';
            QVERIFY(Subject(QByteArrayView(text.get(), size)).isAscii());
            text[at] = 'a';
        }
    }
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

// PatternSet looks most patterns up as plain text: its every answer must be the one of the
// patterns' alternation, on every kind of text, the reference QRegularExpression gives.
void TestOopsRegex::patternSetAnswersAsTheAlternation_data()
{
    QTest::addColumn<QStringList>("patterns");
    QTest::addColumn<QByteArray>("subject");
    QTest::addColumn<bool>("matches");

    const QStringList skip = {QStringLiteral("kasan"), QStringLiteral("^mutex_"), QStringLiteral("readb$"),
        QStringLiteral("^down$"), QStringLiteral("_trap$|do_trap"), QStringLiteral("k?v?(?:m|z|c)alloc"),
        QStringLiteral("^crc\\d+"), QStringLiteral("(read|write)_once_.*nocheck"), QStringLiteral("^kv?free$"),
        QStringLiteral("^(?:crypto|cipher)_")};
    const auto row = [&](const char *name, const QByteArray &subject, bool matches) {
        QTest::newRow(name) << skip << subject << matches;
    };
    row("plain text inside", "__kasan_check_read", true);
    row("nothing", "ext4_file_write_iter", false);
    row("^text at the start", "mutex_lock_nested", true);
    row("^text not at the start", "__rt_mutex_lock", false);
    row("text$ at the end", "ioreadb", true);
    row("text$ not at the end", "readb_relaxed", false);
    row("^text$ whole", "down", true);
    row("^text$ inside a longer name", "down_read", false);
    row("top-level alternatives split: the first", "do_int3_trap", true);
    row("top-level alternatives split: the second", "do_trap_no_signal", true);
    row("guarded pattern whose text is there", "__kmalloc_node", true);
    row("guarded pattern's text there, the pattern not", "xalloc_pages", false);
    row("pattern guarded by a short text", "crc32c_le", true);
    row("pattern guarded by a short text, no match", "crcx_update", false);
    row("pattern with no required text", "cipher_encrypt", true);
    row("pattern with no required text, no match", "xcipher_encrypt", false);
    row("required texts apart", "write_once_size_nocheck", true);
    row("required texts in the wrong order", "nocheck_read_once_", false);
    row("optional character", "kvfree", true);
    row("empty text", "", false);
    row("one character", "k", false);
    row("text ending in a newline: '$' before it", "ioreadb\n", true);
    row("a carriage return", "ioreadb\r", false);
    row("non-ASCII bytes", "caf\xc3\xa9_readb", true);
    row("bytes that are not UTF-8", "\xff_kasan", true);
    row("a very long name, the text at its end", QByteArray(300, 'x') + "kasan", true);
    row("a very long name, nothing", QByteArray(300, 'm') + "utex_", false);
    row("two-byte text's first byte last", "xmutex_k", false);

    const auto whole = [](const char *name, const QString &pattern, const QByteArray &subject, bool matches) {
        QTest::newRow(name) << QStringList {pattern} << subject << matches;
    };
    // An option setting applies to the alternatives after it: such a pattern is not split.
    whole("(?i) reaches the next alternative", QStringLiteral("(?i)foo|bar"), "xBARx", true);
    whole("'|' inside a class", QStringLiteral("x[|]y|zz"), "x|y", true);
    whole("'|' inside a class, no match", QStringLiteral("x[|]y|zz"), "xy", false);
    whole("POSIX class before '|'", QStringLiteral("[[:digit:]|]x|qq"), "|x", true);
    whole("escaped '$' is text", QStringLiteral("ab\\$"), "ab$", true);
    whole("escaped '$' is text, no match", QStringLiteral("ab\\$"), "ab", false);
    whole("an escaped character is not a required text", QStringLiteral("\\x41bcd"), "Abcd", true);
    whole("two-byte text at the very end", QStringLiteral("ab"), "xab", true);
    QTest::newRow("no patterns") << QStringList() << QByteArray("anything") << false;
}

void TestOopsRegex::patternSetAnswersAsTheAlternation()
{
    QFETCH(QStringList, patterns);
    QFETCH(QByteArray, subject);
    QFETCH(bool, matches);
    const QString alternation = QStringLiteral("(?:") + patterns.join(QStringLiteral(")|(?:")) + u')';
    if (!patterns.isEmpty())
        QCOMPARE(reference(alternation, subject).start >= 0, matches); // the row itself is right
    const PatternSet set(patterns);
    QCOMPARE(set.matches(Subject(subject)), matches);
    QCOMPARE(set.matchesText(QString::fromUtf8(subject)), matches);
}

void TestOopsRegex::topLevelAlternatives_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QStringList>("alternatives");
    QTest::newRow("one") << QStringLiteral("abc") << QStringList {QStringLiteral("abc")};
    QTest::newRow("groups kept") << QStringLiteral("a|(b|c)d|e")
                                 << QStringList {QStringLiteral("a"), QStringLiteral("(b|c)d"), QStringLiteral("e")};
    QTest::newRow("escaped bar") << QStringLiteral("a\\|b|c")
                                 << QStringList {QStringLiteral("a\\|b"), QStringLiteral("c")};
    QTest::newRow("class with ']' first")
        << QStringLiteral("[]|]x|y") << QStringList {QStringLiteral("[]|]x"), QStringLiteral("y")};
    QTest::newRow("empty alternative") << QStringLiteral("a|") << QStringList {QStringLiteral("a"), QString()};
    QTest::newRow("option setting") << QStringLiteral("(?i)a|b") << QStringList {QStringLiteral("(?i)a|b")};
    QTest::newRow("quoted text") << QStringLiteral("\\Qa|b\\E") << QStringList {QStringLiteral("\\Qa|b\\E")};
}

void TestOopsRegex::topLevelAlternatives()
{
    QFETCH(QString, pattern);
    QFETCH(QStringList, alternatives);
    QCOMPARE(kmr::kernellog::detail::topLevelAlternatives(pattern), alternatives);
}

using Sets = QList<QList<QByteArray>>;

// The sets of texts a match must hold one of each: a title whose report lacks all of a set's
// texts is spared the pattern. Only what every match needs may be listed.
void TestOopsRegex::requiredAlternatives_data()
{
    QTest::addColumn<QByteArray>("pattern");
    QTest::addColumn<Sets>("sets");
    QTest::newRow("KASAN report") << QByteArray(
        "BUG: KASAN: ([a-z\\-]+) in x(?:.*\\n)+?.*(Read|Write) (?:of size|at addr) (?:[0-9a-f]+)")
                                  << Sets {{"Read", "Write"}, {"of size", "at addr"}};
    QTest::newRow("one text") << QByteArray("a(hello)b") << Sets {{"hello"}};
    QTest::newRow("at least once") << QByteArray("(?:foo|bar)+") << Sets {{"foo", "bar"}};
    QTest::newRow("escaped punctuation") << QByteArray("(?:a\\.bc|de\\+f)") << Sets {{"a.bc", "de+f"}};
    QTest::newRow("optional groups") << QByteArray("a(?:foo|bar)?b(?:baz|qux)*c(?:abc|def){0,2}(?:ghi|jkl)??")
                                     << Sets {};
    QTest::newRow("too short") << QByteArray("(?:ab|cdef)") << Sets {};
    QTest::newRow("a class") << QByteArray("(?:[ab]cd|efg)") << Sets {};
    QTest::newRow("a character type") << QByteArray("(?:\\dab|efg)") << Sets {};
    QTest::newRow("a quantified character") << QByteArray("(?:abc?|def)") << Sets {};
    QTest::newRow("a nested group") << QByteArray("(?:ab(?:c|d)|efg)") << Sets {};
    QTest::newRow("an empty alternative") << QByteArray("(?:abc|)") << Sets {};
    QTest::newRow("not ASCII") << QByteArray("(?:caf\xc3\xa9|tea)") << Sets {};
    QTest::newRow("top-level alternative") << QByteArray("(?:foo|bar)x|y") << Sets {};
    QTest::newRow("option setting") << QByteArray("(?i)(?:foo|bar)") << Sets {};
    QTest::newRow("assertion") << QByteArray("x(?=foo|bar)(?:baz|qux)") << Sets {};
    QTest::newRow("class holding parentheses") << QByteArray("[(|]x(abc|def)[)]") << Sets {{"abc", "def"}};
    QTest::newRow("unbalanced") << QByteArray("(abc|def") << Sets {};
    QTest::newRow("empty") << QByteArray() << Sets {};
}

void TestOopsRegex::requiredAlternatives()
{
    QFETCH(QByteArray, pattern);
    QFETCH(Sets, sets);
    QCOMPARE(kmr::kernellog::detail::requiredAlternatives(pattern), sets);
}

void TestOopsRegex::maxLinesSpanned_data()
{
    QTest::addColumn<QByteArray>("pattern");
    QTest::addColumn<int>("lines");
    QTest::newRow("hung task title") << QByteArray(
        "INFO: task .*(?:\\n.*)? blocked (?:in I/O wait )?for more than [0-9]+ seconds")
                                     << 2;
    QTest::newRow("one line") << QByteArray("abc[a-z\\d_]+\\w") << 1;
    QTest::newRow("two line ends") << QByteArray("a\\nb\\nc") << 3;
    QTest::newRow("escaped parentheses") << QByteArray("\\(x\\)") << 1;
    QTest::newRow("start anchor") << QByteArray("^a\\n") << 2;
    QTest::newRow("repeated group") << QByteArray("a(?:.*\\n)+?b") << 0;
    QTest::newRow("repeated line end") << QByteArray("a\\n*b") << 0;
    QTest::newRow("counted group") << QByteArray("a(?:x\\n){1}b") << 0;
    QTest::newRow("repeated outer group") << QByteArray("(?:(?:\\n)?x)*") << 0;
    QTest::newRow("white space type") << QByteArray("a\\sb") << 0;
    QTest::newRow("negated class") << QByteArray("a[^x]b") << 0;
    QTest::newRow("named class") << QByteArray("a[[:space:]]b") << 0;
    QTest::newRow("control character range") << QByteArray("a[\t-\r]b") << 0;
    QTest::newRow("end anchor") << QByteArray("a$") << 0;
    QTest::newRow("option") << QByteArray("(?s)a.b") << 0;
    QTest::newRow("assertion") << QByteArray("a(?=\\n)") << 0;
    QTest::newRow("word boundary") << QByteArray("a\\b") << 0;
    QTest::newRow("unbalanced") << QByteArray("a(b") << 0;
    QTest::newRow("stray parenthesis") << QByteArray("a)b") << 0;
    QTest::newRow("raw line end") << QByteArray("a\nb") << 0;
}

void TestOopsRegex::maxLinesSpanned()
{
    QFETCH(QByteArray, pattern);
    QFETCH(int, lines);
    QCOMPARE(kmr::kernellog::detail::maxLinesSpanned(pattern), lines);
}

// What makeTitle() relies on: a match that starts in a text's first line is found the same in the
// first maxLinesSpanned() lines alone. Texts of random lines made of the patterns' own words.
void TestOopsRegex::firstLinesMatchAsTheWholeText()
{
    const QList<QByteArray> patterns = {"INFO: task .*(?:\\n.*)? blocked (?:in I/O wait )?for more than [0-9]+ seconds",
        "a(b+)(?:\\n(c*))?d", "x\\n(y?)\\n+?z", "^a.*"};
    const QList<QByteArray> words = {"INFO: task ", "k:1", " blocked ", "in I/O wait ", "for more than ", "12",
        " seconds", "a", "b", "c", "d", "x", "y", "z", " "};
    quint32 seed = 12345;
    const auto next = [&](quint32 n) {
        seed = seed * 1103515245u + 12345u;
        return (seed >> 16) % n;
    };
    int checked = 0;
    for (const QByteArray &pattern : patterns) {
        const int span = kmr::kernellog::detail::maxLinesSpanned(pattern);
        if (pattern.startsWith("x")) { // "\\n+?" is a repeated line end
            QCOMPARE(span, 0);
            continue;
        }
        QVERIFY(span > 0);
        const Regex re(QString::fromLatin1(pattern));
        for (int round = 0; round < 20000; ++round) {
            QList<QByteArray> lines;
            for (quint32 l = 0, n = 1 + next(4); l < n; ++l) {
                QByteArray line;
                for (quint32 w = 0, m = next(6); w < m; ++w)
                    line += words[next(quint32(words.size()))];
                lines << line;
            }
            QByteArray text, head;
            for (qsizetype l = 0; l < lines.size(); ++l) {
                text += lines[l] + '\n';
                if (l < span)
                    head += lines[l] + '\n';
            }
            const Answer whole = bytes(re, text);
            if (whole.start < 0 || whole.start >= lines.first().size())
                continue;
            const Answer first = bytes(re, head);
            QCOMPARE(first.start, whole.start);
            QCOMPARE(first.captures, whole.captures);
            ++checked;
        }
    }
    QVERIFY2(checked > 500, qPrintable(QString::number(checked)));
}

QTEST_GUILESS_MAIN(TestOopsRegex)
#include "tst_oopsregex.moc"
