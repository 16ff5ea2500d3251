// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/kmsgparser.h"

namespace kmr::kernellog {

namespace {

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Parses a non-negative decimal number filling the whole view. -1 when it is not one.
qint64 parseDecimal(QByteArrayView v)
{
    if (v.isEmpty() || v.size() > 18)
        return -1;
    qint64 n = 0;
    for (char c : v) {
        if (c < '0' || c > '9')
            return -1;
        n = n * 10 + (c - '0');
    }
    return n;
}

bool fail(QString *error, const QString &what)
{
    if (error)
        *error = what;
    return false;
}

} // namespace

QByteArray decodeKmsgEscapes(QByteArrayView in)
{
    QByteArray out;
    out.reserve(in.size());
    for (qsizetype i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '\\' && i + 3 < in.size() && in[i + 1] == 'x') {
            const int hi = hexValue(in[i + 2]);
            const int lo = hexValue(in[i + 3]);
            if (hi >= 0 && lo >= 0) {
                out.append(char(hi * 16 + lo));
                i += 3;
                continue;
            }
        }
        out.append(c);
    }
    return out;
}

bool parseKmsgRecord(QByteArrayView data, KernelLogRecord *out, QString *error)
{
    KernelLogRecord r;
    const qsizetype semicolon = data.indexOf(';');
    if (semicolon < 0)
        return fail(error, QStringLiteral("no ';' between the record header and the message"));
    const QByteArrayView header = data.first(semicolon);
    qsizetype bodyEnd = data.indexOf('\n', semicolon + 1);
    if (bodyEnd < 0)
        bodyEnd = data.size();

    int field = 0;
    qsizetype start = 0;
    while (start <= header.size()) {
        qsizetype comma = header.indexOf(',', start);
        if (comma < 0)
            comma = header.size();
        const QByteArrayView f = header.sliced(start, comma - start);
        switch (field) {
        case 0: {
            const qint64 pri = parseDecimal(f);
            if (pri < 0 || pri > 0x7ffff)
                return fail(error, QStringLiteral("bad priority field \"%1\"").arg(QString::fromLatin1(f)));
            r.priority = int(pri & 7);
            r.facility = int(pri >> 3);
            break;
        }
        case 1:
            r.sequence = parseDecimal(f);
            if (r.sequence < 0)
                return fail(error, QStringLiteral("bad sequence number \"%1\"").arg(QString::fromLatin1(f)));
            break;
        case 2:
            r.timestampUsec = parseDecimal(f);
            if (r.timestampUsec < 0)
                return fail(error, QStringLiteral("bad timestamp \"%1\"").arg(QString::fromLatin1(f)));
            break;
        case 3:
            r.continuation = f.isEmpty() ? '-' : f[0];
            if (r.continuation != '-' && r.continuation != 'c' && r.continuation != '+')
                r.continuation = '-';
            break;
        default:
            if (f.startsWith("caller="))
                r.callerId = QString::fromLatin1(f.sliced(7));
            break; // other future fields are ignored, as the ABI asks
        }
        ++field;
        start = comma + 1;
    }
    if (field < 3)
        return fail(error, QStringLiteral("the record header has %1 fields, at least 3 expected").arg(field));

    r.message = QString::fromUtf8(decodeKmsgEscapes(data.sliced(semicolon + 1, bodyEnd - semicolon - 1)));

    // Continuation lines: " KEY=value".
    qsizetype pos = bodyEnd + 1;
    while (pos < data.size()) {
        qsizetype eol = data.indexOf('\n', pos);
        if (eol < 0)
            eol = data.size();
        QByteArrayView line = data.sliced(pos, eol - pos);
        if (line.startsWith(' ')) {
            line = line.sliced(1);
            const qsizetype eq = line.indexOf('=');
            if (eq > 0)
                r.properties.append(
                    {QString::fromUtf8(line.first(eq)), QString::fromUtf8(decodeKmsgEscapes(line.sliced(eq + 1)))});
        }
        pos = eol + 1;
    }
    *out = r;
    return true;
}

} // namespace kmr::kernellog
