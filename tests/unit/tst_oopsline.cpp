// SPDX-License-Identifier: GPL-2.0-or-later
// The per-line code of the OopsExtractor (kernellog/oopsline.h, literalset.h, internednames.h):
// LiteralSet::find(), which every line of a log goes through, against a plain memmem per literal,
// on real crash logs and on lines made to hit its edges (short lines, literals at the very end,
// bytes >= 0x80, long prefixes).
#include "kernellog/internednames.h"
#include "kernellog/literalset.h"
#include "kernellog/oopsline.h"
#include "kernellog/oopsrules.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTest>

#include <cstring>
#include <memory>

using namespace kmr::kernellog;
using namespace kmr::kernellog::detail;

namespace {

// The reference: bit i when literals[i] occurs in line.
// The reference: libc's memmem, not the project's own find() (which LiteralSet's fallback uses).
quint64 findByMemmem(const QList<QByteArray> &literals, QByteArrayView line)
{
    quint64 found = 0;
    for (qsizetype i = 0; i < literals.size(); ++i) {
        const QByteArray &l = literals[i];
        if (!line.isEmpty() && memmem(line.data(), size_t(line.size()), l.constData(), size_t(l.size())))
            found |= quint64(1) << i;
    }
    return found;
}

QList<QByteArray> lineLiteralsOf(const QList<const char *> &texts)
{
    QList<QByteArray> out;
    for (const char *t : texts)
        out << QByteArray(t);
    return out;
}

// What the extractor checks every line for (oopsline.cpp's lineLiterals(), in its order).
QList<QByteArray> extractorLiterals()
{
    QList<QByteArray> l;
    for (const auto &g : rules::groups())
        l << g.header;
    l << lineLiteralsOf({"printk messages dropped", "Disabling lock debugging due to kernel taint",
        "Sending NMI from CPU", "Kernel panic - not syncing", "WARNING: possible circular locking dependency detected",
        "vmalloc: allocation failure:", "FAULT_INJECTION: forcing a failure", "FAULT_FLAG_ALLOW_RETRY missing",
        "Call Trace", "backtrace", "Call trace"});
    for (const char *stack : kStackLiterals)
        l << stack;
    return l;
}

// Sets that take the other branches: literals that begin with characters of the timestamp prefix
// (no prefix skipping then), bytes >= 0x80, the same literal twice, and 64 literals.
QList<QList<QByteArray>> literalSets()
{
    QList<QList<QByteArray>> sets;
    sets << extractorLiterals();
    sets << lineLiteralsOf({std::begin(kStackLiterals), std::end(kStackLiterals)});
    sets << lineLiteralsOf({"[ T1", "12.3", "] BUG", " ? __", "0x1a/", "\xc3\xa9t\xc3\xa9", "\xff\xfe\xfd\xfc", "Call",
        "Call", "all T", "[<ff", "T123]"});
    sets << lineLiteralsOf({"\x80\x81\x82\x83", "\xf0\x9f\x98\x80 oops", "zzzz"});
    QList<QByteArray> many;
    for (int i = 0; i < 64; ++i)
        many << QByteArray("lit") + QByteArray::number(i * 7919 % 1000) + char('a' + i % 26);
    sets << many;
    return sets;
}

// A line in a buffer of exactly its size, so that a read past its end is caught (under ASan).
struct ExactLine {
    explicit ExactLine(QByteArrayView text)
        : bytes(new char[size_t(std::max<qsizetype>(text.size(), 1))])
        , size(text.size())
    {
        if (size > 0) // (GCC -O2 warns of a huge memcpy when it cannot see the size is positive)
            std::memcpy(bytes.get(), text.data(), size_t(size));
    }
    QByteArrayView view() const { return QByteArrayView(bytes.get(), size); }
    std::unique_ptr<char[]> bytes;
    qsizetype size;
};

QList<QByteArray> corpusLines()
{
    QList<QByteArray> lines;
    for (const QString &dirName :
        {QStringLiteral(KMR_SHARED "/oops-corpus/syzkaller"), QStringLiteral(KMR_FIXTURES "/kmsg")}) {
        const QDir dir(dirName);
        for (const QString &name : dir.entryList(QDir::Files, QDir::Name)) {
            QFile f(dir.filePath(name));
            if (f.open(QIODevice::ReadOnly))
                lines << f.readAll().split('\n');
        }
    }
    return lines;
}

// Lines made of literal pieces, timestamp prefixes, frame text and arbitrary bytes, of every
// length from 0 to 120.
QList<QByteArray> madeUpLines(const QList<QByteArray> &literals)
{
    QRandomGenerator rng(20261122);
    const QList<QByteArray> pieces
        = {"[  123.456789][ T1234] ", "[    0.000000] ", "<4>[ 12.5] ", "  __sys_sendmsg+0x1a/0x30 net/socket.c:2475",
            " ? ", "[<ffffffff8100>] ", "      ", "\xc3\xa9", "\xff", "\x80", ":", "\t", "Call", "BUG"};
    QList<QByteArray> lines;
    for (int n = 0; n < 20000; ++n) {
        const int length = int(rng.bounded(121));
        QByteArray line;
        while (line.size() < length) {
            const quint32 kind = rng.bounded(4);
            if (kind == 0) {
                const QByteArray &l = literals[rng.bounded(int(literals.size()))];
                line += l.first(1 + rng.bounded(int(l.size()))); // sometimes all of it
            } else if (kind == 1) {
                line += pieces[rng.bounded(int(pieces.size()))];
            } else {
                line += char(rng.bounded(256));
            }
        }
        lines << line.first(length);
    }
    // Each literal at the very end and at the very start of lines of every length, whole and
    // short of its last byte.
    for (const QByteArray &l : literals) {
        for (int fill = 0; fill <= 70; ++fill) {
            const QByteArray filler = QByteArray("[  12.345678][ T99]  do_syscall_64+0x2f/0x40 arch/x86").left(fill);
            lines << filler + l << filler + l.chopped(1) << l + filler << "[ 1.0] " + filler + l;
        }
    }
    return lines;
}

void compareOnLines(const QList<QByteArray> &literals, const QList<QByteArray> &lines)
{
    const LiteralSet set(literals);
    QCOMPARE(set.size(), int(literals.size()));
    for (const QByteArray &text : lines) {
        const ExactLine line(text);
        const quint64 expected = findByMemmem(literals, line.view());
        if (set.find(line.view()) != expected || set.findPortable(line.view()) != expected) {
            qWarning() << "line" << text.toPercentEncoding() << "literals" << literals;
            QCOMPARE(set.find(line.view()), expected);
            QCOMPARE(set.findPortable(line.view()), expected);
        }
    }
}

// The lines of text as the extractor reads them: split at '\n', no empty line after a final '\n'.
QList<QByteArrayView> linesOf(QByteArrayView text)
{
    QList<QByteArrayView> lines;
    for (qsizetype pos = 0; pos < text.size();) {
        const qsizetype nl = text.indexOf('\n', pos);
        const qsizetype end = nl < 0 ? text.size() : nl;
        lines << text.sliced(pos, end - pos);
        pos = end + 1;
    }
    return lines;
}

// LineScan, with each vector pass this machine has and without one, gives each line of text (in a buffer of exactly its
// size) and the bits memmem finds in it.
void compareLineScan(const QList<QByteArray> &literals, const QByteArray &text)
{
    if (QTest::currentTestFailed())
        return; // one failure says it: the texts after it would repeat it
    const LiteralSet set(literals);
    const ExactLine exact(text);
    const QList<QByteArrayView> expected = linesOf(exact.view());
    for (const LineScan::Vector vector : {LineScan::Vector::None, LineScan::Vector::Avx2}) {
        LineScan scan(set, exact.view(), vector);
        QByteArrayView line;
        quint64 hits = 0;
        bool question = false;
        qsizetype n = 0;
        for (qsizetype start = scan.position(); scan.next(&line, &hits, &question); start = scan.position(), ++n) {
            QVERIFY2(n < expected.size(), "more lines than the text has");
            const auto offsetOf = [&](QByteArrayView v) { return qsizetype(v.data() - exact.view().data()); };
            QCOMPARE(offsetOf(line), offsetOf(expected[n])); // (offsets: QCOMPARE reads char pointers as strings)
            QCOMPARE(line.size(), expected[n].size());
            QCOMPARE(start, offsetOf(line));
            // Without a vector pass, every line may hold a '?'; with one, exactly those that do.
            QCOMPARE(question, scan.vector() == LineScan::Vector::None || line.contains('?'));
            const quint64 want = findByMemmem(literals, line);
            if (hits != want) {
                qWarning() << "vector" << int(scan.vector()) << "line" << n << "at" << start
                           << line.toByteArray().toPercentEncoding();
                QCOMPARE(hits, want);
            }
        }
        QCOMPARE(n, expected.size());
        QCOMPARE(scan.position(), text.size());
        QVERIFY(!scan.next(&line, &hits)); // and stays at the end
    }
}

} // namespace

