// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/oopsextractor.h"
#include "kernellog/kernellogcategory.h"
#include "kernellog/literalset.h"
#include "kernellog/oopsdetails.h"
#include "kernellog/oopsline.h"
#include "kernellog/oopsrules.h"
#include "kernellog/oopstitle.h"

#include <QThread>
#include <QVarLengthArray>
#include <QtAlgorithms>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace kmr::kernellog {

namespace {

using detail::LineContext;
using detail::ParsedLine;

constexpr int kMaxWindow = 2000; // lines looked at after a header
constexpr int kMaxExcerptLines = 400; // lines an excerpt keeps

// One line of the text, classified once: every line is scanned for the literals and parsed when
// it is read, however many report windows look at it. (Parsing it then, rather than when a window
// first asks, writes its ParsedLine once instead of twice: nearly every line of a log is in some
// report's window and gets parsed anyway.)
struct LineInfo {
    LineInfo() = default;
    LineInfo(QByteArrayView line, quint64 scanned, bool question)
        : raw(line)
        , hits(scanned)
        , parsed(detail::parseLine(line, question))
    { }
    QByteArrayView raw;
    quint64 hits = 0; // detail::scanLine()
    ParsedLine parsed;
    bool startKnown = false; // startsNew is set
    bool startsNew = false;
    qint8 header = -2; // the report group (index in rules::groups()) it is a header of; -1: none, -2: not known yet
    int nextSame = -1; // the next line printed in the same context, once linked (-1: not known)
    int nextCpu = -1; // the next line printed in a CPU context (any CPU), once linked
};
static_assert(std::is_trivially_destructible_v<LineInfo>); // LineCache writes over slots in place

// The last line linked in each context, by a key made of the context: a flat open-addressing
// table. A log has a few contexts, or one per task and CPU that printed (thousands at most): a
// look-up is one multiplication and, nearly always, one comparison.
class ContextTable
{
public:
    // The last line of the context with this key: -1 when there is none yet.
    int &lastOf(quint64 key)
    {
        if (m_slots.empty())
            rehash(16);
        for (size_t i = slotOf(key);; i = (i + 1) & (m_slots.size() - 1)) {
            Slot &s = m_slots[i];
            if (s.key == key && s.used)
                return s.last;
            if (!s.used) {
                if (2 * (m_count + 1) > m_slots.size()) {
                    rehash(2 * m_slots.size());
                    return lastOf(key);
                }
                ++m_count;
                s = {key, -1, true};
                return s.last;
            }
        }
    }

private:
    struct Slot {
        quint64 key = 0;
        int last = -1;
        bool used = false;
    };
    size_t slotOf(quint64 key) const { return size_t((key * 0x9e3779b97f4a7c15ull) >> m_shift); }
    void rehash(size_t size)
    {
        std::vector<Slot> old;
        old.swap(m_slots);
        m_slots.resize(size);
        m_shift = 64 - int(qCountTrailingZeroBits(quint64(size)));
        for (const Slot &s : old) {
            if (!s.used)
                continue;
            size_t i = slotOf(s.key);
            while (m_slots[i].used)
                i = (i + 1) & (size - 1);
            m_slots[i] = s;
        }
    }

