// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Internal to kernellog/: the title of one report, syzkaller style.

#include "kernellog/oopsrules.h"

#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

namespace kmr::kernellog::detail {

struct TitleResult {
    QString title;
    QStringList altTitles;
    QString corruptedWhy; // empty when the title was made from a complete report
    const rules::OopsFormat *format = nullptr;
    bool matchedFormat = false; // some format of the group recognised the report
};

// lines: the report's lines (prefix stripped), the header first. scanned (optional): scanLine()
// of the log line each one is part of, which spares the stack walk searching most lines again.
TitleResult makeTitle(
    const rules::OopsGroup &group, const QList<QByteArrayView> &lines, const quint64 *scanned = nullptr);

// Replaces what changes from run to run (addresses, numbers, line numbers, executor ids) and
// drops control characters, as syzkaller does, so titles compare across machines. Each thread
// remembers the answers for up to kSanitizedTitlesKept titles.
QString sanitizeTitle(const QString &title);
inline constexpr qsizetype kSanitizedTitlesKept = 4096;

} // namespace kmr::kernellog::detail