class TestOopsLine : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void literalSetFindsWhatMemmemFinds_data();
    void literalSetFindsWhatMemmemFinds();
    void scanLineBitsNameTheirLiterals();
    void lineScanGivesEachLineItsBits_data();
    void lineScanGivesEachLineItsBits();
    void lineScanAtBlockEdges();
    void findFindsWhatMemmemFinds();
    void findOnLongTexts();
    void parseLineReadsEveryPrefixShape();
    void parseLineReadsPrintkPrefixes();
    void parseLineMarksQuestionableFrames_data();
    void parseLineMarksQuestionableFrames();
    void parseLineSeesEoiAnywhere();
    void frameFunctionsAsDocumented();
    void internedNamesKeepTheirText();
};

void TestOopsLine::initTestCase()
{
    qInfo("LiteralSet::find() here takes the %s path",
        LiteralSet::hasSimdFilter() ? "AVX2 filter" : "portable hash filter");
    qInfo("LineScan is tested here %s",
        LineScan::bestVector() == LineScan::Vector::Avx2 ? "with and without its AVX2 pass"
                                                         : "without a vector pass (this machine has no AVX2)");
    QVERIFY2(QDir(QStringLiteral(KMR_SHARED "/oops-corpus/syzkaller")).exists(),
        "the crash corpus is missing: ../shared/oops-corpus/syzkaller next to the source tree");
}

