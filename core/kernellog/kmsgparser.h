// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "kernellog/kernellogrecord.h"

#include <QByteArrayView>

namespace kmr::kernellog {

// Parses one /dev/kmsg record (what a single read() returns):
//   "PRI,SEQ,TS_USEC,FLAGS[,caller=T123][,...];MESSAGE\n[ KEY=value\n]..."
// (Documentation/ABI/testing/dev-kmsg). PRI holds facility << 3 | level. Non-printable bytes in
// MESSAGE arrive as \xNN escapes and are decoded here; invalid UTF-8 becomes U+FFFD.
// Returns false, with *error saying what is wrong, on a malformed record.
bool parseKmsgRecord(QByteArrayView data, KernelLogRecord *out, QString *error = nullptr);

// Decodes the kernel's \xNN escapes ("\x5c" is a backslash). Lone or malformed escapes are kept.
QByteArray decodeKmsgEscapes(QByteArrayView in);

} // namespace kmr::kernellog
