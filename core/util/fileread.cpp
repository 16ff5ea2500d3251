// SPDX-License-Identifier: GPL-2.0-or-later
#include "util/fileread.h"

#include <QStringDecoder>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace kmr {

static QString errnoText(const QString &path, int err)
{
    return path + QStringLiteral(": ") + QString::fromLocal8Bit(std::strerror(err));
}

bool readSmallFile(const QString &path, QByteArray *out, QString *why, qint64 maxBytes)
{
    // Plain POSIX reads: /proc and /sys files report size 0, so QFile::readAll's size hint is
    // useless there, and we want the errno text for the user.
    const QByteArray native = path.toLocal8Bit();
    const int fd = ::open(native.constData(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        if (why)
            *why = errnoText(path, errno);
        return false;
    }
    QByteArray data;
    char buf[16384];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            const int err = errno;
            ::close(fd);
            if (why)
                *why = errnoText(path, err);
            return false;
        }
        if (n == 0)
            break;
        data.append(buf, n);
        if (data.size() > maxBytes) {
            ::close(fd);
            if (why)
                *why = path + QStringLiteral(": larger than %1 bytes, not read").arg(maxBytes);
            return false;
        }
    }
    ::close(fd);
    *out = data;
    return true;
}

QString readFirstLine(const QString &path, QString *why)
{
    QByteArray data;
    if (!readSmallFile(path, &data, why, 1024 * 1024))
        return {};
    return firstLineOf(data);
}

QString firstLineOf(QByteArray data)
{
    const qsizetype nl = data.indexOf('\n');
    if (nl >= 0)
        data.truncate(nl);
    return decodeKernelBytes(data.trimmed());
}

QString decodeKernelBytes(const QByteArray &bytes, bool *lossy)
{
    QStringDecoder decoder(QStringDecoder::Utf8);
    QString s = decoder.decode(bytes);
    if (lossy)
        *lossy = decoder.hasError();
    return s;
}

QString joinRoot(const QString &root, const QString &absPath)
{
    if (root.isEmpty() || root == QLatin1String("/"))
        return absPath;
    QString r = root;
    while (r.endsWith(QLatin1Char('/')))
        r.chop(1);
    return r + absPath;
}

} // namespace kmr