void TestOopsLine::literalSetFindsWhatMemmemFinds_data()
{
    QTest::addColumn<int>("set");
    QTest::addColumn<bool>("realLines");
    const int sets = int(literalSets().size());
    for (int s = 0; s < sets; ++s) {
        QTest::addRow("set %d, crash logs", s) << s << true;
        QTest::addRow("set %d, made-up lines", s) << s << false;
    }
}

void TestOopsLine::literalSetFindsWhatMemmemFinds()
{
    QFETCH(int, set);
    QFETCH(bool, realLines);
    const QList<QByteArray> literals = literalSets()[set];
    const QList<QByteArray> lines = realLines ? corpusLines() : madeUpLines(literals);
    QVERIFY(lines.size() > 1000);
    compareOnLines(literals, lines);
}

// Bit i of scanLine() is rules::groups()[i]'s header, then the LineMarker texts, then
// kStackLiterals.
void TestOopsLine::scanLineBitsNameTheirLiterals()
{
    const QList<QByteArray> literals = extractorLiterals();
    QCOMPARE(quint64(markerBit(MarkCallTrace)), quint64(1) << (rules::groups().size() + int(MarkCallTrace)));
    QCOMPARE(qPopulationCount(headerMask()), uint(rules::groups().size()));
    QCOMPARE(qPopulationCount(stackLiteralMask()), uint(std::size(kStackLiterals)));
    for (const QByteArray &text : corpusLines() + madeUpLines(literals)) {
        const ExactLine line(text);
        QCOMPARE(scanLine(line.view()), findByMemmem(literals, line.view()));
    }
}

void TestOopsLine::lineScanGivesEachLineItsBits_data()
{
    literalSetFindsWhatMemmemFinds_data();
}

// Whole texts: the crash logs one after the other, and the made-up lines joined by '\n', "\r\n"
// and NUL bytes (which are not line ends), with and without a last '\n'.
void TestOopsLine::lineScanGivesEachLineItsBits()
{
    QFETCH(int, set);
    QFETCH(bool, realLines);
    const QList<QByteArray> literals = literalSets()[set];
    const QList<QByteArray> lines = realLines ? corpusLines() : madeUpLines(literals);
    QByteArray text = lines.join('\n');
    compareLineScan(literals, text);
    compareLineScan(literals, text + '\n');
    if (!realLines) {
        compareLineScan(literals, lines.join("\r\n"));
        compareLineScan(literals, lines.join(QByteArray("\0\n\0", 3)));
    }
}

