// SPDX-License-Identifier: GPL-2.0-or-later
#include "kmsgtail.h"

#include <QString>

#include <cerrno>
#include <cstring>
#include <limits>
#include <fcntl.h>
#include <unistd.h>

namespace kmr {

KmsgTail::KmsgTail()
{
    m_fd = ::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (m_fd < 0) {
        m_error = QStringLiteral("/dev/kmsg: %1").arg(QString::fromUtf8(strerror(errno)));
        return;
    }
    ::lseek(m_fd, 0, SEEK_END);
}

KmsgTail::~KmsgTail()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

QStringList KmsgTail::readNew()
{
    QStringList lines;
    if (m_fd < 0)
        return lines;
    char buf[8192];
    for (;;) {
        const ssize_t n = ::read(m_fd, buf, sizeof buf);
        if (n < 0 && errno == EPIPE)
            continue; // overwritten records: go on with the next one
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        const QByteArray rec(buf, n);
        const int semi = rec.indexOf(';');
        const int nl = rec.indexOf('\n', semi);
        lines << QString::fromUtf8(rec.mid(semi + 1, nl < 0 ? -1 : nl - semi - 1));
    }
    return lines;
}

QStringList KmsgTail::readAllRecords(qsizetype maxBytes, QString *error)
{
    return readRecords(-1, maxBytes, error);
}

QStringList KmsgTail::readRecordsAfter(quint64 after, qsizetype maxBytes, QString *error)
{
    return readRecords(
        after > quint64(std::numeric_limits<qint64>::max()) ? std::numeric_limits<qint64>::max() : qint64(after),
        maxBytes, error);
}

// "PRI,SEQ,..." -> SEQ; -1 when the record does not start that way.
static qint64 recordSequence(const char *rec, ssize_t n)
{
    const void *comma = std::memchr(rec, ',', size_t(n));
    if (!comma)
        return -1;
    qint64 seq = -1;
    for (const char *p = static_cast<const char *>(comma) + 1; p < rec + n && *p >= '0' && *p <= '9'; ++p) {
        if (seq > (std::numeric_limits<qint64>::max() - 9) / 10)
            return -1;
        seq = (seq < 0 ? 0 : seq * 10) + (*p - '0');
    }
    return seq;
}

// after < 0: every record. Otherwise only those numbered above it (a record whose number cannot
// be read is left out).
QStringList KmsgTail::readRecords(qint64 after, qsizetype maxBytes, QString *error)
{
    QStringList records;
    const int fd = ::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *error = QStringLiteral("/dev/kmsg: %1").arg(QString::fromUtf8(strerror(errno)));
        return records;
    }
    qsizetype total = 0;
    char buf[8192];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && (errno == EPIPE || errno == EINTR))
            continue; // EPIPE: overwritten while reading; the sequence numbers show the gap
        if (n <= 0)
            break;
        if (after >= 0 && recordSequence(buf, n) <= after)
            continue;
        // The first record comes even when it alone is larger than maxBytes: an empty answer would
        // send a caller that asks again from its last record (follow mode) back to the same record,
        // forever. A record fits in buf (the kernel makes none larger than 8 KiB), so such a reply is
        // that one record, a few KiB at most.
        if (!records.isEmpty() && total + n > maxBytes)
            break;
        total += n;
        records << QString::fromUtf8(buf, n);
    }
    ::close(fd);
    return records;
}

} // namespace kmr