    std::vector<Slot> m_slots; // a power of two of them, at most half used
    size_t m_count = 0;
    int m_shift = 60;
};

// A scan's growing buffers. A parallel extraction's worker scans one chunk after another with
// the same storage: each scan takes the buffers (moved, so that the scan's code reaches them
// without going through a reference: that cost 0.5% more instructions), clears them but keeps
// their memory, and gives them back at its end. (A new scanner per chunk grew them again from
// empty: about 2,000 page faults more on the 200 MB log with 2 workers.)
struct ScanStorage {
    std::vector<LineInfo> lines; // LineCache's ring
    std::vector<int> dropped; // LineCache's
    std::vector<QByteArrayView> reportTexts; // the Scanner's, reused from report to report
    std::vector<quint64> reportHits;
    std::vector<int> rows;
    std::vector<detail::DetailLines::Other> excerptLines;
    detail::DetailLines details;
};

// The lines from the oldest one a report may still look at to the furthest one read ahead. The
// scanner only moves forward, so lines before the current position are dropped.
//
// They are kept in a ring: line i in slot i % capacity, the capacity a power of two that grows
// when more lines than it holds are needed at once (a report window reads up to 2,000 lines
// ahead). A vector that had its dropped lines erased from the front every few thousand lines
// cycled through a megabyte or more of memory, more than the CPU's L2 cache, and moved the live
// lines down each time: writing each new line (and those moves) missed the cache. Callgrind with a
// 1 MiB last-level cache, 10 MB slice: over half of all L2 write misses were there.
class LineCache
{
public:
    LineCache(QByteArrayView text, ScanStorage &storage)
        : m_text(text)
        , m_scan(detail::lineLiterals(), text)
        , m_storage(storage)
        , m_dropped(std::move(storage.dropped))
        , m_lines(std::move(storage.lines))
    {
        m_dropped.clear();
        if (m_lines.size() < kInitialCapacity)
            m_lines.resize(kInitialCapacity); // else the last scan's ring, reused as it is
        m_mask = m_lines.size() - 1;
    }
    ~LineCache()
    {
        m_storage.dropped = std::move(m_dropped);
        m_storage.lines = std::move(m_lines);
    }
    LineCache(const LineCache &) = delete;
    LineCache &operator=(const LineCache &) = delete;
    // nullptr past the end of the text. The pointer is valid until the next call.
    Q_ALWAYS_INLINE LineInfo *at(int index)
    {
        while (index >= m_end) {
            if (!readLine())
                return nullptr;
        }
        return &slot(index);
    }
    Q_ALWAYS_INLINE const ParsedLine &parsed(int index) { return parsed(*at(index)); }
    static const ParsedLine &parsed(const LineInfo &l) { return l.parsed; }
    // A line already read (index below the furthest one read, not dropped). Unlike at(), reads
    // nothing: the reference stays valid while no line is read.
    const LineInfo &known(int index) const
    {
        Q_ASSERT(index >= m_base && index < m_end);
        return m_lines[size_t(index) & m_mask];
    }
    // Links every line up to `index` (or the end of the text) to the next one printed in the same
    // context (LineInfo::nextSame), in order, parsing them. A report window that has found where
    // the next report starts follows its own context's lines through these links instead of
    // looking at every other CPU's and task's line in between.
    void linkUpTo(int index)
    {
        m_linked = std::max(m_linked, m_base); // dropped lines stay unlinked
        for (; m_linked <= index; ++m_linked) {
            if (!at(m_linked))
                return;
            const LineContext &c = parsed(m_linked).context;
            LineInfo *const before = m_linked > m_base ? &slot(m_linked - 1) : nullptr;
            if (before && m_beforeSlot && before->parsed.context == c) {
                // Printed in the context of the line before it (most lines): that line is its
                // context's last, whose slot the look-up for it gave (no look-up since).
                before->nextSame = m_linked;
                *m_beforeSlot = m_linked;
            } else {
                int &last = m_lastInContext.lastOf(quint64(c.kind) | quint64(c.id.size()) << 2 | c.number << 8);
                if (last >= m_base && last < m_linked && slot(last).parsed.context == c)
                    slot(last).nextSame = m_linked; // else a dropped line or another context with the same key
                last = m_linked;
                m_beforeSlot = &last;
            }
            if (c.kind == LineContext::Cpu) {
                for (int i = std::max(m_cpuPending, m_base); i < m_linked; ++i)
                    slot(i).nextCpu = m_linked;
                m_cpuPending = m_linked;
            }
        }
    }
    // Whether a line read so far strictly between these two says the kernel dropped messages
    // ("printk messages dropped": in a text log, or a lost record turned into text).
    bool droppedBetween(int first, int last) const
    {
        const auto d = std::upper_bound(m_dropped.begin(), m_dropped.end(), first);
        return d != m_dropped.end() && *d < last;
    }
    // The index of the line that starts at byte `at` of the text, once it has been read (-1 before).
    void watchLineAt(qsizetype at) { m_watchByte = at; }
    int watchedLine() const { return m_watchedLine; }
    qsizetype offsetOf(const LineInfo &l) const { return l.raw.data() - m_text.data(); }
    qsizetype textSize() const { return m_text.size(); }
    // Lines before index will not be looked at again (nor those not read yet, below index).
    void dropBefore(int index) { m_base = std::clamp(index, m_base, m_end); }

private:
    bool readLine()
    {
        const qsizetype start = m_scan.position();
        QByteArrayView raw;
        quint64 hits;
        bool question;
        if (!m_scan.next(&raw, &hits, &question)) // hits: detail::scanLine(raw)
            return false;
        if (start == m_watchByte)
            m_watchedLine = m_end;
        if (hits & m_droppedBit)
            m_dropped.push_back(m_end);
        if (m_end - m_base > int(m_mask))
            grow();
        new (&slot(m_end)) LineInfo(raw, hits, question); // (trivially destructible: nothing to end)
        ++m_end;
        return true;
    }

    LineInfo &slot(int index) { return m_lines[size_t(index) & m_mask]; }

    // Twice the capacity: each live line moves to its slot in the larger ring.
    void grow()
    {
        std::vector<LineInfo> larger(m_lines.size() * 2);
        const size_t mask = larger.size() - 1;
        for (int i = m_base; i < m_end; ++i)
            larger[size_t(i) & mask] = m_lines[size_t(i) & m_mask];
        m_lines.swap(larger);
        m_mask = mask;
    }

    // Small, so that the rings of short texts stay small, and so that every test of more than a
    // few dozen lines grows one: a window reads at most kMaxWindow + 5 lines, so 2,048 is as far
    // as a ring grows.
    static constexpr size_t kInitialCapacity = 64;