// The vector pass works on 4 KiB blocks of 64-byte chunks and reads 3 bytes past each position:
// literals and lines across those edges, lines of 100 KB, texts that end at every distance from
// a chunk's end (the last chunks read a padded copy), and texts of nothing but line ends.
void TestOopsLine::lineScanAtBlockEdges()
{
    const QList<QByteArray> literals = extractorLiterals();
    const QByteArray literal = "Call Trace", filler = "[  12.345678][ T99] x\xc3\xa9y\r";
    compareLineScan(literals, "");
    compareLineScan(literals, "\n");
    compareLineScan(literals, "\n\n\n");
    compareLineScan(literals, literal);
    compareLineScan(literals, literal.chopped(1));
    for (const qsizetype edge : {64, 4096, 8192}) {
        for (qsizetype at = edge - literal.size() - 2; at <= edge + 2; ++at) {
            QByteArray text = filler.repeated(int(at / filler.size() + 1)).left(at) + literal;
            text.replace('\n', ' ');
            compareLineScan(literals, text); // the literal ends the text
            compareLineScan(literals, text + "\n" + filler);
            QByteArray split = text;
            split[at + 3] = '\n'; // the literal cut by a '\n'
            compareLineScan(literals, split);
            QByteArray lineEdge = filler.repeated(int(edge / filler.size() + 2)).left(edge + 3);
            lineEdge[at] = '\n'; // a line ends near the edge, the next one begins with the literal
            compareLineScan(literals, lineEdge + literal + "\n" + literal);
        }
    }
    // Lines of 100 KB, a literal at their start, across block edges, and at their end.
    QByteArray longLine = QByteArray(100 * 1024, 'x');
    longLine.replace(0, literal.size(), literal);
    longLine.replace(4096 - 5, literal.size(), literal);
    longLine.replace(50000, 9, "backtrace");
    compareLineScan(literals, longLine + literal + "\n" + longLine + "\n" + literal);
    compareLineScan(literals, QByteArray(100 * 1024, '\n'));
    // A '?' next to chunk and block edges, in the line before or after a '\n' there.
    for (const qsizetype edge : {64, 4096}) {
        for (qsizetype at = edge - 2; at <= edge + 2; ++at) {
            QByteArray text(int(edge + 8), 'x');
            text[at] = '?';
            compareLineScan(literals, text);
            text[at + 1] = '\n';
            compareLineScan(literals, text);
            text[at + 1] = 'x';
            text[at - 1] = '\n';
            compareLineScan(literals, text);
        }
    }
    compareLineScan(literals, QByteArray(100 * 1024, '\0') + "Call trace");
    for (qsizetype size = 4096 - 70; size <= 4096 + 70; ++size) {
        QByteArray text = filler.repeated(int(size / filler.size() + 1)).left(size);
        compareLineScan(literals, text);
        text.replace(size - literal.size(), literal.size(), literal);
        compareLineScan(literals, text);
        text[size - 1] = '\n';
        compareLineScan(literals, text);
    }
}

// detail::find() and contains(), which the extractor calls on lines and reports, give memmem's
// answer: the first occurrence, for needles of 1 byte up to longer than the text.
void TestOopsLine::findFindsWhatMemmemFinds()
{
    QList<QByteArray> needles = extractorLiterals();
    needles << "<EOI>"
            << "?"
            << "] "
            << "ab"
            << "\xc3\xa9"
            << "\xff\x80"
            << "  "
            << "0x"
            << "Call Trace:" << QByteArray(40, ' ')
            << "[  12.345678][ T99]  do_syscall_64+0x2f/0x40 arch/x86/entry/common.c:83";
    const QList<QByteArray> hays = corpusLines() + madeUpLines(needles);
    for (const QByteArray &text : hays) {
        const ExactLine hay(text);
        for (const QByteArray &needle : needles) {
            const void *at = memmem(hay.bytes.get(), size_t(hay.size), needle.constData(), size_t(needle.size()));
            const qsizetype expected = at ? static_cast<const char *>(at) - hay.bytes.get() : -1;
            if (find(hay.view(), needle) != expected) {
                qWarning() << "text" << text.toPercentEncoding() << "needle" << needle.toPercentEncoding();
                QCOMPARE(find(hay.view(), needle), expected);
            }
        }
    }
    QCOMPARE(find("abc", ""), qsizetype(-1));
    QVERIFY(!contains("", "a"));
}

