// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/dmesgparser.h"
#include "kernellog/kmsgparser.h"

#include <QFile>

namespace kmr::kernellog {

namespace {

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

void skipSpaces(QByteArrayView &v)
{
    while (!v.isEmpty() && v.front() == ' ')
        v = v.sliced(1);
}

// "<6>" → priority/facility.
bool takeSyslogPrefix(QByteArrayView &v, KernelLogRecord &r)
{
    if (v.size() < 3 || v[0] != '<')
        return false;
    qsizetype i = 1;
    int n = 0;
    while (i < v.size() && i < 6 && isDigit(v[i]))
        n = n * 10 + (v[i++] - '0');
    if (i == 1 || i >= v.size() || v[i] != '>')
        return false;
    r.priority = n & 7;
    r.facility = n >> 3;
    v = v.sliced(i + 1);
    return true;
}

// "kern  :info  : " (dmesg -x).
bool takeDecodedPrefix(QByteArrayView &v, KernelLogRecord &r)
{
    static const char *const facilities[]
        = {"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp"};
    static const char *const levels[] = {"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"};
    const qsizetype c1 = v.indexOf(':');
    if (c1 < 3 || c1 > 10)
        return false;
    const QByteArrayView fac = v.first(c1).trimmed();
    int facility = -1;
    for (int i = 0; i < int(sizeof(facilities) / sizeof(facilities[0])); ++i) {
        if (fac == facilities[i])
            facility = i;
    }
    if (facility < 0)
        return false;
    const qsizetype c2 = v.indexOf(':', c1 + 1);
    if (c2 < 0 || c2 - c1 > 10)
        return false;
    const QByteArrayView lvl = v.sliced(c1 + 1, c2 - c1 - 1).trimmed();
    int level = -1;
    for (int i = 0; i < 8; ++i) {
        if (lvl == levels[i])
            level = i;
    }
    if (level < 0)
        return false;
    r.facility = facility;
    r.priority = level;
    v = v.sliced(c2 + 1);
    skipSpaces(v);
    return true;
}

// "Nov 22 01:02:03 host kernel: " or "2026-11-22T01:02:03+0000 host kernel: ".
bool takeJournalPrefix(QByteArrayView &v)
{
    const qsizetype k = v.indexOf(" kernel: ");
    if (k < 0 || k > 80)
        return false;
    const QByteArrayView head = v.first(k);
    const bool shortForm = head.size() >= 16 && head[3] == ' ' && head[9] == ':' && head[12] == ':' && isDigit(head[7])
        && isDigit(head[8]) && isDigit(head[10]);
    const bool isoForm = head.size() >= 20 && head[4] == '-' && head[7] == '-' && head[10] == 'T' && head[13] == ':'
        && isDigit(head[0]);
    if (!shortForm && !isoForm)
        return false;
    if (head.sliced(isoForm ? 19 : 15).indexOf(' ') < 0) // a host name between time and "kernel:"
        return false;
    v = v.sliced(k + 9);
    return true;
}

// "[   12.345678]" → usec; "[Sun Nov 22 ...]" (dmesg -T) is skipped.
bool takeTimestamp(QByteArrayView &v, KernelLogRecord &r)
{
    if (v.size() < 3 || v[0] != '[')
        return false;
    const qsizetype close = v.indexOf(']');
    if (close < 0 || close > 40)
        return false;
    QByteArrayView ts = v.sliced(1, close - 1);
    skipSpaces(ts);
    const qsizetype dot = ts.indexOf('.');
    bool numeric = dot > 0 && dot + 1 < ts.size();
    for (qsizetype i = 0; numeric && i < ts.size(); ++i)
        numeric = i == dot || isDigit(ts[i]);
    if (numeric) {
        qint64 sec = 0;
        for (qsizetype i = 0; i < dot && i < 12; ++i)
            sec = sec * 10 + (ts[i] - '0');
        qint64 frac = 0;
        int digits = 0;
        for (qsizetype i = dot + 1; i < ts.size() && digits < 6; ++i, ++digits)
            frac = frac * 10 + (ts[i] - '0');
        while (digits++ < 6)
            frac *= 10;
        r.timestampUsec = sec * 1000000 + frac;
    } else {
        // dmesg -T: "[Sun Nov 22 01:02:03 2026]": weekday, month, day, time, year.
        const bool humanTime = ts.size() >= 20 && ts[3] == ' ' && ts.indexOf(':') > 0 && isDigit(ts.back());
        if (!humanTime)
            return false;
    }
    v = v.sliced(close + 1);
    return true;
}

// "[  T123]" / "[C1]" right after the timestamp (with or without a space before it).
void takeCallerId(QByteArrayView &v, KernelLogRecord &r)
{
    QByteArrayView w = v;
    skipSpaces(w);
    if (w.size() < 4 || w[0] != '[')
        return;
    const qsizetype close = w.indexOf(']');
    if (close < 3 || close > 12)
        return;
    QByteArrayView id = w.sliced(1, close - 1);
    skipSpaces(id);
    if (id.size() < 2 || (id[0] != 'T' && id[0] != 'C'))
        return;
    for (qsizetype i = 1; i < id.size(); ++i) {
        if (!isDigit(id[i]))
            return;
    }
    r.callerId = QString::fromLatin1(id);
    v = w.sliced(close + 1);
}

} // namespace

KernelLogRecord parseDmesgLine(QByteArrayView line, int lineNumber)
{
    KernelLogRecord r;
    r.sourceLine = lineNumber;
    if (line.endsWith('\r'))
        line.chop(1);
    QByteArrayView v = line;
    if (!takeSyslogPrefix(v, r))
        takeDecodedPrefix(v, r);
    takeJournalPrefix(v);
    if (takeTimestamp(v, r))
        takeCallerId(v, r);
    if (!v.isEmpty() && v.front() == ' ')
        v = v.sliced(1);
    // "** 12 printk messages dropped **": the kernel's own mark of a gap.
    if (v.startsWith("** ") && v.endsWith(" printk messages dropped **")) {
        r.kind = KernelLogRecord::Kind::Gap;
        bool ok = false;
        const qint64 n = v.sliced(3, v.size() - 3 - 27).toLongLong(&ok);
        r.gapSize = ok ? n : -1;
        return r;
    }
    r.message = QString::fromUtf8(v);
    return r;
}

bool isJournalKernelLine(QByteArrayView line)
{
    return takeJournalPrefix(line);
}

QByteArray kernelLinesOfJournal(QByteArrayView text, bool lastBootOnly)
{
    QByteArray out;
    qsizetype pos = 0;
    while (pos < text.size()) {
        qsizetype end = text.indexOf('\n', pos);
        if (end < 0)
            end = text.size();
        const QByteArrayView line = text.sliced(pos, end - pos);
        if (lastBootOnly && line.startsWith("-- Boot ") && line.endsWith(" --"))
            out.clear(); // journalctl's separator between boots: keep only what follows the last
        else if (isJournalKernelLine(line))
            out.append(line.data(), line.size()).append('\n');
        pos = end + 1;
    }
    return out;
}

KernelLog parseDmesgText(QByteArrayView text)
{
    KernelLog log;
    qsizetype pos = 0;
    int lineNumber = 1;
    while (pos < text.size()) {
        qsizetype end = text.indexOf('\n', pos);
        if (end < 0)
            end = text.size();
        log.append(parseDmesgLine(text.sliced(pos, end - pos), lineNumber++));
        pos = end + 1;
    }
    return log;
}

KernelLog readDmesgFile(const QString &path, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read %1: %2").arg(path, f.errorString());
        return {};
    }
    const QByteArray data = f.readAll();
    return parseDmesgText(data);
}

} // namespace kmr::kernellog