    QByteArrayView m_text;
    detail::LineScan m_scan;
    qsizetype m_watchByte = -1;
    int m_watchedLine = -1;
    int m_base = 0; // the oldest line kept
    int m_end = 0; // the index of the line after the last one read
    int m_linked = 0; // lines before this one are linked
    int m_cpuPending = 0; // the linked lines from this one on have no nextCpu yet
    ContextTable m_lastInContext; // the last linked line of each context
    int *m_beforeSlot = nullptr; // the slot in m_lastInContext of the last linked line's context
    const quint64 m_droppedBit = detail::markerBit(detail::MarkDropped);
    ScanStorage &m_storage; // where the buffers go back
    std::vector<int> m_dropped;
    std::vector<LineInfo> m_lines; // the ring: line i in m_lines[i & m_mask]
    size_t m_mask = 0;
};

// The detail::scanLine() bits the scanner tests, looked up once.
struct Marks {
    quint64 headers = detail::headerMask();
    quint64 lockDebugOff = detail::markerBit(detail::MarkLockDebugOff);
    quint64 nmiBacktrace = detail::markerBit(detail::MarkNmiBacktrace);
    quint64 panicOrCircular = detail::markerBit(detail::MarkPanic) | detail::markerBit(detail::MarkCircularLocking);
    quint64 infoWithStack = detail::markerBit(detail::MarkInfoWithStack1)
        | detail::markerBit(detail::MarkInfoWithStack2) | detail::markerBit(detail::MarkInfoWithStack3);
    quint64 trace = detail::markerBit(detail::MarkCallTrace) | detail::markerBit(detail::MarkBacktrace);
    quint64 anyTrace = trace | detail::markerBit(detail::MarkCallTraceArm);
};

bool isRuler(QByteArrayView t)
{
    return detail::hasPrefix(t, "====================");
}

// Where an excerpt ends: "---[ end trace ...", "---[ end Kernel panic ...", or a ruler. (Most
// lines start with neither '-' nor '=': one look at their first byte.)
bool endsExcerpt(QByteArrayView t)
{
    if (t.isEmpty() || (t.front() != '-' && t.front() != '='))
        return false;
    return detail::hasPrefix(t, "---[ end") || isRuler(t);
}

// Whether t holds a timestamp "[ 12.345678]" (the regular expression "\[ *[0-9]+\.[0-9]+\]",
// without running one per report).
bool holdsTimestamp(QStringView t)
{
    const auto digitsFrom = [t](qsizetype p) {
        while (p < t.size() && t[p] >= u'0' && t[p] <= u'9')
            ++p;
        return p;
    };
    for (qsizetype open = t.indexOf(u'['); open >= 0; open = t.indexOf(u'[', open + 1)) {
        qsizetype p = open + 1;
        while (p < t.size() && t[p] == u' ')
            ++p;
        const qsizetype seconds = digitsFrom(p);
        if (seconds == p || seconds >= t.size() || t[seconds] != u'.')
            continue;
        const qsizetype fraction = digitsFrom(seconds + 1);
        if (fraction > seconds + 1 && fraction < t.size() && t[fraction] == u']')
            return true;
    }
    return false;
}

// Lines that belong to a report's body even though they are not frames.
bool looksLikeReportBody(const ParsedLine &p)
{
    const QByteArrayView t = p.message;
    if (t.isEmpty() || p.questionable)
        return true;
    const char c = t.front();
    if (c == ' ' || c == '<' || c == '?' || c == '[' || c == '\t')
        return true;
    // "RIP:", "Code:", "Workqueue:", "task:": a ':' before any ' ' (and not first).
    const void *colon = std::memchr(t.data(), ':', size_t(t.size()));
    if (!colon || colon == t.data())
        return false;
    const size_t beforeColon = size_t(static_cast<const char *>(colon) - t.data());
    return std::memchr(t.data(), ' ', beforeColon) == nullptr;
}

// Where a scan starts and where it stops (the parallel extraction scans a log in pieces).
//
// The main loop's state at a line is the line's index and how many of the lines just before it
// it looked at since the last report ended ("before" lines, at most 3: they may open the next
// report). Two scans that reach the same line in the same state go on identically.
struct ScanRange {
    int start = 0; // the first line looked at; the (at most 3) lines before it are its before lines
    qsizetype stopByte = -1; // stop at the first line looked at that starts at or after this byte
    std::vector<qint8> *visited = nullptr; // records each line looked at: its number of before lines
    std::function<bool(int index, int before)> converged; // stop at the first line where this holds
};

struct ScanEnd {
    int index = 0; // the line the scan stopped at (or the number of lines, at the end of the text)
    int before = 0;
    qsizetype byte = 0; // where that line starts
    bool atEnd = false;
    bool converged = false;
};

class Scanner
{
public:
    Scanner(QByteArrayView text, const OopsExtractor::Options &options, ScanStorage &storage, bool firstOnly = false)
        : m_lines(text, storage)
        , m_firstOnly(firstOnly)
        , m_keepLines(options.keepLines)
        , m_frameFunctions(options.frameFunctions)
        , m_frameOffsets(options.frameOffsets)
        , m_storage(storage)
        , m_reportTexts(std::move(storage.reportTexts))
        , m_reportHits(std::move(storage.reportHits))
        , m_details(std::move(storage.details))
        , m_rows(std::move(storage.rows))
        , m_excerptLines(std::move(storage.excerptLines))
    {
        // A report window looks at kMaxWindow + 1 lines at most (walkWindow()); the search for
        // its excerpt's end at kMaxExcerptLines + 7 of them, after the (at most 3) lines before
        // its header.
        m_reportTexts.resize(kMaxWindow + 1);
        m_reportHits.resize(kMaxWindow + 1);
        m_rows.resize(kMaxWindow + 1);
        m_excerptLines.resize(3 + kMaxExcerptLines + 7);
    }
    ~Scanner()
    {
        m_storage.reportTexts = std::move(m_reportTexts);
        m_storage.reportHits = std::move(m_reportHits);
        m_storage.details = std::move(m_details);
        m_storage.rows = std::move(m_rows);
        m_storage.excerptLines = std::move(m_excerptLines);
    }
    Scanner(const Scanner &) = delete;
    Scanner &operator=(const Scanner &) = delete;

    // Each report found goes to sink as soon as it is complete.
    void run(const OopsExtractor::Sink &sink) { run(sink, ScanRange()); }
    ScanEnd run(const OopsExtractor::Sink &sink, const ScanRange &range);
    int reportAt() const { return m_reportAt; } // the header line of the report being handed to the sink
    LineCache &lines() { return m_lines; }

private:
    const rules::OopsGroup *matchOops(QByteArrayView line, quint64 hits) const;
    const rules::OopsGroup *headerOf(LineInfo &l) const;
    bool startsNewReport(LineInfo &l) const;
    struct Window {
        size_t rows = 0; // in m_rows
        size_t texts = 0; // in m_reportTexts and m_reportHits
        size_t titleTexts = 0; // the first texts, those the title is made of
        int resume = -1; // the line the scan goes on at
        bool traceSeen = false; // a text holds a call trace's start
    };
    Window walkWindow(int at, const ParsedLine &header);
    int nextLineAfter(int here, int lastOwn, int last, bool anyCpu);
    qsizetype excerptRows(const Window &w, detail::DetailLines::Other *rowLines);
    int processReport(int at, const rules::OopsGroup &group, const QList<int> &before);