// find() on texts of 2 to 300 bytes and of a few kilobytes (the report texts a title searches),
// made of a few letters so that the needle's first and last bytes are often in place without the
// rest: needles of 2 to 70 bytes taken from the text (first found anywhere, at its very end, across
// 32- and 64-byte block edges) or made up, against memmem.
void TestOopsLine::findOnLongTexts()
{
    QRandomGenerator rng(32064);
    int found = 0;
    for (int n = 0; n < 4000 && !QTest::currentTestFailed(); ++n) {
        const int length = n % 5 == 0 ? 1000 + int(rng.bounded(4000)) : 2 + int(rng.bounded(299));
        QByteArray text(length, 'a');
        for (char &c : text)
            c = "abab \xff"[rng.bounded(6)];
        const ExactLine hay(text);
        for (int k = 0; k < 8; ++k) {
            const int m = 2 + int(rng.bounded(std::min(69, length - 1)));
            QByteArray needle = k == 0 ? text.right(m) : text.mid(int(rng.bounded(length - m + 1)), m);
            if (k == 7)
                needle[rng.bounded(m)] = 'z'; // (nowhere in the text)
            const void *at = memmem(hay.bytes.get(), size_t(hay.size), needle.constData(), size_t(needle.size()));
            const qsizetype expected = at ? static_cast<const char *>(at) - hay.bytes.get() : -1;
            found += expected >= 0;
            if (find(hay.view(), needle) != expected) {
                qWarning() << "length" << length << "needle" << needle.toPercentEncoding();
                QCOMPARE(find(hay.view(), needle), expected);
            }
        }
    }
    QVERIFY(found > 20000); // most needles were taken from their text
}

namespace {

// A timestamp prefix, well formed or not, of any length: the runs of spaces and digits go from
// none to past 32 bytes (where parseLine switches from its 32-byte window to the byte loop).
QByteArray madeUpPrefix(QRandomGenerator &rng)
{
    const auto run = [&](char c, int most) { return QByteArray(int(rng.bounded(most + 1)), c); };
    const auto digits = [&](int most) {
        QByteArray d;
        for (int i = int(rng.bounded(most + 1)); i > 0; --i)
            d += char('0' + rng.bounded(10));
        return d;
    };
    const auto maybe
        = [&](const QByteArray &usual, const char *other) { return rng.bounded(12) ? usual : QByteArray(other); };
    QByteArray p;
    if (!rng.bounded(6))
        p += "<" + digits(2) + maybe(">", "]");
    p += maybe("[", "(") + run(' ', rng.bounded(4) ? 5 : 40) + digits(rng.bounded(4) ? 6 : 30) + maybe(".", ",")
        + digits(rng.bounded(4) ? 7 : 30) + maybe("]", ")");
    if (rng.bounded(2)) {
        p += "[" + run(' ', rng.bounded(4) ? 5 : 30) + maybe(rng.bounded(2) ? "T" : "C", "X")
            + digits(rng.bounded(4) ? 6 : 25) + maybe("]", " ");
    }
    return p + maybe(" ", "x");
}

// The prefixes printk writes, "[%5lu.%06lu]" and then " " or a caller id "[%6s] ", as parseLine()
// reads them at fixed columns, and their near misses: the seconds and the id of every width
// (past their columns too), fractions of 5 to 7 digits, ids from "T1" to "C1234567", and now and
// then one byte of the prefix replaced (by a space, a digit, a bracket, 'T', 'X' or 0xff).
QByteArray printkPrefix(QRandomGenerator &rng)
{
    const auto number = [&](int digits) {
        QByteArray d = QByteArray::number(rng.bounded(9) + 1);
        while (d.size() < digits)
            d += char('0' + rng.bounded(10));
        return d;
    };
    const auto rightAligned
        = [](const QByteArray &text, int width) -> QByteArray { // (not a QStringBuilder of temporaries)
        return QByteArray(std::max<qsizetype>(0, width - text.size()), ' ') + text;
    };
    const int secondDigits = rng.bounded(8) ? int(rng.bounded(5)) + 1 : int(rng.bounded(20)) + 1;
    const int fraction = rng.bounded(8) ? 6 : int(rng.bounded(3)) + 5;
    QByteArray p = "[" + rightAligned(number(secondDigits), 5) + "." + number(fraction).right(fraction) + "]";
    if (rng.bounded(3)) {
        const int idDigits = rng.bounded(8) ? int(rng.bounded(5)) + 1 : int(rng.bounded(20)) + 1;
        p += "[" + rightAligned((rng.bounded(2) ? "T" : "C") + number(idDigits), 6) + "]";
    }
    p += ' ';
    if (!rng.bounded(4)) {
        const char replacements[] = {' ', '0', '7', '[', ']', '.', 'T', 'C', 'X', '\xff'};
        p[rng.bounded(int(p.size()))] = replacements[rng.bounded(int(sizeof replacements))];
    }
    return p;
}

// Checks parseLine() on text (a prefix, then a message) against the documented prefix pattern
// "(<N>)?[ *digits.digits]([ *[CT]digits])? " as a regular expression; counts the kinds of prefix.
struct PrefixCheck {
    const QRegularExpression prefix {
        QStringLiteral("^(?:<[0-9]+>)?\\[ *[0-9]+\\.[0-9]+\\](?:\\[ *(([CT])([0-9]+))\\])? ")};
    int withCaller = 0, plain = 0, none = 0;

