// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

namespace kmr {

// Reads a small file of /proc or /sys (or a fixture of one) in one go.
// On failure returns false and sets *why to "PATH: strerror" so a user knows what failed.
// Files larger than maxBytes are refused rather than read partly.
bool readSmallFile(const QString &path, QByteArray *out, QString *why, qint64 maxBytes = qint64(4) * 1024 * 1024);

// The first line of a small file, trimmed; empty on failure with *why set.
QString readFirstLine(const QString &path, QString *why);
// The first line of text already read, trimmed and decoded as above.
QString firstLineOf(QByteArray data);

// Bytes from the kernel (module names, paths) are not guaranteed UTF-8. This decodes them
// as UTF-8 and sets *lossy when any byte had to be replaced.
QString decodeKernelBytes(const QByteArray &bytes, bool *lossy = nullptr);

// Joins a root directory and an absolute path: joinRoot("/tmp/fx", "/proc/modules").
QString joinRoot(const QString &root, const QString &absPath);

} // namespace kmr
