// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <QList>
#include <QMetaType>
#include <QPair>
#include <QString>

namespace kmr::kernellog {

// One record of the kernel log, as /dev/kmsg gives it or as recovered from a saved dmesg text.
// A Gap record stands for records the ring buffer overwrote before we could read them.
struct KernelLogRecord {
    enum class Kind { Message, Gap };
    Kind kind = Kind::Message;
    int priority = -1; // 0 emerg .. 7 debug; -1 when the source did not say
    int facility = -1; // 0 kern, 1 user, ...; -1 when unknown
    qint64 sequence = -1; // /dev/kmsg sequence number; -1 when unknown (text files)
    qint64 timestampUsec = -1; // since boot; -1 when the line had no timestamp
    char continuation = '-'; // '-' a record of its own, 'c' begins a continued line, '+' continues one
    QString callerId; // "T123" (task) or "C1" (CPU) when CONFIG_PRINTK_CALLER printed one
    QString message; // \xNN escapes decoded
    QList<QPair<QString, QString>> properties; // the KEY=value lines: SUBSYSTEM, DEVICE, ...
    qint64 gapSize = 0; // Gap: how many records were lost (sequence jump), -1 when unknown
    int sourceLine = -1; // 1-based line in a text file, -1 for /dev/kmsg

    bool isGap() const { return kind == Kind::Gap; }
    QString property(const QString &key) const;
    bool operator==(const KernelLogRecord &o) const;
};

using KernelLog = QList<KernelLogRecord>;

// "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug" or "" for -1.
QString priorityName(int priority);
// "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", ... or the number.
QString facilityName(int facility);
// The record as dmesg would print it: "[   12.345678] [T123] message" (no timestamp part when unknown).
QString toDmesgLine(const KernelLogRecord &r);

} // namespace kmr::kernellog

Q_DECLARE_METATYPE(kmr::kernellog::KernelLogRecord)