    void check(const QByteArray &text)
    {
        const ExactLine line(text);
        const ParsedLine pl = parseLine(line.view());
        if (!text.contains('?')) { // what LineScan tells the extractor spares a look, not changes the answer
            const ParsedLine told = parseLine(line.view(), false);
            QCOMPARE(told.raw, pl.raw);
            QCOMPARE(told.text, pl.text);
            QCOMPARE(told.message, pl.message);
            QVERIFY(told.context == pl.context);
            QCOMPARE(told.questionable, pl.questionable);
        }
        const QRegularExpressionMatch m = prefix.match(QString::fromLatin1(text));
        if (!m.hasMatch()) {
            ++none;
            QVERIFY2(pl.context.kind == LineContext::None, text.constData());
            QCOMPARE(pl.message, line.view());
            return;
        }
        QCOMPARE(pl.message, line.view().sliced(m.capturedLength()));
        if (m.capturedLength(1) == 0) {
            ++plain;
            QVERIFY2(pl.context.kind == LineContext::Console, text.constData());
            return;
        }
        ++withCaller;
        QVERIFY2(pl.context.kind == (m.captured(2) == QLatin1String("T") ? LineContext::Task : LineContext::Cpu),
            text.constData());
        QCOMPARE(pl.context.id, line.view().sliced(m.capturedStart(1), m.capturedLength(1)));
        QCOMPARE(pl.context.number, m.captured(3).left(18).toULongLong());
    }
};

const QList<QByteArray> kMessages
    = {"", "x", "BUG: KASAN: use-after-free in f+0x1/0x2", "  __sys_sendmsg+0x1a/0x30 net/socket.c:2475",
        " ? f+0x1/0x2", "\xc3\xa9\xff ok", " f+0x1/0x2 (unreliable)", "(unreliable)", "(ok)"};

} // namespace

// parseLine()'s context and message on every shape of prefix, against the documented pattern.
void TestOopsLine::parseLineReadsEveryPrefixShape()
{
    QRandomGenerator rng(4242);
    PrefixCheck c;
    for (int n = 0; n < 50000 && !QTest::currentTestFailed(); ++n)
        c.check(madeUpPrefix(rng) + kMessages[rng.bounded(int(kMessages.size()))]);
    // Each kind came up often enough to mean something.
    QVERIFY(c.withCaller > 5000 && c.plain > 5000 && c.none > 5000);
}

