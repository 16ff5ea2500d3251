// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Messages of the test's own in the host kernel's log: root may write to /dev/kmsg. Each write
// opens the device anew, so that the kernel's per-open rate limit (printk_devkmsg=ratelimit: ten
// messages per five seconds) never drops one.

#include <QRandomGenerator>
#include <QString>

#include <fcntl.h>
#include <unistd.h>

inline bool writeKmsg(const QString &text)
{
    const int fd = ::open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const QByteArray line = "<6>" + text.toUtf8() + '\n';
    const bool ok = ::write(fd, line.constData(), size_t(line.size())) == line.size();
    ::close(fd);
    return ok;
}

// "PREFIX 0123456789abcdef": no earlier run wrote it. Each test has a prefix of its own, so that a
// test that looks for stray marks of its kind is not misled by another test running at the same time.
inline QString uniqueMark(const QString &prefix)
{
    return prefix + QStringLiteral(" %1").arg(QRandomGenerator::global()->generate64(), 16, 16, QLatin1Char('0'));
}
