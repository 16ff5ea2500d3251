// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <QStringList>

namespace kmr {

// Reads /dev/kmsg from "now" on: the kernel log lines that a step causes. Only the message text of
// each record is kept ("kmodrescue_fixer: result target=..."), continuation lines dropped.
class KmsgTail
{
public:
    KmsgTail(); // opens /dev/kmsg and seeks to its end
    ~KmsgTail();
    KmsgTail(const KmsgTail &) = delete;
    KmsgTail &operator=(const KmsgTail &) = delete;

    QStringList readNew(); // records written since the last call (or since construction)
    QString error() const { return m_error; }

    // Every record in the buffer, raw ("PRI,SEQ,USEC,FLAGS;text\n KEY=value"), at most maxBytes.
    static QStringList readAllRecords(qsizetype maxBytes, QString *error);
    // The records numbered above `after`, oldest first, whole records up to maxBytes in all (the
    // caller asks again from the last one it got for the rest). A record larger than maxBytes
    // comes alone, so that asking again always gets on (tests/system/tst_kmsgtail.cpp).
    static QStringList readRecordsAfter(quint64 after, qsizetype maxBytes, QString *error);

private:
    static QStringList readRecords(qint64 after, qsizetype maxBytes, QString *error);

    int m_fd = -1;
    QString m_error;
};

} // namespace kmr