// The same on the prefixes printk writes and their near misses, which parseLine() reads at fixed
// columns; the message's length goes from 0 to 40, so that the line ends inside, at and past the
// 32 bytes that parseLine() looks at at once.
void TestOopsLine::parseLineReadsPrintkPrefixes()
{
    QRandomGenerator rng(1122);
    PrefixCheck c;
    for (int n = 0; n < 50000 && !QTest::currentTestFailed(); ++n) {
        const QByteArray message = kMessages[rng.bounded(int(kMessages.size()))] + QByteArray(40, 'm');
        c.check(printkPrefix(rng) + message.left(rng.bounded(41)));
    }
    QVERIFY(c.withCaller > 10000 && c.plain > 10000 && c.none > 2000);
}

void TestOopsLine::parseLineMarksQuestionableFrames_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<bool>("questionable");
    QTest::addColumn<QByteArray>("text"); // ParsedLine::text
    const QByteArray ts = "[    1.000000][  T12] ";
    QTest::newRow("? frame") << ts + " ? f+0x1/0x2" << true << QByteArray(" f+0x1/0x2");
    QTest::newRow("? frame in an interrupt's stack")
        << ts + " ? f+0x1/0x2 <EOI>" << false << QByteArray(" ? f+0x1/0x2 <EOI>");
    QTest::newRow("'<' but no <EOI>") << ts + " <IRQ> ? f+0x1/0x2" << true << QByteArray(" f+0x1/0x2");
    QTest::newRow("<EOI> cut by '?'") << ts + " <EO ? I>" << true << QByteArray(" I>");
    QTest::newRow("'?' at the message's start") << ts + "? f" << false << QByteArray("? f");
    QTest::newRow("first '?' without spaces") << ts + "x?y ? z" << true << QByteArray(" z");
    QTest::newRow("unreliable") << ts + " f+0x1/0x2 (unreliable)" << true << QByteArray(" f+0x1/0x2");
    QTest::newRow("unreliable with <EOI>")
        << ts + " <EOI> f (unreliable)" << false << QByteArray(" <EOI> f (unreliable)");
    QTest::newRow("'\\r' ends it") << ts + " ? f+0x1/0x2\r" << true << QByteArray(" f+0x1/0x2");
}

// A stale address on the stack (" ? func" or "func (unreliable)") is marked, and ParsedLine::text
// drops the marker, except in a trace with an interrupt's stack ("<EOI>").
void TestOopsLine::parseLineMarksQuestionableFrames()
{
    QFETCH(QByteArray, line);
    QFETCH(bool, questionable);
    QFETCH(QByteArray, text);
    const ExactLine exact(line);
    const ParsedLine pl = parseLine(exact.view());
    QCOMPARE(pl.context.kind, LineContext::Task);
    QCOMPARE(pl.questionable, questionable);
    QCOMPARE(pl.text, QByteArrayView(text));
}

// The "<EOI>" (or a lone '<') of a questionable frame's line at every place of messages of 5 to 60
// bytes: the frame is questionable exactly when the message holds no "<EOI>".
void TestOopsLine::parseLineSeesEoiAnywhere()
{
    const QByteArray ts = "[    1.000000][  T12] ";
    for (int length = 5; length <= 60; ++length) {
        for (int at = 0; at + 5 <= length; ++at) {
            for (const char *mark : {"<EOI>", "<EOX>", "x<<OI"}) {
                QByteArray message = " ? f+" + QByteArray(length, 'x');
                message.replace(5 + at, 5, mark);
                const ExactLine exact(QByteArray(ts + message));
                const ParsedLine pl = parseLine(exact.view());
                const bool eoi = message.contains("<EOI>");
                QVERIFY2(pl.questionable == !eoi, message.constData());
                QCOMPARE(pl.text, eoi ? pl.message : pl.message.sliced(2));
            }
        }
    }
}

