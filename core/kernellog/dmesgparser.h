// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "kernellog/kernellogrecord.h"

#include <QByteArrayView>

namespace kmr::kernellog {

// Reads a saved kernel log in any of the text forms people attach to bug reports:
//   plain `dmesg` ("[   12.345678] msg") or without timestamps ("msg"),
//   with caller ids ("[   12.345678][  T123] msg", "[   12.345678] [T123] msg"),
//   `dmesg -r` ("<6>[   12.345678] msg"), `dmesg -x` ("kern  :info  : [   12.345678] msg"),
//   `dmesg -T` ("[Sun Nov 22 01:02:03 2026] msg"),
//   `journalctl -k` ("Nov 22 01:02:03 host kernel: msg", also with an ISO date).
// Each line becomes one record with sourceLine set; "\r" is stripped; bytes that are not UTF-8
// become U+FFFD in the message. A "** N printk messages dropped **" line becomes a Gap record.
KernelLog parseDmesgText(QByteArrayView text);

// One line, as above. Exposed for the tests and the fuzzer.
KernelLogRecord parseDmesgLine(QByteArrayView line, int lineNumber = -1);

// Whether a line of `journalctl` short output is the kernel's ("Nov 22 01:02:03 host kernel: msg",
// also with an ISO date), not another program's.
bool isJournalKernelLine(QByteArrayView line);

// The kernel's lines of a `journalctl` text (what sos report saves), in order. With lastBootOnly,
// only those after the last "-- Boot ID --" separator journalctl prints between boots.
QByteArray kernelLinesOfJournal(QByteArrayView text, bool lastBootOnly);

// Reads and parses a file; on failure returns an empty log and sets *error to a sentence.
KernelLog readDmesgFile(const QString &path, QString *error = nullptr);

} // namespace kmr::kernellog
