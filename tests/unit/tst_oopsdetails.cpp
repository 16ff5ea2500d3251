// SPDX-License-Identifier: GPL-2.0-or-later
// The facts read from an excerpt's lines (kernellog/oopsdetails.h): DetailLines reads each line as
// a frame once and sorts the lines into frames and others, on every kind of line: questionable
// frames, frames with one or two [<pc>], unusual pcs, names that start with '.', "(unreliable)"
// lines, "<EOI>", empty lines, '\r', bytes >= 0x80, very long lines.
#include "kernellog/oopsdetails.h"
#include "kernellog/oopsline.h"

#include <QRandomGenerator>
#include <QTest>

#include <cctype>
#include <vector>

using namespace kmr::kernellog;
using namespace kmr::kernellog::detail;

namespace {

QByteArray pick(QRandomGenerator &rng, const QList<QByteArray> &from)
{
    return from[rng.bounded(int(from.size()))];
}

// Whole log lines (prefix and message) made of the pieces a frame line has, in every order, some
// of them broken.
QByteArray madeUpLine(QRandomGenerator &rng)
{
    static const QList<QByteArray> prefixes = {"[  123.456789][ T1234] ", "[    0.000000] ", "<4>[ 12.5] ",
        "[ 1.000000][   C1] ", "", "** 3 printk messages dropped ** [ 2.0] "};
    static const QList<QByteArray> lead = {"", " ", "  ", "    ", "\t"};
    static const QList<QByteArray> pcs = {"[<ffffffff81234567>] ", "[<0xffffffff8100>] ", "[<(____ptrval____)>] ",
        "[<80de0078>] ", "[ffffffff8100] ", "[<>] ", "[<ffffffff8100>]", "[", "[<ffffffffffffffffffffffffffff>] "};
    static const QList<QByteArray> marks = {"", "? ", "?  ", " ? ", "?"};
    static const QList<QByteArray> names = {"kmr_victim_step", "__schedule", "do_syscall_64", "f.isra.0", ".LC0", "_",
        "0day", "func.cold", "a..b", "n\xc3\xa9t", "x\xff", "RIP: 0010:", "Code", "", QByteArray(300, 'n') + "_long"};
    static const QList<QByteArray> offsets = {"+0x1a/0x30", "+0x15/0x1000", "+0x0/0x0", "+0x", "+0xzz/0x1", "+1a/0x30",
        "/0x30", ".cold+0x5/0x7", "+0x123456789abcdef0123/0x1", "+0x1a", ""};
    static const QList<QByteArray> tails = {"", " [kmr_initoops]", " [kmr_initoops 1234abcd]", " [", " (unreliable)",
        " <EOI>", " ? x", "\r", " net/socket.c:2475", " [mod\xff]"};
    QByteArray line = pick(rng, prefixes) + pick(rng, lead);
    for (int i = int(rng.bounded(3)); i > 0; --i)
        line += pick(rng, pcs);
    line += pick(rng, marks) + pick(rng, names) + pick(rng, offsets) + pick(rng, tails);
    if (rng.bounded(8) == 0)
        line = line.left(int(rng.bounded(int(line.size()) + 1))); // cut anywhere, even to nothing
    return line;
}

} // namespace

class TestOopsDetails : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void readSortsEachLineOnce();
    void readFramesAndOthers();
    void frameNamesAreSymbolCharacters();
    void inPositionsAsIndexOfAndLastIndexOf();
    void isTaskEndAsTrimmed();
};