namespace {

// A frame line, well formed or not: "[<pc>] " parts, then a name of 0 to 40 characters among
// which the ones next to the function-name characters in ASCII and bytes >= 0x80, then what
// follows it; and the ARM form "[<pc>] (callee) from [<pc>] (caller+0x1/0x2)".
QByteArray madeUpFrame(QRandomGenerator &rng)
{
    const auto pick = [&](const QList<QByteArray> &from) { return from[rng.bounded(int(from.size()))]; };
    const auto pc = [&] {
        return rng.bounded(4) ? pick({"[<ffffffff8100abcd>] ", "[<0x80de0078>] ", "[ffff0000] "})
                              : pick({"[<ffff]", "[<>] ", "[<abcdeg>] ", "[<12>]", "[<0x>] "});
    };
    const QByteArray odd = "@[`{/:.+- \x80\xff";
    const auto name = [&] {
        QByteArray n;
        for (int i = int(rng.bounded(41)); i > 0; --i)
            n += "abcxyzABCXYZ0189_"[rng.bounded(17)];
        if (!n.isEmpty() && rng.bounded(3) == 0)
            n[rng.bounded(int(n.size()))] = odd[rng.bounded(int(odd.size()))];
        return n;
    };
    QByteArray line(int(rng.bounded(4)), ' ');
    if (rng.bounded(4) == 0)
        return line + pc() + "(" + name() + ") from " + pc() + "(" + name()
            + pick({"+0x28/0x2c)", ".isra.0)", ")", ""});
    for (int i = int(rng.bounded(4)); i > 0; --i)
        line += pc();
    return line + name() + pick({"+0x1a/0x30 net/socket.c:2475", ".cold+0x5/0x7", "", " ", "/", "+"});
}

} // namespace

// frameFunction() and armFrameFunctions() on made-up frames of every length, against their
// documented patterns as regular expressions.
void TestOopsLine::frameFunctionsAsDocumented()
{
    const QString pc = QStringLiteral("\\[<?(?:0x)?[0-9a-f]+>?\\]");
    const QRegularExpression frame(QStringLiteral("^ *(?:%1 ){0,2}([A-Za-z0-9_]+)[.+]").arg(pc));
    const QRegularExpression arm(QStringLiteral("^ *%1 \\(([A-Za-z0-9_.]+)\\) from %1 \\(([A-Za-z0-9_]+)[.+]").arg(pc));
    QRandomGenerator rng(777);
    int frames = 0, armFrames = 0;
    for (int n = 0; n < 50000; ++n) {
        const QByteArray text = madeUpFrame(rng);
        const ExactLine line(text);
        const QString latin1 = QString::fromLatin1(text);
        const QRegularExpressionMatch m = frame.match(latin1);
        frames += m.hasMatch();
        QCOMPARE(frameFunction(line.view()),
            m.hasMatch() ? line.view().sliced(m.capturedStart(1), m.capturedLength(1)) : QByteArrayView());
        const QRegularExpressionMatch a = arm.match(latin1);
        armFrames += a.hasMatch();
        QByteArrayView callee, caller;
        QCOMPARE(armFrameFunctions(line.view(), &callee, &caller), a.hasMatch());
        if (a.hasMatch()) {
            QCOMPARE(callee, line.view().sliced(a.capturedStart(1), a.capturedLength(1)));
            QCOMPARE(caller, line.view().sliced(a.capturedStart(2), a.capturedLength(2)));
        }
    }
    qInfo("%d frames, %d ARM frames", frames, armFrames);
    QVERIFY(frames > 5000 && armFrames > 500);
}

// internedName() gives each text its own entry, the same one again while it is remembered (the
// table grows, and is forgotten past 100000 names), whatever the length and bytes of the name.
void TestOopsLine::internedNamesKeepTheirText()
{
    const auto nameOf = [](int i) {
        QByteArray n = "f" + QByteArray::number(i * 2654435761u % 1000003);
        if (i % 3 == 0)
            n += QByteArray(i % 17, char('a' + i % 26)) + "\xe9";
        return n;
    };
    QVERIFY(internedName("").name.isEmpty());
    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < 120000; ++i) {
            const QByteArray n = nameOf(i);
            InternedName &entry = internedName(n);
            QCOMPARE(entry.name, QString::fromLatin1(n));
            if (entry.verdicts.isEmpty())
                entry.verdicts.append({&entry, i % 2 == 0});
        }
    }
    // The last names are still there with what was recorded on them; the first were forgotten.
    for (int i = 119000; i < 120000; ++i) {
        const InternedName &entry = internedName(nameOf(i));
        QCOMPARE(entry.verdicts.size(), 1);
        QCOMPARE(entry.verdicts.first().second, i % 2 == 0);
    }
    QVERIFY(internedName(nameOf(5)).verdicts.isEmpty());
    QCOMPARE(internLatin1("\xe9t\xe9"), QString::fromLatin1("\xe9t\xe9"));
}

QTEST_GUILESS_MAIN(TestOopsLine)
#include "tst_oopsline.moc"