    LineCache m_lines;
    bool m_firstOnly;
    bool m_keepLines;
    bool m_frameFunctions;
    bool m_frameOffsets;
    const OopsExtractor::Sink *m_sink = nullptr;
    qsizetype m_found = 0;
    int m_reportAt = -1;
    const Marks m_marks;
    // Reused from report to report: allocating them anew each time made the heap grow and shrink.
    ScanStorage &m_storage; // where they go back
    std::vector<QByteArrayView> m_reportTexts; // the report's texts (Window::texts of them)
    std::vector<quint64> m_reportHits; // scanLine() of each report text's line
    detail::DetailLines m_details; // the excerpt's lines, for fillDetails
    std::vector<int> m_rows; // the report's context's lines in its window (indexes into m_lines; Window::rows)
    std::vector<detail::DetailLines::Other> m_excerptLines; // the excerpt's lines, for m_details.read()
};

const rules::OopsGroup *Scanner::matchOops(QByteArrayView line, quint64 hits) const
{
    hits &= m_marks.headers;
    if (!hits)
        return nullptr;
    const QList<rules::OopsGroup> &groups = rules::groups();
    for (qsizetype i = 0; i < groups.size(); ++i) {
        if ((hits & (quint64(1) << i)) && !groups[i].suppressed(line))
            return &groups[i];
    }
    return nullptr;
}

ScanEnd Scanner::run(const OopsExtractor::Sink &sink, const ScanRange &range)
{
    m_sink = &sink;
    QList<int> before; // the last lines before a header: "[ cut here ]" and the WARN message
    for (int i = std::max(0, range.start - 3); i < range.start; ++i)
        before.append(i);
    const bool ranged = range.stopByte >= 0 || range.visited || range.converged;
    for (int index = range.start;;) {
        m_lines.dropBefore(index - 3);
        LineInfo *line = m_lines.at(index);
        if (!line)
            return {index, int(before.size()), m_lines.textSize(), true, false};
        if (Q_UNLIKELY(ranged)) {
            const qsizetype byte = m_lines.offsetOf(*line);
            const int count = int(before.size());
            if (range.stopByte >= 0 && byte >= range.stopByte)
                return {index, count, byte, false, false};
            if (range.converged && index > range.start && range.converged(index, count))
                return {index, count, byte, false, true};
            if (range.visited) {
                if (qsizetype(range.visited->size()) <= index)
                    range.visited->resize(size_t(index) + 1, -1);
                (*range.visited)[size_t(index)] = qint8(count);
            }
        }
        if (line->hits) {
            if (const rules::OopsGroup *g = headerOf(*line)) {
                const qsizetype had = m_found;
                index = processReport(index, *g, before);
                before.clear();
                if (m_firstOnly && m_found > had)
                    return {index, 0, -1, false, false};
                continue;
            }
        }
        if (before.size() == 3)
            before.removeFirst();
        before.append(index);
        ++index;
    }
}

// The report group whose header a line is (matchOops()), looked up once per line: the scan
// resumes at the header a report window found.
const rules::OopsGroup *Scanner::headerOf(LineInfo &l) const
{
    if (l.header == -2) {
        const rules::OopsGroup *g = matchOops(l.raw, l.hits);
        l.header = g ? qint8(g - rules::groups().constData()) : qint8(-1);
    }
    return l.header >= 0 ? &rules::groups()[l.header] : nullptr;
}

// Whether a line inside a report window starts another report (or an informational message
// with a stack); computed once per line.
bool Scanner::startsNewReport(LineInfo &l) const
{
    if (!l.startKnown) {
        const rules::OopsGroup *g = headerOf(l);
        l.startsNew = g ? !rules::isReportStartIgnored(l.raw) : (l.hits & m_marks.infoWithStack) != 0;
        l.startKnown = true;
    }
    return l.startsNew;
}

// The next line after `here`, up to last + 1, that a window whose report's context last printed
// lastOwn looks at: that context's next line or, when anyCpu, any CPU's. (Out of walkWindow()'s
// loop: it is taken once or twice a report, and inline it left the loop fewer registers.)
Q_NEVER_INLINE int Scanner::nextLineAfter(int here, int lastOwn, int last, bool anyCpu)
{
    m_lines.linkUpTo(last);
    const int next = m_lines.known(lastOwn).nextSame;
    const int cpu = anyCpu ? m_lines.known(here).nextCpu : -1;
    int to = last + 1;
    for (const int link : {next, cpu}) {
        if (link >= 0)
            to = std::min(to, link);
    }
    return to;
}

// A report's window: the lines after its header, up to kMaxWindow of them, that its title and its
// excerpt are made of. Its lines are put in the scanner's buffers (m_reportTexts, m_reportHits,
// m_rows), which hold kMaxWindow + 1 entries: one line at most each per line looked at.
Q_NEVER_INLINE Scanner::Window Scanner::walkWindow(int at, const ParsedLine &header)
{
    const LineContext ctx = header.context;
    const bool hasCaller = ctx.hasCaller();
    const int minLines = detail::contains(header.text, "BUG: KMSAN:") ? 16 : 22; // KMSAN reports have no "Call Trace"
    QByteArrayView *const texts = m_reportTexts.data();
    quint64 *const textHits = m_reportHits.data();
    int *const rows = m_rows.data();
    const int last = at + kMaxWindow; // the last line the window may look at
    // (The window's counts are locals, put in the Window at the end: kept in it, they were
    // written to memory at every line.)
    size_t rowCount = 0, textCount = 0, titleTexts = 0;
    int resume = -1;

    // The header line is the report's, whatever it says.
    const quint64 headerHits = m_lines.known(at).hits;
    quint64 textsHits = headerHits; // the hits of all the texts
    rows[rowCount++] = at;
    texts[textCount] = header.text;
    textHits[textCount++] = headerHits;
    titleTexts = textCount;
    bool second = false, skipText = false, rowsClosed = false;
    bool cpuTraceback = !(headerHits & m_marks.lockDebugOff) && (headerHits & m_marks.nmiBacktrace);
    int textLines = 1;
    int lastOwn = at; // the last line of the report's context looked at
    int here = at + 1;
    for (;; ++here) {
        LineInfo *line = m_lines.at(here);
        if (!line)
            break;
        if (here > last) {
            if (resume < 0)
                resume = here;
            break;
        }
        const quint64 hits = line->hits;
        const ParsedLine &p = LineCache::parsed(*line); // (line stays valid: nothing is read below)
        if (hits) {
            const bool startsNew = startsNewReport(*line);
            if (startsNew && !second) {
                second = true;
                resume = here;
                if (!hasCaller)
                    break;
            }
            if (line->header >= 0 && startsNew && hasCaller && p.context == ctx)
                rowsClosed = true; // this task's next report: the title may still look further, as syzkaller does
        }
        const bool own = p.context == ctx;
        if (!own && !(cpuTraceback && p.context.kind == LineContext::Cpu)) {
            // Past the next report's start, another context's lines do not matter: go on at the
            // next line within the window that is this context's or, after an NMI backtrace,
            // any CPU's.
            if (second)
                here = nextLineAfter(here, lastOwn, last, cpuTraceback) - 1;
            continue;
        }
        if (own)
            lastOwn = here;
        if (!rowsClosed)
            rows[rowCount++] = here;
        if (p.questionable)
            continue;
        ++textLines;
        bool skipLine = skipText;
        if (!hits) {
            // (Most lines: none of the marks below.)
        } else if (hits & m_marks.lockDebugOff) {
            skipLine = true;
        } else if (hits & m_marks.nmiBacktrace) {
            cpuTraceback = true;
        } else if (textLines > minLines && (hits & m_marks.panicOrCircular)) {
            skipText = skipLine = true;
        }
        if (skipLine)
            continue;
        texts[textCount] = p.text;
        textHits[textCount++] = hits;
        textsHits |= hits;
        if (!second || hasCaller)
            titleTexts = textCount;
    }
    Q_ASSERT(rowCount <= size_t(kMaxWindow) + 1 && textCount <= size_t(kMaxWindow) + 1);
    Window w;
    w.rows = rowCount;
    w.texts = textCount;
    w.titleTexts = titleTexts;
    w.resume = resume < 0 ? here : resume;
    w.traceSeen = textsHits & m_marks.anyTrace;
    return w;
}

// How many of a window's rows its excerpt keeps: up to an end marker, or to where the report's
// body gives way to ordinary messages. Writes each row it looks at into rowLines (from row 1 on).
qsizetype Scanner::excerptRows(const Window &w, detail::DetailLines::Other *rowLines)
{
    const int *const rows = m_rows.data();
    // (The rows' lines are read and parsed: known() reads nothing, its references stay valid.)
    qsizetype keep = qsizetype(w.rows);
    bool sawTrace = false;
    int ordinary = 0;
    // From row kMaxExcerptLines + 7 on, every way out of this loop keeps kMaxExcerptLines lines or
    // more (8 ordinary lines give back 7): the cap below decides, those rows need no look.
    const qsizetype searched = std::min<qsizetype>(qsizetype(w.rows), kMaxExcerptLines + 7);
    for (qsizetype i = 1; i < searched; ++i) {
        const LineInfo &l = m_lines.known(rows[size_t(i)]);
        const ParsedLine &p = l.parsed;
        rowLines[i] = {p.message, rows[size_t(i)]};
        if (endsExcerpt(p.message)) {
            keep = i + 1;
            break;
        }
        if (l.hits & m_marks.trace) {
            sawTrace = true;
            ordinary = 0;
            continue;
        }
        // Once a trace was seen, a line that looks like the report's body keeps the excerpt going
        // whether it names a frame function or not: frameFunction()'s answer (the costlier
        // question) is needed only for the other lines. (A line that names one is no "</TASK>".)
        const bool body = sawTrace && looksLikeReportBody(p);
        if (!body && !detail::frameFunction(p.text).isEmpty()) {
            sawTrace = true;
            ordinary = 0;
            continue;
        }
        if (detail::isTaskEnd(p.message) && i + 1 < qsizetype(w.rows)) {
            // The trace is over; an oops goes on with "Modules linked in", a hung task report does not.
            const QByteArrayView next = m_lines.known(rows[size_t(i) + 1]).parsed.message;
            if (!next.startsWith(' ') && !next.startsWith("Modules linked in") && !next.startsWith("CR2:")
                && !next.startsWith("---[") && !next.startsWith("RIP:") && !next.startsWith("<TASK>")) {
                keep = i + 1;
                break;
            }
        }
        ordinary = (sawTrace && !body) ? ordinary + 1 : 0;
        if (ordinary >= 8) {
            keep = i - 7;
            break;
        }
    }
    return std::min<qsizetype>(keep, kMaxExcerptLines);
}

int Scanner::processReport(int at, const rules::OopsGroup &group, const QList<int> &before)
{
    const ParsedLine header = m_lines.parsed(at);
    const LineContext ctx = header.context;
    const Window w = walkWindow(at, header);
    const int *const rows = m_rows.data();

    OopsExcerpt e;
    const QList<QByteArrayView> titleTexts(m_reportTexts.data(), m_reportTexts.data() + w.titleTexts);
    const detail::TitleResult t = detail::makeTitle(group, titleTexts, m_reportHits.data());
    if (group.needsFormat && !t.matchedFormat)
        return at + 1; // not a report after all: go on after its first line
    e.title = t.title;
    e.altTitles = t.altTitles;
    const detail::InPositions in = detail::inPositions(e.title);
    e.kind = in.first >= 0 ? e.title.left(in.first) : e.title;
    e.header = QString::fromUtf8(header.text);
    e.callerId = ctx.hasCaller() ? QString::fromLatin1(ctx.id) : QString();

    // Lines just before the header that open the same report ("[ cut here ]", a ruler, the WARN text).
    qsizetype from = before.size();
    for (qsizetype i = before.size() - 1; i >= 0; --i) {
        const ParsedLine &pp = m_lines.parsed(before[i]);
        if (pp.context != ctx)
            break;
        if (detail::contains(pp.message, "[ cut here ]") || detail::contains(pp.message, "--- cut here ---")
            || isRuler(pp.message)) {
            from = i;
            break;
        }
    }
    QVarLengthArray<int, 4> opening;
    for (qsizetype i = from; i < before.size(); ++i) {
        if (m_lines.parsed(before[i]).context == ctx)
            opening.append(before[i]);
    }
    // The excerpt's lines as fillDetails() reads them: the opening lines, then the rows, each
    // written as the search below looks at it (those past the excerpt's end are not read).
    detail::DetailLines::Other *const excerpt = m_excerptLines.data();
    for (qsizetype i = 0; i < opening.size(); ++i)
        excerpt[i] = {m_lines.known(opening[i]).parsed.message, opening[i]};
    detail::DetailLines::Other *const rowLines = excerpt + opening.size(); // row i's is rowLines[i]
    rowLines[0] = {header.message, at};

    const qsizetype keep = excerptRows(w, rowLines);

    // The excerpt's lines: those, then the rows kept.
    e.lineIndexes.resize(opening.size() + keep);
    int *const indexes = e.lineIndexes.data();
    std::copy(opening.begin(), opening.end(), indexes);
    std::copy(rows, rows + keep, indexes + opening.size());
    m_details.read(excerpt, size_t(e.lineIndexes.size()), m_frameOffsets);
    if (m_keepLines) {
        e.lines.reserve(e.lineIndexes.size());
        for (const int index : std::as_const(e.lineIndexes))
            e.lines << QString::fromUtf8(m_lines.known(index).parsed.raw);
    }
    e.firstLine = e.lineIndexes.isEmpty() ? at : e.lineIndexes.first();
    e.lastLine = e.lineIndexes.isEmpty() ? at : e.lineIndexes.last();
    detail::fillDetails(
        e, m_details, in.last >= 0 ? QStringView(e.title).sliced(in.last + 4) : QStringView(), m_frameFunctions);

    // Damaged reports are marked, with the reason.
    e.truncatedWhy = t.corruptedWhy;
    if (m_lines.droppedBetween(e.firstLine, e.lastLine))
        e.truncatedWhy = QStringLiteral("the kernel dropped messages inside the report");
    if (e.truncatedWhy.isEmpty() && t.format && t.format->hasStack && !t.format->noStackTrace) {
        if (!w.traceSeen)
            e.truncatedWhy = QStringLiteral("the report has no call trace: it was cut short");
    }
    if (e.truncatedWhy.isEmpty() && holdsTimestamp(e.title))
        e.truncatedWhy = QStringLiteral("another message was printed into the middle of the report's first line");
    e.truncated = !e.truncatedWhy.isEmpty();
    ++m_found;
    m_reportAt = at;
    (*m_sink)(std::move(e));
    return w.resume;
}

// Where the reports go: to the caller's sink as excerpts, or, with a formatter, as the text the
// caller prints, made on the thread that found the report (the excerpt is then freed there too).
// With the parallel extraction, a worker keeps its chunk's reports in a ChunkResult and the
// calling thread hands them over in log order.
struct ChunkResult;

class Delivery
{
public:
    explicit Delivery(const OopsExtractor::Sink &sink)
        : m_sink(&sink)
    { }
    Delivery(const OopsExtractor::Formatter &format, const OopsExtractor::TextSink &sink)
        : m_format(&format)
        , m_textSink(&sink)
    { }
    // On a worker: keeps a report of its chunk (at: its header line, chunk-relative).
    void keep(ChunkResult &r, int at, OopsExcerpt &&e) const;
    // On the calling thread: report `i` of a chunk, or a report found on the calling thread.
    void hand(ChunkResult &r, size_t i) const;
    void hand(OopsExcerpt &&e);

private:
    const OopsExtractor::Sink *m_sink = nullptr;
    const OopsExtractor::Formatter *m_format = nullptr;
    const OopsExtractor::TextSink *m_textSink = nullptr;
    QByteArray m_text; // the calling thread's report text, reused
};

// The parallel extraction of a saved log. The text is cut into chunks at line starts; workers
// scan the chunks at once, each from its first line as if nothing came before it. A chunk's scan
// goes on past its end until the first line it looks at in the next chunk. The reports are then
// handed to the sink in log order by the calling thread, which checks each chunk's start: the
// exact scan (the previous chunk's, already checked) reached the chunk at some line in some state
// (see ScanRange). If the chunk's own scan looked at that line in the same state, its reports
// from that line on are the exact ones. If not (the line was inside one of its reports, or fewer
// lines before it were looked at), the calling thread scans on from the exact state until both
// scans meet, and only then takes over the chunk's reports. The result is the same, report for
// report, as one scan of the whole text.
struct ChunkResult {
    std::vector<int> reportAt; // each report's header line (chunk-relative)
    std::vector<OopsExcerpt> excerpts; // each report, without a formatter
    QByteArray text; // with one: the reports' texts one after the other,
    std::vector<qsizetype> textEnds; // each ending here
    std::vector<qint8> visited;
    ScanEnd end;
    int lines = 0; // lines from the chunk's start to the next chunk's start
    bool ready = false;
};

void Delivery::keep(ChunkResult &r, int at, OopsExcerpt &&e) const
{
    r.reportAt.push_back(at);
    if (!m_format)
        return r.excerpts.push_back(std::move(e));
    (*m_format)(e, r.text);
    r.textEnds.push_back(r.text.size());
}

void Delivery::hand(ChunkResult &r, size_t i) const
{
    if (!m_format)
        return (*m_sink)(std::move(r.excerpts[i]));
    const qsizetype from = i > 0 ? r.textEnds[i - 1] : 0;
    (*m_textSink)(QByteArrayView(r.text).sliced(from, r.textEnds[i] - from));
}

void Delivery::hand(OopsExcerpt &&e)
{
    if (!m_format)
        return (*m_sink)(std::move(e));
    m_text.resize(0);
    (*m_format)(e, m_text);
    (*m_textSink)(m_text);
}

void shiftLines(OopsExcerpt &e, int by)
{
    if (by == 0)
        return;
    e.firstLine += by;
    e.lastLine += by;
    for (int &i : e.lineIndexes)
        i += by;
    for (OopsFrame &f : e.frames) {
        if (f.line >= 0)
            f.line += by;
    }
}

// The start of the line `count` lines before the one starting at `byte`.
qsizetype linesBack(QByteArrayView text, qsizetype byte, int count)
{
    for (; count > 0 && byte > 0; --count) {
        const void *nl = byte >= 2 ? memrchr(text.data(), '\n', size_t(byte - 1)) : nullptr;
        byte = nl ? static_cast<const char *>(nl) - text.data() + 1 : 0;
    }
    return byte;
}

// The number of '\n' in text. With SSE2, 16 bytes at a time into byte counters, summed every 255
// rounds before they can overflow: 200 MB in about 7 ms, where std::count and Qt's count() take
// 60 to 80 ms.
qsizetype newlines(QByteArrayView text)
{
    const char *const p = text.data();
    const qsizetype n = text.size();
    qsizetype count = 0, i = 0;
#ifdef __SSE2__
    const __m128i nl = _mm_set1_epi8('\n');
    while (n - i >= 16) {
        __m128i counters = _mm_setzero_si128();
        const qsizetype rounds = std::min<qsizetype>((n - i) / 16, 255);
        for (qsizetype r = 0; r < rounds; ++r, i += 16) // a match is -1: subtracting it counts it
            counters
                = _mm_sub_epi8(counters, _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p + i)), nl));
        const __m128i sums = _mm_sad_epu8(counters, _mm_setzero_si128()); // two 64-bit lane sums
        count += _mm_cvtsi128_si32(sums) + _mm_extract_epi16(sums, 4);
    }
