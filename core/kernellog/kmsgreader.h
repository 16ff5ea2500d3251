// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "kernellog/kernellogrecord.h"

#include <QFile>
#include <QString>
#include <QStringList>

namespace kmr::kernellog {

// Why the kernel log could not be read. PermissionDenied is what kernel.dmesg_restrict=1
// (the Debian and Ubuntu default) gives an unprivileged user: the GUI then asks the helper's
// ReadKernelLog method (polkit action read-kernel-log) and tells the user why.
enum class KernelLogError { None, PermissionDenied, NotFound, ReadFailed };

// Reads /dev/kmsg (or a path standing in for it) without blocking.
// On the character device every read() returns exactly one record; EPIPE means the ring buffer
// overwrote records since the last read: that becomes a Gap record whose size is the jump in
// sequence numbers, not an error. A regular file is read as a capture of /dev/kmsg
// (`cat /dev/kmsg > file`): one record per line, " KEY=value" continuation lines after it.
class KmsgReader
{
public:
    explicit KmsgReader(const QString &path = QStringLiteral("/dev/kmsg"));
    ~KmsgReader();
    KmsgReader(const KmsgReader &) = delete;
    KmsgReader &operator=(const KmsgReader &) = delete;

    bool open();
    void close();
    bool isOpen() const { return m_fd >= 0; }
    int fd() const { return m_fd; } // for a QSocketNotifier in follow mode
    bool isDevice() const { return m_isDevice; } // a regular file never blocks: poll it instead

    // Every record available now; returns at once when none is (follow mode calls it again).
    KernelLog readAvailable();

    KernelLogError error() const { return m_error; }
    QString errorString() const { return m_errorString; }
    // Records that could not be parsed are skipped and counted here.
    int malformedRecords() const { return m_malformed; }

private:
    void append(KernelLog &out, KernelLogRecord &&r);
    void readDevice(KernelLog &out);
    void readFile(KernelLog &out);

    QString m_path;
    int m_fd = -1;
    bool m_isDevice = false;
    bool m_pendingGap = false;
    qint64 m_lastSequence = -1;
    int m_malformed = 0;
    QByteArray m_fileBuffer;
    KernelLogError m_error = KernelLogError::None;
    QString m_errorString;
};

// Records as the helper's ReadKernelLog returns them (one /dev/kmsg record per string, continuation
// lines included), with Gap records where sequence numbers jump. Unparsable ones are counted.
KernelLog parseKmsgRecords(const QStringList &records, int *malformed = nullptr);
// The same for the records that follow the one numbered `after` (the helper's ReadKernelLogAfter
// in follow mode): a Gap record first when the ring buffer overwrote records since then; records
// numbered `after` or lower are left out.
KernelLog parseKmsgRecordsAfter(qint64 after, const QStringList &records, int *malformed = nullptr);

// Convenience: open, read everything available, close.
KernelLog readKmsg(const QString &path, KernelLogError *error = nullptr, QString *errorString = nullptr);

// Whether a file's first bytes are a /dev/kmsg capture ("PRI,SEQ,USEC,FLAGS;message").
bool looksLikeKmsgCapture(QByteArrayView head);
// A saved kernel log in any form: a /dev/kmsg capture, or dmesg text (with or without timestamps
// and caller ids, journalctl -k, a serial console), told apart by its first bytes. *error is set
// when it cannot be read, and left alone otherwise.
KernelLog readLogFile(const QString &path, QString *error = nullptr);

} // namespace kmr::kernellog