// Made-up lines read in excerpts of up to 50: each line is a frame or an other line, once, in
// order; a frame's name is a view into its own line's message, followed by "+0x". Read without
// the offsets (a listing's read), the same lines are the same frames, with offsets and sizes 0.
void TestOopsDetails::readSortsEachLineOnce()
{
    QRandomGenerator rng(20261122);
    int frames = 0;
    DetailLines lines, lean;
    for (int n = 0; n < 100000;) {
        std::vector<std::vector<char>> raws; // each exactly its line's size: ASan catches a read past it
        std::vector<DetailLines::Other> excerpt;
        for (int k = int(rng.bounded(51)); k > 0; --k, ++n) {
            const QByteArray made = madeUpLine(rng);
            raws.emplace_back(made.begin(), made.end());
        }
        for (const std::vector<char> &raw : raws) {
            const ParsedLine p = parseLine(QByteArrayView(raw.data(), qsizetype(raw.size())));
            excerpt.push_back({p.message, n - int(raws.size()) + int(excerpt.size())});
        }
        lines.read(excerpt.data(), excerpt.size());
        QCOMPARE(lines.frames().size() + lines.others().size(), excerpt.size());
        lean.read(excerpt.data(), excerpt.size(), false);
        QCOMPARE(lean.frames().size(), lines.frames().size());
        for (size_t i = 0; i < lean.frames().size(); ++i) {
            const FrameAt &a = lean.frames()[i], &b = lines.frames()[i];
            QVERIFY(a.symbol.name.data() == b.symbol.name.data() && a.symbol.name.size() == b.symbol.name.size());
            QCOMPARE(a.symbol.module, b.symbol.module);
            QCOMPARE(a.questionable, b.questionable);
            QCOMPARE(a.line, b.line);
            QCOMPARE(a.symbol.offset, quint64(0));
            QCOMPARE(a.symbol.size, quint64(0));
        }
        QCOMPARE(lean.others().size(), lines.others().size());
        for (size_t i = 0; i < lean.others().size(); ++i)
            QCOMPARE(lean.others()[i].line, lines.others()[i].line);
        size_t f = 0, o = 0;
        for (const DetailLines::Other &l : excerpt) {
            const QByteArrayView m = l.message;
            if (f < lines.frames().size() && lines.frames()[f].line == l.line) {
                const FrameAt &frame = lines.frames()[f++];
                const QByteArrayView name = frame.symbol.name;
                QVERIFY(!name.isEmpty());
                QVERIFY(name.data() >= m.data() && name.data() + name.size() + 3 <= m.data() + m.size());
                QCOMPARE(QByteArrayView(name.data() + name.size(), 3), QByteArrayView("+0x"));
            } else {
                QVERIFY(o < lines.others().size());
                QCOMPARE(lines.others()[o].line, l.line);
                QVERIFY(lines.others()[o++].message.data() == m.data()); // the same line, not a copy
            }
        }
        frames += int(f);
    }
    qInfo("%d frames of 100000 lines", frames);
    QVERIFY(frames > 10000 && frames < 90000);
}

// Frames with their names, offsets, modules and "? " marks; the other lines; a second read
// replaces the first.
void TestOopsDetails::readFramesAndOthers()
{
    const QList<QByteArray> messages = {"BUG: kernel NULL pointer dereference", "Call Trace:", " f+0x1/0x2",
        " ? g+0x3/0x4 [m]", "RIP: 0010:f+0x1/0x2", " h+0x5/0x6", "Modules linked in: m"};
    std::vector<DetailLines::Other> excerpt;
    for (qsizetype i = 0; i < messages.size(); ++i)
        excerpt.push_back({messages[i], int(10 + 2 * i)}); // lines 10, 12, ... 22
    DetailLines lines;
    lines.read(excerpt.data(), excerpt.size());
    QCOMPARE(lines.frames().size(), size_t(3));
    const FrameAt &g = lines.frames()[1];
    QCOMPARE(g.symbol.name, QByteArrayView("g"));
    QCOMPARE(g.symbol.module, QByteArrayView("m"));
    QCOMPARE(g.symbol.offset, quint64(3));
    QCOMPARE(g.symbol.size, quint64(4));
    QVERIFY(g.questionable && !lines.frames()[0].questionable);
    QCOMPARE(g.line, 16);
    QCOMPARE(lines.frames()[2].line, 20);
    QCOMPARE(lines.others().size(), size_t(4));
    QCOMPARE(lines.others()[2].message, QByteArrayView("RIP: 0010:f+0x1/0x2"));
    QCOMPARE(lines.others()[3].line, 22);
    lines.read(excerpt.data(), 4); // lines 10 to 16
    QCOMPARE(lines.frames().size(), size_t(2));
    QCOMPARE(lines.frames().back().line, 16);
    QCOMPARE(lines.others().size(), size_t(2));
    QCOMPARE(lines.others().back().line, 12);
    lines.read(excerpt.data(), 0);
    QVERIFY(lines.frames().empty() && lines.others().empty());
}