#endif
    for (; i < n; ++i)
        count += p[i] == '\n';
    return count;
}

// The size of the next chunk when `left` bytes are left: options.chunkBytes, but smaller towards
// the end of the log (half of what each thread has left), so that the threads end about
// together. With chunks of one size, one thread sat idle at the end for up to a chunk's scan
// while another finished its last one (200 MB log, 2 threads, 24 chunks of 8 MiB: the workers
// ended 4 to 82 ms apart, median 16, over 11 runs; 32 chunks this way: 0.1 to 15 ms, median 5,
// over 13). Not below an eighth of chunkBytes nor 512 KiB: each chunk edge costs about 1 M
// instructions (the last report's window read twice, the calling thread's check), 3% of a 1 MiB
// chunk (10 MB log, 2 threads: chunks down to 78 KiB cost 3% more instructions in all).
qsizetype chunkSize(qsizetype left, const OopsExtractor::Options &options)
{
    constexpr qsizetype kSmallest = 512 * 1024;
    return std::min(options.chunkBytes, std::max({left / (2 * options.threads), options.chunkBytes / 8, kSmallest}));
}

class ParallelExtraction
{
public:
    ParallelExtraction(QByteArrayView text, const OopsExtractor::Options &options, Delivery &delivery)
        : m_text(text)
        , m_options(options)
        , m_delivery(delivery)
    {
        for (qsizetype at = 0; at < text.size();) {
            m_starts.push_back(at);
            const qsizetype want = at + chunkSize(text.size() - at, options);
            if (want >= text.size())
                break;
            const void *nl = std::memchr(text.data() + want, '\n', size_t(text.size() - want));
            at = nl ? static_cast<const char *>(nl) - text.data() + 1 : text.size();
        }
        m_results.resize(m_starts.size());
        m_startLines = std::vector<std::atomic<int>>(m_starts.size());
        for (std::atomic<int> &line : m_startLines)
            line.store(-1, std::memory_order_relaxed);
        m_startLines[0].store(0, std::memory_order_relaxed);
    }

