// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/oopsextractor.h"
#include "kernellog/kernellogcategory.h"
#include "kernellog/oopsdetails.h"
#include "kernellog/oopsline.h"
#include "kernellog/oopsrules.h"
#include "kernellog/oopstitle.h"

#include <cstring>

namespace kmr::kernellog {

namespace {

using detail::LineContext;
using detail::ParsedLine;

constexpr int kMaxWindow = 2000; // lines looked at after a header
constexpr int kMaxExcerptLines = 400; // lines an excerpt keeps

// One line of the text, classified once: every line is scanned for the literals once and parsed
// at most once, however many report windows look at it.
struct LineInfo {
    QByteArrayView raw;
    quint64 hits = 0; // detail::scanLine()
    ParsedLine parsed;
    bool isParsed = false;
    bool startKnown = false; // startsNew and isHeader are set
    bool startsNew = false;
    bool isHeader = false;
};

// The lines from the oldest one a report may still look at to the furthest one read ahead. The
// scanner only moves forward, so lines before the current position are dropped.
class LineCache
{
public:
    explicit LineCache(QByteArrayView text)
        : m_text(text)
    { }
    // nullptr past the end of the text. The pointer is valid until the next call.
    LineInfo *at(int index)
    {
        while (index - m_base >= qsizetype(m_lines.size())) {
            if (!readLine())
                return nullptr;
        }
        return &m_lines[size_t(index - m_base)];
    }
    const ParsedLine &parsed(int index)
    {
        LineInfo *l = at(index);
        if (!l->isParsed) {
            l->parsed = detail::parseLine(l->raw);
            l->isParsed = true;
        }
        return l->parsed;
    }
    void dropBefore(int index)
    {
        const qsizetype dead = index - m_base;
        if (dead > 4096 && dead * 2 > qsizetype(m_lines.size())) {
            m_lines.erase(m_lines.begin(), m_lines.begin() + dead);
            m_base = index;
        }
    }

private:
    bool readLine()
    {
        if (m_pos >= m_text.size())
            return false;
        const char *base = m_text.data() + m_pos;
        const void *nl = std::memchr(base, '\n', size_t(m_text.size() - m_pos));
        const qsizetype len = nl ? static_cast<const char *>(nl) - base : m_text.size() - m_pos;
        LineInfo l;
        l.raw = QByteArrayView(base, len);
        l.hits = detail::scanLine(l.raw);
        m_lines.push_back(l);
        m_pos += len + 1;
        return true;
    }

    QByteArrayView m_text;
    qsizetype m_pos = 0;
    int m_base = 0;
    std::vector<LineInfo> m_lines;
};

struct Row {
    int index;
    ParsedLine line;
    quint64 hits; // detail::scanLine()
};

bool isRuler(QByteArrayView t)
{
    return t.size() >= 20 && t.startsWith("====================");
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
    const qsizetype colon = t.indexOf(':');
    const qsizetype space = t.indexOf(' ');
    return colon > 0 && (space < 0 || colon < space); // "RIP:", "Code:", "Workqueue:", "task:"
}

class Scanner
{
public:
    Scanner(QByteArrayView text, bool firstOnly)
        : m_lines(text)
        , m_firstOnly(firstOnly)
    { }

    QList<int> gapLines; // lines that stand for lost records (record input)
    bool keepLines = true;
    bool frameFunctions = true;
    // Each report found goes to sink as soon as it is complete.
    void run(const OopsExtractor::Sink &sink);

private:
    const rules::OopsGroup *matchOops(QByteArrayView line, quint64 hits) const;
    bool startsNewReport(LineInfo &l) const;
    int processReport(int at, const rules::OopsGroup &group, const QList<int> &before);

