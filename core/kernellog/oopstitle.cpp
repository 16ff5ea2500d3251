// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/oopstitle.h"
#include "kernellog/internednames.h"
#include "kernellog/literalset.h"
#include "kernellog/oopsline.h"

#include <QHash>
#include <QVarLengthArray>

#include <algorithm>
#include <climits>
#include <optional>
#include <tuple>
#include <cstring>

namespace kmr::kernellog::detail {

namespace {

using rules::FrameChoice;
using rules::StackPart;
using rules::StackSpec;

enum StackLiteral {
    SCallTrace,
    SCallTraceArm,
    SAllocated,
    SFreed,
    SBacktraceArm,
    SUninitStored,
    SAllocatedBy,
    SFreedBy,
    SBacktrace,
    SShouldFail,
};

quint64 stackLiterals(QByteArrayView l)
{
    static const LiteralSet set(QList<QByteArray>(std::begin(kStackLiterals), std::end(kStackLiterals)));
    return set.find(l);
}

// The lines a stack walk reads, and what the line scan found in the log lines they are part of:
// a line whose log line holds no stack literal is not searched again.
struct WalkLines {
    QByteArrayView first; // the first line, from where the title's match starts
    const QByteArrayView *rest = nullptr; // the lines after it, read in place
    qsizetype size = 0; // the first line and the rest
    const quint64 *scanned = nullptr; // scanLine() of each line's log line, or nullptr
    quint64 stackMask = stackLiteralMask(); // (asked once per walk, not per line)
    QByteArrayView operator[](qsizetype i) const { return i == 0 ? first : rest[i - 1]; }
    quint64 literals(qsizetype i) const { return scanned && !(scanned[i] & stackMask) ? 0 : stackLiterals((*this)[i]); }
};

constexpr quint64 bit(StackLiteral s)
{
    return quint64(1) << s;
}

bool isStackStart(QByteArrayView l, quint64 hits)
{
    if (hits
        & (bit(SCallTrace) | bit(SCallTraceArm) | bit(SAllocated) | bit(SFreed) | bit(SBacktraceArm)
            | bit(SUninitStored)))
        return true;
    if (hits & (bit(SAllocatedBy) | bit(SFreedBy)))
        return l.endsWith(':');
    if (hits & bit(SBacktrace)) {
        const qsizetype b = l.indexOf(" backtrace");
        if (b > 0 && l[b - 1] != 'k') {
            const QByteArrayView rest = l.sliced(b + 10);
            return rest.startsWith(':') || (rest.startsWith(" (crc ") && rest.contains("):"));
        }
    }
    return false;
}

bool isCorruptedLine(QByteArrayView l, quint64 hits)
{
    if (!(hits & bit(SShouldFail)))
        return false;
    static const Regex re(
        QStringLiteral("^( \\[\\<?(?:0x)?[0-9a-f]+\\>?\\])? should_fail(slab)?(\\.[a-z0-9.]+)?\\+0x"));
    return re.matches(Subject(l));
}

const Regex &ripRe(bool withInterrupt)
{
    static const QString rip = QStringLiteral(
        "(?:IP|NIP|pc |PC is at):? (?:(?:[0-9]+:)?(?:\\[\\<?(?:0x)?[0-9a-f]+\\>?\\] +){0,2}([a-zA-Z0-9_]+)(?:\\.|\\+)|"
        "(?:[0-9]+:)?0x[0-9a-f]+|(?:[0-9]+:)?\\[\\<?(?:0x)?[0-9a-f]+\\>?\\] +\\[< *\\(null\\)>\\] +\\(null\\)|"
        "[0-9]+: +\\(null\\))");
    static const Regex plain(rip);
    static const Regex interrupt(
        QStringLiteral("(?:") + rip + QStringLiteral("|--- interrupt: [0-9]+ at ([a-zA-Z0-9_]+)(?:\\.|\\+))"));
    return withInterrupt ? interrupt : plain;
}

// The frames a line's match captured, those the stack spec does not skip appended to frames.
bool matchFrames(const Regex &re, QByteArrayView l, const StackSpec &spec, QStringList &frames)
{
    // An ASCII line's captures are looked up as bytes, as the walk's frame names are: the
    // interned name's text is the capture's, with no copy made of it.
    const Subject subject(l);
    Regex::Views views;
    const qsizetype at = re.matchAscii(subject, &views);
    if (at != Regex::kUnanswered) {
        if (at < 0)
            return false;
        for (const QByteArrayView f : std::as_const(views)) {
            if (f.isEmpty())
                continue;
            InternedName &n = internedName(f);
            if (!spec.skips(n, f))
                frames << n.name;
        }
        return true;
    }
    QStringList captured;
    if (re.match(subject, &captured) < 0)
        return false;
    for (const QString &f : std::as_const(captured)) {
        if (!f.isEmpty() && !spec.skips(f.toLatin1()))
            frames << f;
    }
    return true;
}

// Whether the line contains "IP", "pc ", "PC is at" or (withInterrupt) "--- interrupt:", which
// every match of ripRe() does. Found from the line's 'P's and 'p's (memchr), not byte by byte.
bool mayHoldRip(QByteArrayView l, bool withInterrupt)
{
    const char *p = l.data();
    const qsizetype n = l.size();
    if (n == 0)
        return false;
    for (const char *q = p; (q = static_cast<const char *>(std::memchr(q, 'P', size_t(p + n - q)))); ++q) {
        const qsizetype at = q - p;
        if ((at > 0 && p[at - 1] == 'I') || l.sliced(at).startsWith("PC is at"))
            return true;
        if (at + 1 == n)
            break;
    }
    for (const char *q = p; (q = static_cast<const char *>(std::memchr(q, 'p', size_t(p + n - q)))); ++q) {
        const qsizetype at = q - p;
        if (at + 2 < n && p[at + 1] == 'c' && p[at + 2] == ' ')
            return true;
        if (at + 1 == n)
            break;
    }
    return withInterrupt && contains(l, "--- interrupt:");
}

// Whether the line satisfies a non-trace part; captured frames are appended.
// hits: stackLiterals(l).
bool matchPart(const StackPart &part, QByteArrayView l, quint64 hits, const StackSpec &spec, QStringList &frames)
{
    switch (part.kind) {
    case StackPart::CallTrace:
        if (!(hits & (bit(SCallTrace) | bit(SCallTraceArm) | bit(SBacktraceArm))))
            return false; // none of the three without its first ten letters
        return contains(l, "Call Trace:") || contains(l, "Call trace:") || contains(l, "Backtrace:");
    case StackPart::Literal:
        return contains(l, part.literal);
    case StackPart::Rip: {
        const bool interrupt = !part.literal.isEmpty();
        return mayHoldRip(l, interrupt) && matchFrames(ripRe(interrupt), l, spec, frames);
    }
    case StackPart::Regex:
        return matchFrames(part.re, l, spec, frames);
    case StackPart::ParseTrace:
        break;
    }
    return false;
}

// The hung task choice: the first frame holding an anchor gives the title; else the first frame
// holding none of the skip texts. Each frame is searched without its prefix. All the texts are
// looked for at once, in the frame's Latin-1 bytes: they are ASCII, so a character of the frame
// above 0xff (written '?', which none of them holds) is never part of a match, as in the UTF-16 text.
QString hungTaskFrame(const QStringList &raw)
{
    static const char *const anchors[][2]
        = {{"rtnl_lock", ""}, {"synchronize_rcu", "synchronize_rcu"}, {"synchronize_srcu", "synchronize_rcu"},
            {"synchronize_net", "synchronize_rcu"}, {"synchronize_sched", "synchronize_rcu"}};
    static const char *const skip[] = {"sched", "_lock", "_slowlock", "down", "rwsem", "completion", "kthread", "wait",
        "synchronize", "context_switch", "__switch_to", "cancel_delayed_work", "rcu_barrier"};
    constexpr int kAnchors = int(std::size(anchors));
    // Bits 0 to kAnchors - 1: the anchors; the skip texts after them.
    static const LiteralSet texts = [] {
        QList<QByteArray> all;
        for (const auto &a : anchors)
            all << QByteArray(a[0]);
        for (const char *s : skip)
            all << QByteArray(s);
        return LiteralSet(all);
    }();
    const quint64 anchorBits = (quint64(1) << kAnchors) - 1;
    std::optional<QStringView> kept; // the first frame with none of the skip texts
    QVarLengthArray<char, 128> latin1;
    for (const QString &r : raw) {
        const QStringView f = QStringView(r).sliced(rules::framePrefixLength(r));
        latin1.resize(f.size());
        for (qsizetype i = 0; i < f.size(); ++i)
            latin1[i] = f[i].unicode() < 0x100 ? char(f[i].unicode()) : '?';
        const quint64 hits = texts.find(QByteArrayView(latin1.data(), latin1.size()));
        if (hits & anchorBits) {
            const auto &a = anchors[qCountTrailingZeroBits(hits & anchorBits)];
            return a[1][0] ? QString::fromLatin1(a[1]) : f.toString();
        }
        if (!kept && !(hits & ~anchorBits))
            kept = f;
    }
    return kept ? kept->toString() : QString();
}

QString chooseFrame(const QStringList &raw, FrameChoice choice)
{
    if (raw.isEmpty())
        return {};
    switch (choice) {
    case FrameChoice::First:
        return rules::stripFramePrefixes(raw.first()); // the others are not looked at
    case FrameChoice::Stall: {
        // The frame before the first anchor (the anchor itself when it is the first frame).
        for (qsizetype i = 0; i < raw.size(); ++i) {
            if (!rules::isStallAnchorOnceStripped(raw[i]))
                continue;
            if (rules::stripFramePrefixes(raw[i]).contains(QLatin1String("smp_call_function")))
                return QStringLiteral("smp_call_function");
            return rules::stripFramePrefixes(raw[std::max<qsizetype>(i - 1, 0)]);
        }
        return {};
    }
    case FrameChoice::HungTask:
        return hungTaskFrame(raw);
    }
    return {};
}

// Whether, from line i on, a corrupted line comes before the next trace starts (or the end): what
// the walk of a trace would still find out once its key frame is known.
bool corruptedBeforeNextTrace(const WalkLines &walk, qsizetype i)
{
    for (; i < walk.size; ++i) {
        const quint64 hits = walk.literals(i);
        if (isCorruptedLine(walk[i], hits))
            return true;
        if (isStackStart(walk[i], hits))
            return false;
    }
    return false;
}

// syzkaller's extractStackFrameImpl: walk the parts in order over the lines; each trace yields
// one key frame. Returns false when a key frame could not be found.
bool extractFrames(const StackSpec &spec, const QList<StackPart> &parts, const WalkLines &walk, QStringList &results)
{
    // A trace's frames. The list is the thread's, kept from walk to walk with its room (a walk
    // does not call another), instead of an allocation and a release per walk.
    thread_local QStringList frames;
    QStringList &raw = frames;
    raw.clear();
    raw.reserve(32);
    bool ok = true;
    int traces = 0;
    qsizetype i = 0;
    const qsizetype n = walk.size;
    for (int partIdx = 0;; ++partIdx) {
        if (partIdx == parts.size() || (parts[partIdx].kind == StackPart::ParseTrace && traces > 0)) {
            QString key = chooseFrame(raw, spec.choice);
            if (key.isEmpty()) {
                key = QStringLiteral("corrupted");
                ok = false;
            }
            results << key;
            raw.clear();
        }
        if (partIdx == parts.size())
            break;
        const StackPart &part = parts[partIdx];
        if (part.kind == StackPart::ParseTrace) {
            ++traces;
            const bool last = partIdx == parts.size() - 1;
            while (i < n) {
                const quint64 hits = walk.literals(i);
                const QByteArrayView l = walk[i++];
                if (isCorruptedLine(l, hits)) {
                    ok = false;
                    break;
                }
                if (isStackStart(l, hits))
                    break;
                if (!last && matchPart(parts[partIdx + 1], l, hits, spec, raw)) {
                    ++partIdx;
                    break;
                }
                const QByteArrayView f = frameFunction(l);
                QByteArrayView callee, caller;
                // One look-up of each name gives both its text and the skip patterns' verdicts.
                if (!f.isEmpty()) {
                    InternedName &n = internedName(f);
                    if (!spec.skips(n, f))
                        raw << n.name;
                } else if (armFrameFunctions(l, &callee, &caller)) {
                    for (const QByteArrayView a : {callee, caller}) {
                        InternedName &n = internedName(a);
                        if (!spec.skips(n, a))
                            raw << n.name;
                    }
                }
                // The first interesting frame is all the plain choice needs. With a second list of
                // parts to fall back on, a corrupted line before the next trace still fails the walk;
                // the frame lines on the way need not be read.
                if (last && spec.choice == FrameChoice::First && !raw.isEmpty()) {
                    if (!spec.parts2.isEmpty() && corruptedBeforeNextTrace(walk, i))
                        ok = false;
                    i = n;
                }
            }
        } else {
            while (i < n) {
                const quint64 hits = walk.literals(i);
                const QByteArrayView l = walk[i++];
                if (isCorruptedLine(l, hits)) {
                    ok = false;
                    break;
                }
                if (matchPart(part, l, hits, spec, raw))
                    break;
            }
        }
    }
    return ok;
}

// Whether text holds one of the texts of each set (see requiredAlternatives()). ASCII texts are in
// the bytes exactly when they are in their UTF-16 conversion.
bool holdsOneOfEach(QByteArrayView text, const QList<QList<QByteArray>> &sets)
{
    return std::all_of(sets.begin(), sets.end(), [&](const QList<QByteArray> &set) {
        return std::any_of(set.begin(), set.end(), [&](const QByteArray &t) { return contains(text, t); });
    });
}

// Where "X:[[:space:]]*(?:\n|$)" first matches text (lines each ended by '\n'): the first X followed
// by ASCII white space up to a line's end, as an offset in text's UTF-16 conversion; -1 when none.
qsizetype bareHeaderAt(QByteArrayView text, QByteArrayView x)
{
    for (qsizetype at = find(text, x); at >= 0;) {
        qsizetype p = at + x.size();
        while (p < text.size() && std::strchr(" \t\r\f\v", text[p]) && text[p] != '\0')
            ++p;
        if (p == text.size() || text[p] == '\n') {
            const QByteArrayView before = text.first(at);
            const bool ascii = std::all_of(before.begin(), before.end(), [](char c) { return uchar(c) < 0x80; });
            return ascii ? at : QString::fromUtf8(before).size();
        }
        const qsizetype next = find(text.sliced(at + 1), x);
        at = next < 0 ? -1 : at + 1 + next;
    }
    return -1;
}

QString formatTitle(const QString &fmt, const QStringList &args)
{
    // Written into a buffer on the stack, then copied once into the result: one allocation
    // instead of the appends' growth.
    QVarLengthArray<QChar, 256> out;
    const auto add = [&out](QStringView v) { out.append(v.data(), v.size()); };
    const QStringView f(fmt);
    qsizetype i = 0; // the text from here to the next '{' is copied as it is
    while (i < f.size()) {
        const qsizetype open = f.indexOf(u'{', i);
        if (open < 0) {
            add(f.sliced(i));
            break;
        }
        add(f.sliced(i, open - i));
        // "{n}" with one digit (what the table's formats hold), read without toInt(): the same.
        if (open + 2 < f.size() && f[open + 1].isDigit() && f[open + 1].unicode() < 0x80 && f[open + 2] == u'}') {
            const int n = f[open + 1].unicode() - '0';
            if (n >= 1 && n <= args.size())
                add(args[n - 1]);
            i = open + 3;
            continue;
        }
        const qsizetype close = f.indexOf(u'}', open);
        bool ok = false;
        const int n = close > open ? f.sliced(open + 1, close - open - 1).toInt(&ok) : 0;
        if (ok) {
            if (n >= 1 && n <= args.size())
                add(args[n - 1]);
            i = close + 1;
        } else {
            out.append(QLatin1Char('{'));
            i = open + 1;
        }
    }
    return QString(out.constData(), out.size());
}

} // namespace

QString sanitizeCharacters(const QString &t);

namespace {

QString sanitizeUncached(const QString &title)
{
    // Each pattern with what its every match needs, checked first: most titles need none of them.
    struct Replacement {
        QRegularExpression re;
        QString with;
        bool (*mayMatch)(const QString &t);
    };
    static const auto anyDigit
        = [](const QString &t) { return std::any_of(t.begin(), t.end(), [](QChar c) { return c.isDigit(); }); };
    // A run of `length` characters that `in` accepts.
    static const auto hasRun = [](const QString &t, qsizetype length, bool (*in)(QChar)) {
        qsizetype run = 0;
        for (const QChar c : t) {
            run = in(c) ? run + 1 : 0;
            if (run >= length)
                return true;
        }
        return false;
    };
    static const QList<Replacement> table = {
        {QRegularExpression(QStringLiteral("syz-executor\\.?[0-9]+((/|:)[0-9]+)?")), QStringLiteral("syz-executor"),
            [](const QString &t) { return t.contains(u'z') && t.contains(QLatin1String("syz-executor")); }},
        {QRegularExpression(QStringLiteral("syzkaller[0-9]+((/|:)[0-9]+)?")), QStringLiteral("syzkaller"),
            [](const QString &t) { return t.contains(u'z') && t.contains(QLatin1String("syzkaller")); }},
        {QRegularExpression(QStringLiteral("([^a-zA-Z0-9])(?:0x)?[0-9a-f]{6,}")), QStringLiteral("\\1ADDR"),
            [](const QString &t) {
                return hasRun(t, 6, [](QChar c) {
                    return (c >= QLatin1Char('0') && c <= QLatin1Char('9'))
                        || (c >= QLatin1Char('a') && c <= QLatin1Char('f'));
                });
            }},
        {QRegularExpression(QStringLiteral("([0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3})")),
            QStringLiteral("IP"), [](const QString &t) { return t.contains(QLatin1Char('.')) && anyDigit(t); }},
        {QRegularExpression(QStringLiteral("(\\.\\w+)(:[0-9]+)+")), QStringLiteral("\\1:LINE"),
            [](const QString &t) { return t.contains(QLatin1Char(':')) && t.contains(QLatin1Char('.')); }},
        {QRegularExpression(QStringLiteral("([a-zA-Z][a-zA-Z0-9_.]+)\\+0x[0-9a-z]+/0x[0-9a-z]+")),
            QStringLiteral("\\1"),
            [](const QString &t) { return t.contains(u'+') && t.contains(QLatin1String("+0x")); }},
        {QRegularExpression(QStringLiteral("CPU#[0-9]+")), QStringLiteral("CPU"),
            [](const QString &t) { return t.contains(u'#') && t.contains(QLatin1String("CPU#")); }},
        {QRegularExpression(QStringLiteral("(\\W)(\\d+)(\\W|$)")), QStringLiteral("\\1NUM\\3"),
            [](const QString &t) {
                // A digit right after a character that is not an ASCII letter, digit or '_'.
                for (qsizetype i = 1; i < t.size(); ++i) {
                    const char16_t p = t[i - 1].unicode();
                    const bool word
                        = (p >= 'a' && p <= 'z') || (p >= 'A' && p <= 'Z') || (p >= '0' && p <= '9') || p == '_';
                    if (t[i].isDigit() && !word)
                        return true;
                }
                return false;
            }},
        {QRegularExpression(QStringLiteral("(\\d+){7,}")), QStringLiteral("NUM"),
            [](const QString &t) { return hasRun(t, 7, [](QChar c) { return c.isDigit(); }); }},
    };
    // Every pattern but the address one needs an ASCII digit, and none of them adds one: a title
    // without digits (most of them) meets only the address pattern.
    constexpr qsizetype kAddressPattern = 2;
    const bool digits = std::any_of(
        title.begin(), title.end(), [](QChar c) { return c >= QLatin1Char('0') && c <= QLatin1Char('9'); });
    QString t = title;
    for (qsizetype i = 0; i < table.size(); ++i) {
        const Replacement &r = table[i];
        if (!digits && i != kAddressPattern)
            continue;
        for (int guard = 0; guard < 16 && r.mayMatch(t); ++guard) {
            const QString next = QString(t).replace(r.re, r.with);
            if (next == t)
                break;
            t = next;
        }
    }
    return sanitizeCharacters(t);
}

} // namespace

QString sanitizeTitle(const QString &title)
{
    // The same titles come back report after report: each one's answer is remembered (per
    // thread, as extraction may run on workers; forgotten when there are too many).
    thread_local QHash<QString, QString> known;
    const auto it = known.constFind(title);
    if (it != known.cend())
        return *it;
    if (known.size() >= kSanitizedTitlesKept)
        known.clear();
    QString sanitized = sanitizeUncached(title);
    known.insert(title, sanitized);
    return sanitized;
}

QString sanitizeCharacters(const QString &t)
{
    const qsizetype n = std::min<qsizetype>(t.size(), 120);
    QString res(n, Qt::Uninitialized);
    QChar *out = res.data();
    QChar prev = QLatin1Char(' ');
    for (qsizetype i = 0; i < n; ++i) {
        QChar ch = t[i];
        if (ch == QLatin1Char('\t'))
            ch = QLatin1Char(' ');
        else if (ch.unicode() < 0x20 || ch.unicode() >= 0x7f)
            continue;
        if (ch == QLatin1Char(' ') && prev == QLatin1Char(' '))
            continue;
        *out++ = ch;
        prev = ch;
    }
    res.truncate(out - res.constData());
    return res.trimmed();
}

TitleResult makeTitle(const rules::OopsGroup &group, const QList<QByteArrayView> &lines, const quint64 *scanned)
{
    TitleResult r;
    if (lines.isEmpty())
        return r;
    const Subject header(lines.first());
    QByteArray joined; // the lines joined, each ended by '\n'
    std::optional<Subject> text; // joined, as patterns see it
    QList<qsizetype> lineStarts; // where each line starts in the UTF-16 conversion of text (when not ASCII)
    const auto joinedText = [&]() -> const QByteArray & {
        if (joined.isEmpty()) {
            qsizetype size = 0;
            for (const QByteArrayView l : lines)
                size += l.size() + 1;
            joined.resize(size);
            char *out = joined.data();
            for (const QByteArrayView l : lines) {
                if (!l.isEmpty()) // an empty view's data() may be null, which memcpy must not get
                    std::memcpy(out, l.data(), size_t(l.size()));
                out += l.size();
                *out++ = '\n';
            }
        }
        return joined;
    };
    const auto fullText = [&]() -> const Subject & {
        if (!text)
            text.emplace(joinedText());
        return *text;
    };
    // Whether the texts a format's title always contains are there: ASCII text is in the bytes
    // exactly when it is in their conversion, so most patterns are spared without one.
    // On the header line, every format's first literal is looked for in one pass.
    const quint64 headerHits = group.firstLiterals ? group.firstLiterals->find(lines.first()) : ~quint64(0);
    const auto mayMatch = [&](qsizetype format, bool onText) {
        const rules::OopsFormat &f = group.formats[format];
        const QByteArrayView subject = onText ? QByteArrayView(joinedText()) : lines.first();
        qsizetype from = 0;
        if (!onText && group.firstLiterals && !f.titleLiterals.isEmpty()) {
            if (!(headerHits & (quint64(1) << group.firstLiteralBit[format])))
                return false;
            from = 1;
        }
        for (qsizetype i = from; i < f.titleLiterals.size(); ++i) {
            if (!contains(subject, f.titleLiterals[i]))
                return false;
        }
        return holdsOneOfEach(subject, f.titleAlternatives);
    };
    // The same for a format's report pattern, which is matched on the whole text.
    const auto reportMayMatch = [&](const rules::OopsFormat &f) {
        const QByteArrayView subject(joinedText());
        return std::all_of(f.reportLiterals.begin(), f.reportLiterals.end(), [&](const QByteArray &l) {
            return contains(subject, l);
        }) && holdsOneOfEach(subject, f.reportAlternatives);
    };
    // A multi-line title's match that starts in the first line touches its first titleLines lines
    // at most (maxLinesSpanned()): no path of the pattern from there reads further than the '\n'
    // after them, so it is found in those lines alone, the same match with the same captures as in
    // the whole text, and before any match that starts later. When the lines are ASCII, its start
    // is the text's too. -1 when no match starts in the first line: the whole text then decides.
    const auto matchInFirstLines = [&](const rules::OopsFormat &f, QStringList &values) -> qsizetype {
        QVarLengthArray<char, 512> head;
        for (qsizetype i = 0; i < std::min<qsizetype>(f.titleLines, lines.size()); ++i) {
            head.append(lines[i].data(), lines[i].size());
            head.append('\n');
        }
        const QByteArrayView bytes(head.data(), head.size());
        const Subject subject(bytes);
        const bool possible = subject.isAscii()
            && std::all_of(
                f.titleLiterals.begin(), f.titleLiterals.end(), [&](const QByteArray &l) { return contains(bytes, l); })
            && holdsOneOfEach(bytes, f.titleAlternatives);
        const qsizetype pos = possible ? f.title.match(subject, &values) : -1;
        if (pos >= 0 && pos < lines.first().size())
            return pos;
        values.clear();
        return -1;
    };
    // The lines hold no '\n', so each one starts after one: in the bytes when they are ASCII (where
    // an offset is a UTF-16 offset), else in their conversion.
    // The line holding an offset of the text, and where that line starts. Matches are near the
    // top: in ASCII text the lines are walked to it, else their starts in the conversion are found.
    const auto lineOf = [&](qsizetype offset) -> std::pair<qsizetype, qsizetype> {
        if (fullText().isAscii()) {
            qsizetype start = 0;
            for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
                const qsizetype next = start + lines[i].size() + 1;
                if (next > offset)
                    return {i, start};
                start = next;
            }
            return {lines.size() - 1, start};
        }
        if (lineStarts.isEmpty()) {
            lineStarts << 0;
            const QString &u = fullText().utf16();
            for (qsizetype nl = u.indexOf(QLatin1Char('\n')); nl >= 0 && nl + 1 < u.size();
                 nl = u.indexOf(QLatin1Char('\n'), nl + 1))
                lineStarts << nl + 1;
        }
        const qsizetype line
            = qsizetype(std::upper_bound(lineStarts.cbegin(), lineStarts.cend(), offset) - lineStarts.cbegin()) - 1;
        return {line, lineStarts[line]};
    };

