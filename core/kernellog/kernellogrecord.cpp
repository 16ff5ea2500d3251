// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernellog/kernellogrecord.h"

namespace kmr::kernellog {

QString KernelLogRecord::property(const QString &key) const
{
    for (const auto &p : properties) {
        if (p.first == key)
            return p.second;
    }
    return {};
}

bool KernelLogRecord::operator==(const KernelLogRecord &o) const
{
    return kind == o.kind && priority == o.priority && facility == o.facility && sequence == o.sequence
        && timestampUsec == o.timestampUsec && continuation == o.continuation && callerId == o.callerId
        && message == o.message && properties == o.properties && gapSize == o.gapSize && sourceLine == o.sourceLine;
}

QString priorityName(int priority)
{
    static const char *const names[] = {"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"};
    if (priority < 0 || priority > 7)
        return {};
    return QString::fromLatin1(names[priority]);
}

QString facilityName(int facility)
{
    static const char *const names[]
        = {"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp"};
    if (facility >= 0 && facility < int(sizeof(names) / sizeof(names[0])))
        return QString::fromLatin1(names[facility]);
    if (facility >= 16 && facility <= 23)
        return QStringLiteral("local%1").arg(facility - 16);
    return facility < 0 ? QString() : QString::number(facility);
}

QString toDmesgLine(const KernelLogRecord &r)
{
    if (r.isGap()) {
        return r.gapSize >= 0 ? QStringLiteral("** %1 printk messages dropped **").arg(r.gapSize)
                              : QStringLiteral("** printk messages dropped **");
    }
    QString line;
    if (r.timestampUsec >= 0) {
        line = QStringLiteral("[%1.%2] ")
                   .arg(r.timestampUsec / 1000000, 5)
                   .arg(r.timestampUsec % 1000000, 6, 10, QLatin1Char('0'));
    }
    if (!r.callerId.isEmpty()) {
        line.chop(1);
        line += QStringLiteral("[%1] ").arg(r.callerId, 6);
    }
    return line + r.message;
}

} // namespace kmr::kernellog