    void run(int threads)
    {
        std::vector<std::thread> workers;
        for (int t = 0; t < threads; ++t)
            workers.emplace_back([this, threads] { work(threads); });
        consume();
        for (std::thread &w : workers)
            w.join();
    }

private:
    Scanner scanner(qsizetype from, ScanStorage &storage) const
    {
        return Scanner(m_text.sliced(from), m_options, storage);
    }

    qsizetype chunkEnd(size_t k) const { return k + 1 < m_starts.size() ? m_starts[k + 1] : m_text.size(); }

    // The line chunk k starts at, so that a worker hands over its reports with the lines of the
    // whole text (shifting them on the calling thread touched every line index of every report
    // there, cold). A chunk's scan records where the next chunk starts when it ends; the chunks
    // before k still being scanned (usually the one just before, on another thread) have their
    // newlines counted instead, which costs a few percent of their scan.
    int startLine(size_t k)
    {
        size_t known = k;
        int line;
        while ((line = m_startLines[known].load(std::memory_order_relaxed)) < 0)
            --known;
        for (; known < k; ++known) {
            line += int(newlines(m_text.sliced(m_starts[known], m_starts[known + 1] - m_starts[known])));
            m_startLines[known + 1].store(line, std::memory_order_relaxed);
        }
        return line;
    }

