// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "diagnosis/diagnosis.h"
#include "kernellog/oopsexcerpt.h"

namespace kmr {

// The diagnosis' view of the kernel log's oops excerpts. Ids are "oops-N", N counting from 1 in
// log order, so the same log gives the same ids in the GUI, the CLI and a bundle.
QList<OopsCitation> citationsFromExcerpts(const QList<kernellog::OopsExcerpt> &excerpts);

// Reads the kernel log for the diagnosis: FILE when given (a saved dmesg, any text form), else
// ROOT/dev/kmsg. Returns the citations; on failure an empty list and *why says what went wrong
// and what to do ("run `sudo dmesg > log` and pass it with --log"). *refused, when given, says
// whether the kernel refused the read (kernel.dmesg_restrict=1): the GUI, which can read the log
// through the helper, says so instead.
QList<OopsCitation> readOopsCitations(
    const QString &root, const QString &logFile, QString *why, bool *refused = nullptr);

} // namespace kmr