    LineCache m_lines;
    bool m_firstOnly;
    const OopsExtractor::Sink *m_sink = nullptr;
    qsizetype m_found = 0;
    QList<QByteArrayView> m_reportTexts;
    QList<QByteArrayView> m_texts; // the excerpt's messages, for fillDetails
    QList<Row> m_rows;
    QList<int> m_gapsSeen;
};

const rules::OopsGroup *Scanner::matchOops(QByteArrayView line, quint64 hits) const
{
    hits &= detail::headerMask();
    if (!hits)
        return nullptr;
    const QList<rules::OopsGroup> &groups = rules::groups();
    for (qsizetype i = 0; i < groups.size(); ++i) {
        if ((hits & (quint64(1) << i)) && !groups[i].suppressed(line))
            return &groups[i];
    }
    return nullptr;
}

void Scanner::run(const OopsExtractor::Sink &sink)
{
    m_sink = &sink;
    QList<int> before; // the last lines before a header: "[ cut here ]" and the WARN message
    for (int index = 0;;) {
        m_lines.dropBefore(index - 3);
        const LineInfo *line = m_lines.at(index);
        if (!line)
            break;
        if (line->hits) {
            if (const rules::OopsGroup *g = matchOops(line->raw, line->hits)) {
                const qsizetype had = m_found;
                index = processReport(index, *g, before);
                before.clear();
                if (m_firstOnly && m_found > had)
                    break;
                continue;
            }
        }
        if (before.size() == 3)
            before.removeFirst();
        before.append(index);
        ++index;
    }
}

// Whether a line inside a report window starts another report (or an informational message
// with a stack); computed once per line.
bool Scanner::startsNewReport(LineInfo &l) const
{
    if (!l.startKnown) {
        const rules::OopsGroup *g = matchOops(l.raw, l.hits);
        const quint64 infoBits = detail::markerBit(detail::MarkInfoWithStack1)
            | detail::markerBit(detail::MarkInfoWithStack2) | detail::markerBit(detail::MarkInfoWithStack3);
        l.isHeader = g != nullptr;
        l.startsNew = g ? !rules::isReportStartIgnored(l.raw) : (l.hits & infoBits) != 0;
        l.startKnown = true;
    }
    return l.startsNew;
}

int Scanner::processReport(int at, const rules::OopsGroup &group, const QList<int> &before)
{
    const ParsedLine header = m_lines.parsed(at);
    const LineContext ctx = header.context;
    // Reused from report to report: allocating them anew each time made the heap grow and shrink.
    QList<QByteArrayView> &reportTexts = m_reportTexts;
    QList<Row> &rows = m_rows;
    QList<int> &gapsSeen = m_gapsSeen;
    reportTexts.clear();
    rows.clear();
    gapsSeen.clear();
    qsizetype reportEnd = 0;
    bool second = false, cpuTraceback = false, skipText = false, rowsClosed = false, traceSeen = false;
    int textLines = 0;
    const int minLines = header.text.contains("BUG: KMSAN:") ? 16 : 22; // KMSAN reports have no "Call Trace"
    int resume = -1;

    int here = at;
    for (int scanned = 0;; ++scanned, ++here) {
        LineInfo *line = m_lines.at(here);
        if (!line)
            break;
        const bool oopsLine = scanned == 0;
        if (scanned > kMaxWindow) {
            if (resume < 0)
                resume = here;
            break;
        }
        const quint64 hits = line->hits;
        if (!oopsLine && hits) {
            const bool startsNew = startsNewReport(*line);
            if (startsNew && !second) {
                second = true;
                resume = here;
                if (!ctx.hasCaller())
                    break;
            }
            if (line->isHeader && startsNew && ctx.hasCaller() && m_lines.parsed(here).context == ctx)
                rowsClosed = true; // this task's next report: the title may still look further, as syzkaller does
            if (hits & detail::markerBit(detail::MarkDropped))
                gapsSeen << here;
        }
        const ParsedLine &p = m_lines.parsed(here);
        const bool same = p.context == ctx || (cpuTraceback && p.context.kind == LineContext::Cpu);
        if (!oopsLine && !same)
            continue;
        if (!rowsClosed)
            rows.append({here, p, hits});
        if (!oopsLine && p.questionable)
            continue;
        ++textLines;
        bool skipLine = skipText;
        if (hits & detail::markerBit(detail::MarkLockDebugOff)) {
            skipLine = true;
        } else if (hits & detail::markerBit(detail::MarkNmiBacktrace)) {
            cpuTraceback = true;
        } else if (textLines > minLines
            && (hits & (detail::markerBit(detail::MarkPanic) | detail::markerBit(detail::MarkCircularLocking)))) {
            skipText = skipLine = true;
        }
        if (!oopsLine && skipLine)
            continue;
        reportTexts.append(p.text);
        traceSeen = traceSeen
            || (hits
                & (detail::markerBit(detail::MarkCallTrace) | detail::markerBit(detail::MarkBacktrace)
                    | detail::markerBit(detail::MarkCallTraceArm)));
        if (!second || ctx.hasCaller())
            reportEnd = reportTexts.size();
    }
    if (resume < 0)
        resume = here;

    OopsExcerpt e;
    const detail::TitleResult t = detail::makeTitle(group, reportTexts.first(reportEnd));
    if (group.needsFormat && !t.matchedFormat)
        return at + 1; // not a report after all: go on after its first line
    e.title = t.title;
    e.altTitles = t.altTitles;
    const qsizetype in = e.title.indexOf(QLatin1String(" in "));
    e.kind = in >= 0 ? e.title.left(in) : e.title;
    e.header = QString::fromUtf8(header.text);
    e.callerId = ctx.hasCaller() ? QString::fromLatin1(ctx.id) : QString();

    // Where the excerpt ends: an end marker, or the report body giving way to ordinary messages.
    qsizetype keep = rows.size();
    bool sawTrace = false;
    int ordinary = 0;
    for (qsizetype i = 1; i < rows.size(); ++i) {
        const ParsedLine &p = rows[i].line;
        if (p.message.startsWith("---[ end") || isRuler(p.message)) {
            keep = i + 1;
            break;
        }
        if ((rows[i].hits & (detail::markerBit(detail::MarkCallTrace) | detail::markerBit(detail::MarkBacktrace)))
            || !detail::frameFunction(p.text).isEmpty()) {
            sawTrace = true;
            ordinary = 0;
            continue;
        }
        if (p.message.trimmed() == "</TASK>" && i + 1 < rows.size()) {
            // The trace is over; an oops goes on with "Modules linked in", a hung task report does not.
            const QByteArrayView next = rows[i + 1].line.message;
            if (!next.startsWith(' ') && !next.startsWith("Modules linked in") && !next.startsWith("CR2:")
                && !next.startsWith("---[") && !next.startsWith("RIP:") && !next.startsWith("<TASK>")) {
                keep = i + 1;
                break;
            }
        }
        ordinary = (sawTrace && !looksLikeReportBody(p)) ? ordinary + 1 : 0;
        if (ordinary >= 8) {
            keep = i - 7;
            break;
        }
    }
    keep = std::min<qsizetype>(keep, kMaxExcerptLines);

    QList<QByteArrayView> &texts = m_texts;
    texts.clear();
    // Lines just before the header that open the same report ("[ cut here ]", a ruler, the WARN text).
    qsizetype from = before.size();
    for (qsizetype i = before.size() - 1; i >= 0; --i) {
        const ParsedLine &pp = m_lines.parsed(before[i]);
        if (pp.context != ctx)
            break;
        if (pp.message.contains("[ cut here ]") || pp.message.contains("--- cut here ---") || isRuler(pp.message)) {
            from = i;
            break;
        }
    }
    for (qsizetype i = from; i < before.size(); ++i) {
        const ParsedLine &pp = m_lines.parsed(before[i]);
        if (pp.context != ctx)
            continue;
        e.lineIndexes << before[i];
        if (keepLines)
            e.lines << QString::fromUtf8(pp.raw);
        texts << pp.message;
    }
    for (qsizetype i = 0; i < keep; ++i) {
        e.lineIndexes << rows[i].index;
        if (keepLines)
            e.lines << QString::fromUtf8(rows[i].line.raw);
        texts << rows[i].line.message;
    }
    e.firstLine = e.lineIndexes.isEmpty() ? at : e.lineIndexes.first();
    e.lastLine = e.lineIndexes.isEmpty() ? at : e.lineIndexes.last();
    const qsizetype inPos = e.title.lastIndexOf(QLatin1String(" in "));
    detail::fillDetails(e, texts, inPos >= 0 ? e.title.mid(inPos + 4) : QString(), frameFunctions);

    // Damaged reports are marked, with the reason.
    e.truncatedWhy = t.corruptedWhy;
    for (const int gap : std::as_const(gapsSeen) + gapLines) {
        if (gap > e.firstLine && gap < e.lastLine)
            e.truncatedWhy = QStringLiteral("the kernel dropped messages inside the report");
    }
    if (e.truncatedWhy.isEmpty() && t.format && t.format->hasStack && !t.format->noStackTrace) {
        if (!traceSeen)
            e.truncatedWhy = QStringLiteral("the report has no call trace: it was cut short");
    }
    static const QRegularExpression timestampInTitle(QStringLiteral("\\[ *[0-9]+\\.[0-9]+\\]"));
    if (e.truncatedWhy.isEmpty() && e.title.contains(timestampInTitle))
        e.truncatedWhy = QStringLiteral("another message was printed into the middle of the report's first line");
    e.truncated = !e.truncatedWhy.isEmpty();
    ++m_found;
    (*m_sink)(std::move(e));
    return resume;
}

QByteArray recordsAsText(const KernelLog &records, QList<int> *gaps)
{
    QByteArray text;
    text.reserve(records.size() * 96);
    for (qsizetype i = 0; i < records.size(); ++i) {
        const KernelLogRecord &r = records[i];
        if (r.isGap())
            *gaps << int(i);
        QString line = toDmesgLine(r);
        line.replace(QLatin1Char('\n'), QLatin1Char(' '));
        text += line.toUtf8();
        text += '\n';
    }
    return text;
}

} // namespace

void OopsExtractor::extractFromText(QByteArrayView text, const Options &options, const Sink &sink)
{
    Scanner s(text, false);
    s.keepLines = options.keepLines;
    s.frameFunctions = options.frameFunctions;
    s.run(sink);
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
    Scanner(text, true).run([&out](OopsExcerpt &&e) { out.append(std::move(e)); });
    return out;
}

QList<OopsExcerpt> OopsExtractor::extract(const KernelLog &records)
{
    QList<int> gaps;
    const QByteArray text = recordsAsText(records, &gaps);
    Scanner s(text, false);
    s.gapLines = gaps;
    QList<OopsExcerpt> out;
    s.run([&out](OopsExcerpt &&e) { out.append(std::move(e)); });
    return out;
}

} // namespace kmr::kernellog