// A frame's name is its run of [A-Za-z0-9_.]: every byte, at every place of the 16 bytes the name's
// end is looked for at once, and in the bytes after them (looked at one by one).
void TestOopsDetails::frameNamesAreSymbolCharacters()
{
    const auto symbolChar = [](uchar c) { return std::isalnum(c) || c == '_' || c == '.'; };
    DetailLines lines;
    for (int b = 0; b < 256; ++b) {
        for (int before = 0; before < 40; ++before) {
            const QByteArray name = QByteArray(before, 'f') + char(b) + "_x";
            const QByteArray message = ' ' + name + "+0x1a/0x30";
            const std::vector<char> exact(message.begin(), message.end());
            const DetailLines::Other line = {QByteArrayView(exact.data(), qsizetype(exact.size())), 1};
            lines.read(&line, 1);
            const bool isFrame = lines.frames().size() == 1;
            const bool leadingSpace = before == 0 && b == ' '; // one more space before the name "_x"
            QCOMPARE(isFrame, symbolChar(uchar(b)) || leadingSpace);
            if (isFrame) {
                QCOMPARE(lines.frames().back().symbol.name, leadingSpace ? QByteArray("_x") : name);
                QCOMPARE(lines.frames().back().symbol.offset, quint64(0x1a));
            }
        }
    }
}

// Titles made of " in ", "in", spaces and words, overlapping (" in in "), at both ends, and
// non-ASCII characters; short and long ones (inPositions() reads 8 characters at a time), each in a
// buffer of exactly its size (ASan catches a read past it).
void TestOopsDetails::inPositionsAsIndexOfAndLastIndexOf()
{
    const QStringList pieces = {u" in "_qs, u"in"_qs, u" "_qs, u"i"_qs, u"n "_qs, u"BUG: KASAN"_qs,
        u"kmr_\u00e9t\u00e9"_qs, u"\U0001F600"_qs, u"use-after-free"_qs};
    QRandomGenerator rng(7);
    for (int n = 0; n < 20000; ++n) {
        QString title;
        for (int k = int(rng.bounded(9)); k > 0; --k)
            title += pieces[rng.bounded(int(pieces.size()))];
        const std::vector<char16_t> exact(title.utf16(), title.utf16() + title.size());
        const InPositions in = inPositions(QStringView(exact.data(), qsizetype(exact.size())));
        QCOMPARE(in.first, title.indexOf(u" in "));
        QCOMPARE(in.last, title.lastIndexOf(u" in "));
    }
}

void TestOopsDetails::isTaskEndAsTrimmed()
{
    const QList<QByteArray> pieces
        = {"</TASK>", "<TASK>", "</TASK", " ", "\t", "\r", "\n", "\v", "\f", "x", "\xa0", "<"};
    QRandomGenerator rng(8);
    for (int n = 0; n < 20000; ++n) {
        QByteArray text;
        for (int k = int(rng.bounded(5)); k > 0; --k)
            text += pieces[rng.bounded(int(pieces.size()))];
        const std::vector<char> exact(text.begin(), text.end());
        const QByteArrayView message(exact.data(), qsizetype(exact.size()));
        QCOMPARE(isTaskEnd(message), message.trimmed() == "</TASK>");
    }
}

QTEST_GUILESS_MAIN(TestOopsDetails)
#include "tst_oopsdetails.moc"
