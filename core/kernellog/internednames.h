// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Internal to kernellog/: one shared QString per distinct function or module name.

#include <QByteArrayView>
#include <QString>
#include <QVarLengthArray>

#include <utility>

namespace kmr::kernellog::detail {

// The same name is printed in thousands of frames: one shared QString per distinct Latin-1 text
// (per thread; forgotten when it grows past a bound), instead of an allocation per frame.
QString internLatin1(QByteArrayView text);
// The same entry, with room for what patterns said of the name (the frame skip lists: see
// oopsrules.cpp). Valid until the next call.
struct InternedName {
    QString name;
    QVarLengthArray<std::pair<const void *, bool>, 4> verdicts; // pattern -> matched
};
InternedName &internedName(QByteArrayView text);

} // namespace kmr::kernellog::detail