    qsizetype startPos = LLONG_MAX;
    bool matchedTitle = false;
    QString desc;
    for (int phase = 0; phase < 2 && !matchedTitle; ++phase) {
        for (qsizetype fi = 0; fi < group.formats.size(); ++fi) {
            // A title found at the very start is kept against any later match (see below): the
            // formats left cannot change it.
            if (startPos == 0 && !desc.isEmpty())
                break;
            const rules::OopsFormat &f = group.formats[fi];
            const bool onText = phase == 1 || f.titleMultiline;
            QStringList values; // the captures, then the frames
            qsizetype pos = onText && f.titleLines > 0 ? matchInFirstLines(f, values) : -1;
            bool inFirstLine = pos >= 0; // the match starts in the first line, which is ASCII
            if (!inFirstLine) {
                if (!mayMatch(fi, onText))
                    continue; // cannot match: spare the pattern
                if (!f.bareHeader.isEmpty() && onText)
                    pos = bareHeaderAt(joinedText(), f.bareHeader);
                else
                    pos = f.title.match(onText ? fullText() : header, &values);
            }
            if (pos < 0)
                continue;
            // Positions: in the header line they precede anything in later lines.
            if (pos > startPos || (pos == startPos && !desc.isEmpty()))
                continue;
            if (pos < startPos) {
                desc.clear();
                r.format = nullptr;
                r.altTitles.clear();
                startPos = pos;
            }
            matchedTitle = true;
            qsizetype argsAt = pos; // where the match that gave the captures starts
            bool argsOnText = onText;
            if (f.hasReport) {
                values.clear();
                argsAt = reportMayMatch(f) ? f.report.match(fullText(), &values) : -1;
                inFirstLine = false;
                if (argsAt < 0)
                    continue;
                argsOnText = true;
            }
            QString corrupted;
            if (f.hasStack) {
                qsizetype first = 0;
                qsizetype col = argsAt;
                if (argsOnText && !inFirstLine) {
                    qsizetype lineStart = 0;
                    std::tie(first, lineStart) = lineOf(col);
                    col -= lineStart;
                }
                // The first line from the match on, as syzkaller slices the report there.
                const Subject matched(lines[first]);
                const QByteArray firstLine
                    = matched.isAscii() ? QByteArray() : QString(matched.utf16()).mid(col).toUtf8();
                QStringList frames;
                const WalkLines walk {matched.isAscii() ? lines[first].sliced(std::min(col, lines[first].size()))
                                                        : QByteArrayView(firstLine),
                    lines.constData() + first + 1, lines.size() - first, scanned ? scanned + first : nullptr};
                bool ok = extractFrames(f.stack, f.stack.parts, walk, frames);
                if (!ok && !f.stack.parts2.isEmpty()) {
                    frames.clear();
                    ok = extractFrames(f.stack, f.stack.parts2, walk, frames);
                }
                if (!ok)
                    corrupted = QStringLiteral("no frames in the call trace");
                values << frames;
            }
            desc = formatTitle(f.fmt, values);
            r.altTitles.clear();
            for (const QString &alt : f.alt)
                r.altTitles << sanitizeTitle(formatTitle(alt, values));
            r.corruptedWhy = corrupted;
            r.format = &f;
        }
    }
    if (desc.isEmpty()) {
        r.matchedFormat = matchedTitle;
        if (matchedTitle)
            r.corruptedWhy = QStringLiteral("the report does not have the lines its kind always has");
        const QString &h16 = header.utf16();
        const qsizetype h = h16.indexOf(QString::fromLatin1(group.header));
        desc = h >= 0 ? h16.mid(h) : h16;
    }
    if (r.corruptedWhy.isEmpty() && r.format && r.format->corrupted)
        r.corruptedWhy = QStringLiteral("only a damaged form of the report was found");
    r.matchedFormat = matchedTitle;
    r.title = sanitizeTitle(desc);
    return r;
}

} // namespace kmr::kernellog::detail