    void work(int threads)
    {
        ScanStorage storage; // this worker's, for all its chunks
        for (;;) {
            const size_t k = m_next.fetch_add(1);
            if (k >= m_starts.size())
                return;
            waitForRoom(k, threads);
            const int first = startLine(k);
            ChunkResult r;
            Scanner s = scanner(m_starts[k], storage);
            ScanRange range;
            range.stopByte = chunkEnd(k) - m_starts[k];
            range.visited = &r.visited;
            s.lines().watchLineAt(range.stopByte);
            r.end = s.run(
                [&](OopsExcerpt &&e) {
                    shiftLines(e, first);
                    m_delivery.keep(r, s.reportAt(), std::move(e));
                },
                range);
            const int next = s.lines().watchedLine(); // the next chunk's first line (-1: no next chunk)
            if (next >= 0)
                m_startLines[k + 1].store(first + next, std::memory_order_relaxed);
            r.lines = r.end.atEnd ? r.end.index : next;
            publish(k, std::move(r));
        }
    }

    // At most two chunks per thread wait for the calling thread: memory stays bounded.
    void waitForRoom(size_t k, int threads)
    {
        std::unique_lock lock(m_mutex);
        if (k < m_consumed + size_t(2 * threads))
            return;
        ++m_waitingForRoom;
        m_room.wait(lock, [&] { return k < m_consumed + size_t(2 * threads); });
        --m_waitingForRoom;
    }

    // Each side wakes the other only when it waits for what was just done: a wake-up per chunk
    // that finds nothing to do costs two context switches.
    void publish(size_t k, ChunkResult &&r)
    {
        bool wake = false;
        {
            std::lock_guard lock(m_mutex);
            m_results[k] = std::move(r);
            m_results[k].ready = true;
            wake = m_awaited == k;
        }
        if (wake)
            m_ready.notify_one();
    }

