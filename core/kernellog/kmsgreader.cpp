// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/kmsgreader.h"
#include "kernellog/kernellogcategory.h"
#include "kernellog/dmesgparser.h"
#include "kernellog/kmsgparser.h"

#include <QFile>
#include <QRegularExpression>

#include <algorithm>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace kmr::kernellog {

KmsgReader::KmsgReader(const QString &path)
    : m_path(path)
{ }

KmsgReader::~KmsgReader()
{
    close();
}

bool KmsgReader::open()
{
    close();
    m_error = KernelLogError::None;
    m_errorString.clear();
    m_fd = ::open(QFile::encodeName(m_path).constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (m_fd < 0) {
        const int err = errno;
        if (err == EPERM || err == EACCES) {
            m_error = KernelLogError::PermissionDenied;
            m_errorString = QStringLiteral("%1: %2. The kernel restricts its log to privileged users "
                                           "(kernel.dmesg_restrict=1); read it through the helper instead.")
                                .arg(m_path, QString::fromLocal8Bit(strerror(err)));
        } else if (err == ENOENT) {
            m_error = KernelLogError::NotFound;
            m_errorString = QStringLiteral("%1: no such file").arg(m_path);
        } else {
            m_error = KernelLogError::ReadFailed;
            m_errorString = QStringLiteral("%1: %2").arg(m_path, QString::fromLocal8Bit(strerror(err)));
        }
        qCDebug(lcKernelLog) << m_errorString;
        return false;
    }
    struct stat st { };
    m_isDevice = ::fstat(m_fd, &st) == 0 && S_ISCHR(st.st_mode);
    return true;
}

void KmsgReader::close()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
    m_fileBuffer.clear();
}

void KmsgReader::append(KernelLog &out, KernelLogRecord &&r)
{
    if (r.sequence >= 0 && m_lastSequence >= 0 && (m_pendingGap || r.sequence > m_lastSequence + 1)) {
        KernelLogRecord gap;
        gap.kind = KernelLogRecord::Kind::Gap;
        gap.gapSize = r.sequence > m_lastSequence ? r.sequence - m_lastSequence - 1 : -1;
        gap.sequence = m_lastSequence + 1;
        gap.timestampUsec = r.timestampUsec;
        if (gap.gapSize != 0)
            out.append(gap);
    } else if (m_pendingGap && m_lastSequence < 0) {
        KernelLogRecord gap;
        gap.kind = KernelLogRecord::Kind::Gap;
        gap.gapSize = -1;
        out.append(gap);
    }
    m_pendingGap = false;
    if (r.sequence >= 0)
        m_lastSequence = r.sequence;
    out.append(std::move(r));
}

void KmsgReader::readDevice(KernelLog &out)
{
    // A record is at most about 8 KiB (PRINTK_MESSAGE_MAX plus the dictionary).
    QByteArray buf(16384, Qt::Uninitialized);
    for (;;) {
        const ssize_t n = ::read(m_fd, buf.data(), size_t(buf.size()));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EPIPE) { // overwritten: the next read returns the oldest record still there
                m_pendingGap = true;
                continue;
            }
            if (errno != EAGAIN) {
                m_error = KernelLogError::ReadFailed;
                m_errorString = QStringLiteral("%1: %2").arg(m_path, QString::fromLocal8Bit(strerror(errno)));
            }
            return;
        }
        if (n == 0)
            return;
        KernelLogRecord r;
        if (parseKmsgRecord(QByteArrayView(buf.constData(), n), &r))
            append(out, std::move(r));
        else
            ++m_malformed;
    }
}

void KmsgReader::readFile(KernelLog &out)
{
    char chunk[65536];
    for (;;) {
        const ssize_t n = ::read(m_fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        m_fileBuffer.append(chunk, n);
    }
    // Split into records: a record line, then its " KEY=value" lines. Keep an unfinished tail.
    qsizetype pos = 0;
    const qsizetype size = m_fileBuffer.size();
    while (pos < size) {
        qsizetype end = m_fileBuffer.indexOf('\n', pos);
        if (end < 0)
            break;
        while (end + 1 < size && m_fileBuffer.at(end + 1) == ' ') {
            const qsizetype next = m_fileBuffer.indexOf('\n', end + 1);
            if (next < 0)
                break;
            end = next;
        }
        const QByteArrayView rec(m_fileBuffer.constData() + pos, end - pos + 1);
        if (!rec.trimmed().isEmpty()) {
            KernelLogRecord r;
            if (parseKmsgRecord(rec, &r))
                append(out, std::move(r));
            else
                ++m_malformed;
        }
        pos = end + 1;
    }
    m_fileBuffer.remove(0, pos);
}

KernelLog KmsgReader::readAvailable()
{
    KernelLog out;
    if (m_fd < 0)
        return out;
    if (m_isDevice)
        readDevice(out);
    else
        readFile(out);
    return out;
}

KernelLog parseKmsgRecords(const QStringList &records, int *malformed)
{
    return parseKmsgRecordsAfter(-1, records, malformed);
}

KernelLog parseKmsgRecordsAfter(qint64 after, const QStringList &records, int *malformed)
{
    KernelLog out;
    qint64 last = after;
    int bad = 0;
    for (const QString &s : records) {
        KernelLogRecord r;
        if (!parseKmsgRecord(s.toUtf8(), &r)) {
            ++bad;
            continue;
        }
        if (after >= 0 && r.sequence <= after)
            continue; // already shown
        if (last >= 0 && r.sequence > last + 1) {
            KernelLogRecord gap;
            gap.kind = KernelLogRecord::Kind::Gap;
            gap.gapSize = r.sequence - last - 1;
            gap.sequence = last + 1;
            gap.timestampUsec = r.timestampUsec;
            out.append(gap);
        }
        last = r.sequence;
        out.append(std::move(r));
    }
    if (malformed)
        *malformed = bad;
    return out;
}

KernelLog readKmsg(const QString &path, KernelLogError *error, QString *errorString)
{
    KmsgReader reader(path);
    KernelLog log;
    if (reader.open())
        log = reader.readAvailable();
    if (error)
        *error = reader.error();
    if (errorString)
        *errorString = reader.errorString();
    return log;
}

bool looksLikeKmsgCapture(QByteArrayView head)
{
    static const QRegularExpression re(QStringLiteral("^[0-9]+,[0-9]+,[0-9]+,[-c+][^;\\n]*;"));
    return re.match(QString::fromLatin1(head.first(std::min<qsizetype>(head.size(), 64)))).hasMatch();
}

KernelLog readLogFile(const QString &path, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read %1: %2").arg(path, f.errorString());
        return {};
    }
    const bool kmsg = looksLikeKmsgCapture(f.peek(64));
    f.close();
    if (!kmsg)
        return readDmesgFile(path, error);
    KernelLogError e = KernelLogError::None;
    QString why;
    const KernelLog log = readKmsg(path, &e, &why);
    if (e != KernelLogError::None && error)
        *error = why;
    return log;
}

} // namespace kmr::kernellog