    ChunkResult take(size_t k)
    {
        std::unique_lock lock(m_mutex);
        m_awaited = k;
        m_ready.wait(lock, [&] { return m_results[k].ready; });
        m_awaited = size_t(-1);
        return std::exchange(m_results[k], ChunkResult());
    }

    void consumed(size_t k)
    {
        bool wake = false;
        {
            std::lock_guard lock(m_mutex);
            m_consumed = k + 1;
            wake = m_waitingForRoom > 0;
        }
        if (wake)
            m_room.notify_all();
    }

    // Hands the reports to the sink in order, checking each chunk's start (see above).
    void consume()
    {
        int exactLine = 0, exactBefore = 0; // the exact scan's state, in lines of the whole text
        qsizetype exactByte = 0;
        bool done = false;
        int chunkLine = 0; // the line the chunk starts at
        ScanStorage storage; // the calling thread's, for its scans up to a chunk's own
        for (size_t k = 0; k < m_starts.size(); ++k) {
            ChunkResult r = take(k);
            if (!done && exactByte < chunkEnd(k)) {
                int from = -1; // the chunk's own reports count from this (chunk) line on
                const auto agrees = [&](int line, int before) {
                    const int local = line - chunkLine;
                    return local >= 0 && size_t(local) < r.visited.size() && r.visited[size_t(local)] == before;
                };
                if (agrees(exactLine, exactBefore)) {
                    from = exactLine - chunkLine;
                } else {
                    // Scan on from the exact state until the chunk's scan is met.
                    const qsizetype origin = linesBack(m_text, exactByte, exactBefore);
                    const int originLine = exactLine - exactBefore;
                    Scanner s = scanner(origin, storage);
                    ScanRange range;
                    range.start = exactBefore;
                    range.stopByte = chunkEnd(k) - origin;
                    range.converged = [&](int i, int before) { return agrees(originLine + i, before); };
                    const ScanEnd end = s.run(
                        [&](OopsExcerpt &&e) {
                            shiftLines(e, originLine);
                            m_delivery.hand(std::move(e));
                        },
                        range);
                    if (end.converged) {
                        from = originLine + end.index - chunkLine;
                    } else {
                        exactLine = originLine + end.index;
                        exactBefore = end.before;
                        exactByte = origin + end.byte;
                        done = end.atEnd;
                    }
                }
                if (from >= 0) {
                    for (size_t i = 0; i < r.reportAt.size(); ++i) {
                        if (r.reportAt[i] >= from)
                            m_delivery.hand(r, i);
                    }
                    exactLine = chunkLine + r.end.index;
                    exactBefore = r.end.before;
                    exactByte = m_starts[k] + r.end.byte;
                    done = r.end.atEnd;
                }
            }
            chunkLine += r.lines;
            consumed(k);
        }
    }

    QByteArrayView m_text;
    const OopsExtractor::Options &m_options;
    Delivery &m_delivery;
    std::vector<qsizetype> m_starts; // where each chunk starts
    std::vector<std::atomic<int>> m_startLines; // the line each chunk starts at (-1: not known yet)
    std::vector<ChunkResult> m_results;
    std::atomic<size_t> m_next {0};
    std::mutex m_mutex; // guards the members below
    size_t m_consumed = 0;
    size_t m_awaited = size_t(-1); // the chunk the calling thread waits for
    int m_waitingForRoom = 0; // workers waiting for the calling thread
    std::condition_variable m_ready; // a chunk the calling thread waits for is done
    std::condition_variable m_room; // the calling thread has taken a chunk
};

// The options with the number of threads to use on `size` bytes (1: one scan) and the chunk size.
OopsExtractor::Options resolved(OopsExtractor::Options options, qsizetype size)
{
    if (options.threads <= 0)
        options.threads = std::max(1, QThread::idealThreadCount());
    if (options.chunkBytes <= 0)
        options.chunkBytes = std::clamp<qsizetype>(size / (8 * options.threads), 256 * 1024, 8 * 1024 * 1024);
    if (size <= options.chunkBytes)
        options.threads = 1;
    return options;
}

// One line per record; a lost record's line says "printk messages dropped", which marks a report
// around it as truncated, as in a text log.
QByteArray recordsAsText(const KernelLog &records)
{
    QByteArray text;
    text.reserve(records.size() * 96);
    for (const KernelLogRecord &r : records) {
        QString line = toDmesgLine(r);
        line.replace(QLatin1Char('\n'), QLatin1Char(' '));
        text += line.toUtf8();
        text += '\n';
    }
    return text;
}

void extractWith(QByteArrayView text, const OopsExtractor::Options &wanted, Delivery &delivery)
{
    const OopsExtractor::Options options = resolved(wanted, text.size());
    if (options.threads > 1)
        return ParallelExtraction(text, options, delivery).run(options.threads);
    ScanStorage storage;
    Scanner(text, options, storage).run([&delivery](OopsExcerpt &&e) { delivery.hand(std::move(e)); });
}

} // namespace

void OopsExtractor::extractFromText(QByteArrayView text, const Options &options, const Sink &sink)
{
    Delivery delivery(sink);
    extractWith(text, options, delivery);
}

void OopsExtractor::extractFromText(
    QByteArrayView text, const Options &options, const Formatter &format, const TextSink &sink)
{
    Delivery delivery(format, sink);
    extractWith(text, options, delivery);
}

QList<OopsExcerpt> OopsExtractor::extractFromText(QByteArrayView text, const Options &options)
{
    QList<OopsExcerpt> out;
    extractFromText(text, options, [&out](OopsExcerpt &&e) { out.append(std::move(e)); });
    return out;
}

QList<OopsExcerpt> OopsExtractor::extractFirstFromText(QByteArrayView text)
{
    QList<OopsExcerpt> out;
    ScanStorage storage;
    Scanner(text, Options(), storage, true).run([&out](OopsExcerpt &&e) { out.append(std::move(e)); });
    return out;
}

QList<OopsExcerpt> OopsExtractor::extract(const KernelLog &records, const Options &options)
{
    return extractFromText(recordsAsText(records), options);
}

} // namespace kmr::kernellog
